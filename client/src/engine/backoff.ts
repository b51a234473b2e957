/**
 * When a failed attempt is retried. The default schedule is exponential with jitter:
 * 5 s × 4^(attempt − 1), so about 5 s, 20 s, 80 s, 320 s, ..., never more than a week, each
 * spread by ±10% so that a burst of failures does not retry in lockstep.
 */
import ms from "ms";
import { toDelayMs, type Delay, type Duration } from "./durations.ts";
import { RetryAfterError } from "./errors.ts";

export const MAX_BACKOFF_MS = ms("7 days");
export type BackoffSchedule = (attempt: number) => Duration;

export function defaultBackoff(attempt: number, random = Math.random): number {
  const base = Math.min(5_000 * 4 ** (attempt - 1), MAX_BACKOFF_MS);
  return Math.round(Math.min(base * (0.9 + 0.2 * random()), MAX_BACKOFF_MS));
}

export interface RetryDelay {
  delayMs: number;
  /** Why the workload's schedule was not used (it threw, or gave no duration), when it was not. */
  scheduleProblem?: string;
}

/**
 * The delay before the attempt after `attempt` (the 1-based attempt that just failed). A schedule that
 * throws or gives no usable duration is a bug in the workload, but it must not cost the run its retry:
 * the default backoff is used instead, and the problem is handed back to be stored with the attempt.
 */
export function retryDelayMs(
  error: unknown,
  attempt: number,
  schedule: BackoffSchedule | undefined,
  now: number,
  random = Math.random,
): RetryDelay {
  let backoff: number | undefined;
  let scheduleProblem: string | undefined;
  if (schedule) {
    try {
      const value: unknown = schedule(attempt);
      const parsed =
        typeof value === "number" || typeof value === "string" ? durationOrUndefined(value) : undefined;
      if (parsed === undefined) scheduleProblem = `returned ${describe(value)}, not a duration`;
      else backoff = Math.min(parsed, MAX_BACKOFF_MS);
    } catch (thrown) {
      scheduleProblem = `threw ${thrown instanceof Error ? thrown.message : describe(thrown)}`;
    }
  }
  backoff ??= defaultBackoff(attempt, random);
  const problem = scheduleProblem
    ? { scheduleProblem: `backoffSchedule(${attempt}) ${scheduleProblem}; the default backoff was used` }
    : {};
  if (error instanceof RetryAfterError) {
    const requested = durationOrUndefined(error.retryAt, now) ?? 0;
    return { delayMs: error.force ? requested : Math.max(requested, backoff), ...problem };
  }
  return { delayMs: backoff, ...problem };
}

function durationOrUndefined(value: Delay, now?: number): number | undefined {
  try {
    return toDelayMs(value, "backoff", now);
  } catch {
    return undefined;
  }
}

function describe(value: unknown): string {
  try {
    return typeof value === "string" ? JSON.stringify(value) : String(value);
  } catch {
    return typeof value;
  }
}
