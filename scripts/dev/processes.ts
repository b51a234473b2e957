/**
 * Child processes that are stopped as a whole: each runs in its own process group (netlify dev
 * starts servers and workers of its own), so `stop()` ends everything it started, with SIGTERM and
 * then SIGKILL for whatever is still there after a grace period. Output is kept for waiting on a
 * line and for error reports, and optionally echoed with a prefix.
 */
import { spawn } from "node:child_process";

export interface ManagedProcess {
  /** Everything printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves with the first output line matching `pattern`; rejects if the process exits first. */
  waitForLine(pattern: RegExp, timeoutMs: number): Promise<string>;
  /** Resolves with the exit code once the process has exited. */
  readonly exited: Promise<number | null>;
  stop(): Promise<void>;
}

export interface StartOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** Echo each output line with this prefix (omit to stay silent). */
  echo?: (line: string) => void;
}

const GRACE_MS = 5_000;

export function startProcess(command: string, args: string[], options: StartOptions): ManagedProcess {
  const child = spawn(command, args, {
    cwd: options.cwd,
    env: options.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const lineListeners = new Set<(line: string) => void>();
  let partial = "";
  const onData = (chunk: Buffer) => {
    const text = chunk.toString();
    output += text;
    const lines = (partial + text).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      options.echo?.(line);
      for (const listener of lineListeners) listener(line);
    }
  };
  child.stdout!.on("data", onData);
  child.stderr!.on("data", onData);
  const exited = new Promise<number | null>((resolve) => {
    child.once("exit", (code) => resolve(code));
    child.once("error", () => resolve(null));
  });

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // The group is gone already.
    }
  };

  return {
    exited,
    output: () => output,
    waitForLine(pattern, timeoutMs) {
      const seen = output.split("\n").find((line) => pattern.test(line));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          lineListeners.delete(listener);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern} in:\n${output}`));
        }, timeoutMs);
        const listener = (line: string) => {
          if (!pattern.test(line)) return;
          clearTimeout(timer);
          lineListeners.delete(listener);
          resolve(line);
        };
        lineListeners.add(listener);
        void exited.then((code) => {
          clearTimeout(timer);
          if (lineListeners.delete(listener)) {
            reject(new Error(`${command} exited (${code}) before printing ${pattern}:\n${output}`));
          }
        });
      });
    },
    async stop() {
      if (child.pid === undefined) return;
      signalGroup("SIGTERM");
      const killed = setTimeout(() => signalGroup("SIGKILL"), GRACE_MS);
      await exited;
      clearTimeout(killed);
      // The leader may exit before its children: make sure none of the group is left behind.
      signalGroup("SIGKILL");
    },
  };
}
