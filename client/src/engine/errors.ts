/**
 * The errors a workload throws to steer its retries, and the engine's own error for a misused
 * step id. Anything else a workload throws is retried on the backoff schedule.
 */
import { toDelayMs, type Delay } from "./durations.ts";

/** Retry no earlier than the given delay or time; with `force`, at exactly that time. */
export class RetryAfterError extends Error {
  readonly retryAt: Delay;
  readonly force: boolean;

  constructor(message: string, retryAfter: Delay, options: { force?: boolean } = {}) {
    super(message);
    this.name = "RetryAfterError";
    toDelayMs(retryAfter, "retryAfter"); // refuse a bad delay where it is thrown, not later
    this.retryAt = retryAfter;
    this.force = options.force ?? false;
  }
}

/** Do not retry: the run goes straight to the dead letters, where it can be retried by hand. */
export class ErrorDoNotRetry extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "ErrorDoNotRetry";
  }
}

/**
 * Whether a failure can only repeat on retry, so the run goes straight to the dead letters: every
 * ErrorDoNotRetry, including the engine's own (a duplicate step id, a result that cannot be stored,
 * input a send refused). Never throws, whatever was thrown.
 */
export function isNonRetryable(error: unknown): boolean {
  try {
    return error instanceof ErrorDoNotRetry;
  } catch {
    return false;
  }
}

/** A step id used twice in one run: a bug in the workload that no retry can fix. */
export class DuplicateStepIdError extends ErrorDoNotRetry {
  constructor(readonly stepId: string) {
    super(`step id "${stepId}" is used twice in one run; every step.run/sleep/sendEvent needs its own id`);
    this.name = "DuplicateStepIdError";
  }
}

/** A step whose result cannot be stored: retrying would only repeat its side effects. */
export class StepResultError extends ErrorDoNotRetry {
  constructor(stepId: string, problem: string) {
    super(`step "${stepId}" returned ${problem}`);
    this.name = "StepResultError";
  }
}

/**
 * A step that took longer than its timeout: that attempt fails (and is retried like any failure)
 * as soon as the time is up, not when the invocation's lease expires.
 */
export class StepTimeoutError extends Error {
  constructor(
    readonly stepId: string,
    readonly timeoutMs: number,
  ) {
    super(`step "${stepId}" timed out after ${timeoutMs} ms`);
    this.name = "StepTimeoutError";
  }
}

/** A step called with an id or a duration that is not one: the same call fails the same way every time. */
export class InvalidStepError extends ErrorDoNotRetry {
  constructor(message: string) {
    super(message);
    this.name = "InvalidStepError";
  }
}

/**
 * A run whose step ids differ between invocations (built from the time or a random value, or the
 * workload changed while the run was in flight): its journal cannot be replayed, and the steps would
 * run again under new ids on every invocation, so no retry can help.
 */
export class NonDeterminismError extends ErrorDoNotRetry {
  constructor(
    readonly unreached: readonly string[],
    readonly fresh: readonly string[],
  ) {
    super(
      `step ids differ between invocations of this run: never reached: ${quoted(unreached)}; ` +
        `new this time: ${quoted(fresh)}. A step's id must be the same on every invocation ` +
        "(not built from Date.now(), random values or anything else that changes)",
    );
    this.name = "NonDeterminismError";
  }
}

function quoted(ids: readonly string[], shown = 10): string {
  const list = ids
    .slice(0, shown)
    .map((id) => JSON.stringify(id))
    .join(", ");
  return ids.length > shown ? `${list} and ${ids.length - shown} more` : list;
}
