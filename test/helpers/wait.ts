/**
 * Waiting for an observed outcome (never a fixed sleep): polls a probe until it answers, or fails
 * naming what it waited for. Kept free of vitest, so that `npm run soak`'s plain scripts can use it
 * too; test/helpers/stack.ts re-exports it for the tests.
 */
export async function waitFor<T>(
  probe: () => Promise<T | undefined | null | false>,
  { timeoutMs = 15_000, intervalMs = 25, what = "condition" } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
