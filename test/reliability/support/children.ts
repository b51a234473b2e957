/**
 * Every child process a reliability test starts is registered here, so that it is killed when the
 * test process exits for any reason (a failed assertion, a timeout, a crash), not only when the
 * test's own cleanup runs. Helpers also stop their children explicitly in their close().
 */
import { spawn, type ChildProcess, type SpawnOptions } from "node:child_process";

const live = new Set<ChildProcess>();
let hooked = false;

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.once("exit", () => {
    for (const child of live) child.kill("SIGKILL");
  });
}

/** Spawns a tracked child; its stdout and stderr are collected in `output()` (bounded). */
export function spawnTracked(
  command: string,
  args: string[],
  options: SpawnOptions = {},
): { child: ChildProcess; output: () => string } {
  hook();
  const child = spawn(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  live.add(child);
  child.once("exit", () => live.delete(child));
  let output = "";
  const collect = (chunk: Buffer) => {
    output += chunk.toString();
    // Keep the newest 4 MB: enough for every log line a test greps, bounded for a soak.
    if (output.length > 8 * 1024 * 1024) output = output.slice(-4 * 1024 * 1024);
  };
  child.stdout?.on("data", collect);
  child.stderr?.on("data", collect);
  return { child, output: () => output };
}

/** Resolves once `text` has appeared in the child's output; rejects if it exits first or after timeoutMs. */
export function waitForOutput(
  tracked: { child: ChildProcess; output: () => string },
  text: string,
  timeoutMs = 30_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    const check = () => {
      if (tracked.output().includes(text)) {
        cleanup();
        resolve();
      }
    };
    const exited = (code: number | null, signal: string | null) => {
      cleanup();
      reject(
        new Error(`process exited (${code ?? signal}) before "${text}":\n${tracked.output().slice(-2000)}`),
      );
    };
    const timer = setTimeout(() => {
      cleanup();
      reject(new Error(`timed out waiting for "${text}":\n${tracked.output().slice(-2000)}`));
    }, timeoutMs);
    const cleanup = () => {
      clearTimeout(timer);
      tracked.child.stdout?.off("data", check);
      tracked.child.stderr?.off("data", check);
      tracked.child.off("exit", exited);
    };
    tracked.child.stdout?.on("data", check);
    tracked.child.stderr?.on("data", check);
    tracked.child.once("exit", exited);
    check();
  });
}

/** Kills a child with a signal and waits for it to be gone. */
export async function killAndWait(child: ChildProcess, signal: NodeJS.Signals = "SIGKILL"): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill(signal);
  await gone;
}
