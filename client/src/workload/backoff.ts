/**
 * When a failed attempt is retried. The default schedule is exponential with jitter:
 * 5 s × 4^(attempt − 1), so about 5 s, 20 s, 80 s, 320 s, ..., never more than a week, each
 * spread by ±10% so that a burst of failures does not retry in lockstep.
 */
import ms from "ms";
import { toDurationMs, type Duration } from "./durations.ts";
import { RetryAfterError } from "./errors.ts";

export const MAX_BACKOFF_MS = ms("7 days");
export type BackoffSchedule = (attempt: number) => Duration;

export function defaultBackoff(attempt: number, random = Math.random): number {
  const base = Math.min(5_000 * 4 ** (attempt - 1), MAX_BACKOFF_MS);
  return Math.round(Math.min(base * (0.9 + 0.2 * random()), MAX_BACKOFF_MS));
}

/** The delay before the attempt after `attempt` (the 1-based attempt that just failed). */
export function retryDelayMs(
  error: unknown,
  attempt: number,
  schedule: BackoffSchedule | undefined,
  now: number,
): number {
  const backoff = schedule
    ? Math.min(toDurationMs(schedule(attempt), "backoffSchedule"), MAX_BACKOFF_MS)
    : defaultBackoff(attempt);
  if (error instanceof RetryAfterError) {
    const requested =
      error.retryAt instanceof Date
        ? Math.max(0, error.retryAt.getTime() - now)
        : toDurationMs(error.retryAt, "retryAfter");
    return error.force ? requested : Math.max(requested, backoff);
  }
  return backoff;
}
