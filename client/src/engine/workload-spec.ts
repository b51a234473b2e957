/**
 * What the engine executes and routes: a workload's normalised definition as the engine reads it
 * (workload/definition.ts builds it from what the author writes), the event an eventFilter sees, and
 * the one thing the engine asks of a catalog of typed events (events/define-events.ts makes those).
 */
import type { BackoffSchedule } from "./backoff.ts";
import type { CronSchedule } from "./cron.ts";
import type { Issue } from "./validation-error.ts";

export interface FilterableEvent<D = unknown> {
  eventId: string;
  name: string;
  data: D;
  priority: number;
}

/** A workload as routing sees it: an entry of the router's registry (published as its routing table). */
export interface RegisteredWorkload {
  name: string;
  /** Lower-cased event names. */
  events: string[];
  eventFilter?: (event: FilterableEvent) => unknown;
  maxRetries: number;
  /** A cron trigger: its firings are `schedule:<name>` events, which only this workload receives. */
  schedule?: CronSchedule;
  /** Where the workload's function is served: absolute, or a path resolved against the router's URL. */
  url: string;
  /** Events that cancel this workload's active runs (applied by the router: cancel-on.ts). */
  cancelOn?: readonly CancelRule[];
  /**
   * The workload's definition as it runs (flow control, step timeout), only for the manifest the
   * router publishes (workload-manifest.ts); routing reads the fields above.
   */
  spec?: WorkloadSpec;
  /** It has an onFailure handler: the router routes its runs' awl:run-failed events to it (router.ts). */
  onFailure?: boolean;
}

/** One of a workload's cancelOn rules, as the router applies it (cancel-on.ts). */
export interface CancelRule {
  /** The cancelling event's name (lower-cased). */
  event: string;
  /** A path such as "data.orderId": cancel runs whose event has the same value there. */
  match?: string;
  /** Evaluated with both events; a truthy result cancels. A throw counts as false and is logged. */
  if?: (events: { event: FilterableEvent; trigger: FilterableEvent }) => unknown;
}

/** Validates an event's data by its name; names it has no schema for are accepted as they are. */
export interface EventValidator {
  validate(name: string, data: unknown, path?: (string | number)[]): { data: unknown } | { issues: Issue[] };
}

/** One concurrency limit (engine/concurrency.ts). */
export interface ConcurrencyLimit {
  /** Runs of this workload executing at once (per key value), at least 1. */
  limit: number;
  /** A path into the event (`"data.tenantId"`), or a function of it; none: one limit for all runs. */
  key?: string | ((event: FilterableEvent) => unknown);
}

/** A throttle, normalised (engine/throttle.ts). */
export interface ThrottleSpec {
  /** Run starts per period, at least 1. */
  limit: number;
  periodMs: number;
  key?: ConcurrencyLimit["key"];
}

/** A rate limit, normalised (engine/rate-limit.ts): starts beyond it are skipped, not delayed. */
export interface RateLimitSpec {
  /** Run starts per period, at least 1. */
  limit: number;
  periodMs: number;
  key?: ConcurrencyLimit["key"];
}

/** A debounce, normalised (engine/debounce.ts). */
export interface DebounceSpec {
  periodMs: number;
  maxWaitMs?: number;
  key?: ConcurrencyLimit["key"];
}

export interface WorkloadSpec {
  /** Runs a burst of events with the same key once, with the last, after `periodMs` of quiet. */
  debounce?: DebounceSpec;
  /** Spaces the starts of runs: at most `limit` per period (per key value). */
  throttle?: ThrottleSpec;
  /** Skips the starts of runs beyond `limit` in any period (per key value). */
  rateLimit?: RateLimitSpec;
  /** Concurrency limits, which stack (engine/concurrency.ts). */
  concurrency?: ConcurrencyLimit[];
  /** Lower-cased event names. */
  events: string[];
  eventFilter?: (event: FilterableEvent) => unknown;
  maxRetries: number;
  backoffSchedule?: BackoffSchedule;
  name?: string;
  timeBudgetMs: number;
  /** The default timeout of each step.run attempt (ms); none when absent. */
  stepTimeoutMs?: number;
  catalog?: EventValidator;
}

/**
 * Whether an eventFilter's verdict matches: JavaScript truthiness, as documented ("return false to
 * skip"), so `(e) => e.data.userId` works. A Promise is truthy but is not a verdict: filters run
 * synchronously in the router, so an async filter is an error (reported like a filter that threw)
 * rather than a match for every event.
 */
export function filterAccepts(filter: (event: FilterableEvent) => unknown, event: FilterableEvent): boolean {
  const verdict = filter(event);
  if (typeof (verdict as { then?: unknown } | null)?.then === "function") {
    throw new TypeError("eventFilter returned a Promise; filters must return their verdict synchronously");
  }
  return Boolean(verdict);
}
