/**
 * A throttle on the real stack (awl dev over HTTP, real Redis): 200 events at 10 per second start
 * spaced out, none is lost, and the spacing is measured from inside the steps.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { sendEvents } from "../../client/src/engine/send.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { startHost, startStack, waitFor, type Host, type Stack } from "../helpers/stack.ts";

const starts: number[] = [];
const done = new Set<number>();
const throttled = asyncWorkload<{ n: number }>(
  async ({ data, step }) => {
    await step.run("call-api", () => {
      starts.push(Date.now());
    });
    done.add(data.n);
  },
  { events: "rate-limited-api", throttle: { limit: 10, period: "1s" } },
);

let stack: Stack;
let host: Host;

beforeAll(async () => {
  stack = await startStack();
  host = await startHost(stack, { throttled });
});
afterAll(async () => {
  await host?.close();
  await stack?.close();
});

test("a throttle of 10/s over 200 events spaces their starts 100 ms apart and loses none", async () => {
  const sentAt = Date.now();
  for (let i = 0; i < 200; i += 100) {
    await sendEvents(
      host.runtime,
      Array.from({ length: 100 }, (_, j) => ({ name: "rate-limited-api", data: { n: i + j } })),
    );
  }
  await waitFor(async () => done.size === 200, {
    timeoutMs: 60_000,
    intervalMs: 100,
    what: "all 200 runs to complete",
  });
  const sorted = [...starts].sort((a, b) => a - b);
  expect(sorted).toHaveLength(200);
  // Starts are reserved exactly 100 ms apart; each is measured a little after its time (a
  // delivery, a claim and a round trip: up to a few hundred ms on a loaded machine), so fifty
  // starts later is five seconds later less that jitter (unthrottled, the 200 start within a few
  // ms of each other).
  for (let i = 0; i + 50 < sorted.length; i++)
    expect(sorted[i + 50]! - sorted[i]!).toBeGreaterThanOrEqual(4_000);
  // 199 gaps of 100 ms after the first reservation, which is no earlier than the first send: the
  // throttle never runs faster than its rate, however late the deliveries.
  expect(sorted.at(-1)! - sentAt).toBeGreaterThanOrEqual(19_000);
  const stats = await stack.runtime.store.stats();
  expect(stats.states.completed).toBe(200);
}, 90_000);
