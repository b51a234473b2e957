/**
 * "Is the machine quiet?": before each round the benchmark waits, up to a limit, for the 1-minute
 * load average to fall below a threshold (the figures of a busy machine are not those of a quiet
 * one, and two cores are easily kept busy by someone else). The outcome of every wait is kept for
 * the report, including when the load never fell.
 */
import { load } from "./machine.ts";

export interface QuietCheck {
  round: number;
  /** The 1-minute load average when the round started. */
  load1: number;
  threshold: number;
  waitedMs: number;
  /** Whether the load was below the threshold when the round started. */
  quiet: boolean;
}

export async function waitForQuiet(options: {
  round: number;
  threshold: number;
  timeoutMs: number;
  log: (line: string) => void;
  pollMs?: number;
}): Promise<QuietCheck> {
  const started = performance.now();
  let load1 = load()[0];
  if (load1 >= options.threshold && options.timeoutMs > 0) {
    options.log(
      `  round ${options.round + 1}: load ${load1}, waiting up to ${Math.round(options.timeoutMs / 1000)} s for it to fall below ${options.threshold}`,
    );
  }
  while (load1 >= options.threshold && performance.now() - started < options.timeoutMs) {
    await new Promise((resolve) => setTimeout(resolve, options.pollMs ?? 2000));
    load1 = load()[0];
  }
  const waitedMs = Math.round(performance.now() - started);
  return {
    round: options.round,
    load1,
    threshold: options.threshold,
    waitedMs,
    quiet: load1 < options.threshold,
  };
}
