/**
 * The engine's tunable numbers and their defaults, in one place, so documentation and code agree.
 */
import ms from "ms";

export interface EngineSettings {
  /** How long a completed run (and an event whose runs all completed) is kept. */
  completedRetentionMs: number;
  /** How long a dead-lettered run is kept, waiting for a retry. */
  deadLetteredRetentionMs: number;
  /** How long after a publish the reconciler waits before it treats the message as lost. */
  outboxGraceMs: number;
  /** How long past an invocation's time budget its lease lasts, for a step that overruns it. */
  leaseMarginMs: number;
  /** How long a repeated idempotency key returns the first event instead of enqueuing. */
  idempotencyWindowMs: number;
  /** A delivery this much earlier than a run's wake time is treated as stale (clock skew below it is tolerated). */
  earlyToleranceMs: number;
  /**
   * How long the routing table the router publishes (its registry of the site's workloads, by event
   * name) stays usable for routing at send: after a deploy that adds or removes a workload, senders
   * may route by the previous deploy's table for at most this long (see docs/how-it-works.md).
   */
  routingTableTtlMs: number;
}

export const DEFAULT_SETTINGS: EngineSettings = {
  completedRetentionMs: ms("7 days"),
  deadLetteredRetentionMs: ms("30 days"),
  outboxGraceMs: ms("60s"),
  leaseMarginMs: ms("30s"),
  idempotencyWindowMs: ms("24h"),
  earlyToleranceMs: ms("2s"),
  routingTableTtlMs: ms("60s"),
};

export const DEFAULT_TIME_BUDGET_MS = ms("8s");
export const DEFAULT_MAX_RETRIES = 4;

/**
 * The retries a workload gets when its config names none: `AWL_MAX_RETRIES` (set by the extension's
 * configuration surface as the site's default) or 4.
 */
export function defaultMaxRetries(env: Record<string, string | undefined> = process.env): number {
  const value = env.AWL_MAX_RETRIES;
  if (value === undefined || value === "") return DEFAULT_MAX_RETRIES;
  if (!/^\d+$/.test(value) || Number(value) > 100) {
    throw new RangeError(`AWL_MAX_RETRIES: "${value}" must be a whole number from 0 to 100`);
  }
  return Number(value);
}
