/**
 * A workload's configuration as the author writes it (an event name, a list, or an object) and
 * the normalised definition the engine and the build step use. Bad configuration fails here, at
 * import time, with a message naming the field, instead of at the first delivery.
 */
import type { BackoffSchedule } from "../engine/backoff.ts";
import { CronError, parseCron, type CronSchedule } from "../engine/cron.ts";
import { toDurationMs, type Duration } from "../engine/durations.ts";
import { eventNameSchema } from "../engine/limits.ts";
import { DEFAULT_TIME_BUDGET_MS, defaultMaxRetries } from "../engine/settings.ts";
import type {
  CancelRule,
  ConcurrencyLimit,
  FilterableEvent,
  DebounceSpec,
  RateLimitSpec,
  ThrottleSpec,
  WorkloadSpec,
} from "../engine/workload-spec.ts";
import { ErrorDoNotRetry } from "../engine/errors.ts";
import type { WorkloadHandler } from "../engine/execute.ts";
import {
  INTERNAL_EVENTS,
  OPERATIONS_WORKLOAD,
  SUBSCRIBABLE_INTERNAL_EVENTS,
  isInternalEvent,
} from "../engine/internal-events.ts";
import type { RunFailedData } from "../engine/run-failed.ts";
import { ConditionError, conditionFunction } from "../engine/event-condition.ts";
import type { EventCatalog } from "../events/define-events.ts";

/** A cron trigger: five fields, in UTC unless a time zone is given (or a `CRON_TZ=<zone> ` prefix). */
export type WorkloadSchedule = string | { cron: string; timezone?: string };

export interface WorkloadOptions<D = unknown> {
  /** The events this workload runs for (names match case-insensitively); optional with a `schedule`. */
  events?: string | string[];
  /**
   * At most `limit` runs executing at once, per value of `key` (a path into the event such as
   * `"data.tenantId"`, or a function of it); a list of limits stacks. Sleeping and waiting runs hold no slot.
   */
  concurrency?: ConcurrencyLimit | ConcurrencyLimit[];
  /** Runs a burst of events with the same key once, with the last, after `period` of quiet (or at `maxWait`). */
  debounce?: { period: Duration; key?: ConcurrencyLimit["key"]; maxWait?: Duration };
  /** Spaces run starts `period / limit` apart (per key value): delayed, never dropped. */
  throttle?: { limit: number; period: Duration; key?: ConcurrencyLimit["key"] };
  /**
   * At most `limit` run starts in any window of `period` (per key value); a run beyond that is not
   * run: it ends `skipped`, with the reason in its history.
   */
  rateLimit?: { limit: number; period: Duration; key?: ConcurrencyLimit["key"] };
  /** Runs the workload on a cron schedule, with a `schedule:<name>` event at each firing. */
  schedule?: WorkloadSchedule;
  /** Runs in the router: return a falsy value (false, undefined, "", 0, null) to skip this workload for an event. */
  eventFilter?: (event: FilterableEvent<D>) => unknown;
  /** Retries after the first attempt; default `AWL_MAX_RETRIES` or 4 (so 5 attempts). */
  maxRetries?: number;
  /** Delay before the retry after the given (1-based) failed attempt; default 5 s × 4^(attempt−1). */
  backoffSchedule?: BackoffSchedule;
  /** The workload's name in run ids and the dashboard; defaults to its function's name. */
  name?: string;
  /** How long one invocation keeps starting new steps before it hands over to a fresh one; default "8s". */
  timeBudget?: Duration;
  /**
   * Events that cancel this workload's active runs: `{ event, match?, if? }`. `match: "data.orderId"`
   * cancels the runs whose triggering event has the same value there; `if({ event, trigger })` decides
   * with both events. A rule with neither cancels every active run of the workload.
   */
  cancelOn?: CancelOnRule<D>[];
  /** How long each attempt of a step may take unless its step.run gives a `timeout`; default none. */
  stepTimeout?: Duration;
  /** Typed events: validate `data` against the catalog's schema before the handler runs. */
  catalog?: EventCatalog;
  /**
   * Runs when a run of this workload is dead-lettered, as a run of its own (`<name>:on-failure`,
   * with this workload's retries and the step API), for the `awl:run-failed` event: `data` holds
   * the run's id, error, failed step, attempt and event. Its own failure starts no other handler.
   */
  onFailure?: WorkloadHandler<RunFailedData>;
}

export interface CancelOnRule<D = unknown> {
  /** The cancelling event's name (matched case-insensitively). */
  event: string;
  /** A dotted path, e.g. "data.orderId", compared between the cancelling and the triggering event. */
  match?: string;
  /**
   * A function of both events, or the same expression as step.waitForEvent's `if`, with `event` the
   * cancelling event and `async` the run's triggering one: `"event.data.userId == async.data.userId"`.
   */
  if?: ((events: { event: FilterableEvent; trigger: FilterableEvent<D> }) => unknown) | string;
}

export type WorkloadConfig<D = unknown> = string | string[] | WorkloadOptions<D>;

/** What the engine executes (engine/workload-spec.ts), with the catalog the author gave. */
export interface WorkloadDefinition extends WorkloadSpec {
  catalog?: EventCatalog;
  /** Read by the router (engine/cancel-on.ts), with names lower-cased. */
  cancelOn?: CancelRule[];
  schedule?: CronSchedule;
  onFailure?: WorkloadHandler;
}

export const WORKLOAD_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

export function defineWorkload<D>(config: WorkloadConfig<D>): WorkloadDefinition {
  const options: WorkloadOptions<D> =
    typeof config === "string" || Array.isArray(config) ? { events: config } : config;
  if (!options || typeof options !== "object")
    throw new TypeError("asyncWorkload config: expected an event name, a list of names, or { events }");
  const events = (Array.isArray(options.events) ? options.events : [options.events]).filter(
    (e) => e !== undefined,
  );
  const schedule = options.schedule === undefined ? undefined : checkSchedule(options.schedule);
  const concurrency = options.concurrency === undefined ? undefined : checkConcurrency(options.concurrency);
  const throttle = options.throttle === undefined ? undefined : checkRate(options.throttle, "throttle");
  const rateLimit = options.rateLimit === undefined ? undefined : checkRate(options.rateLimit, "rateLimit");
  const debounce = options.debounce === undefined ? undefined : checkDebounce(options.debounce);
  if (events.length === 0 && !schedule)
    throw new TypeError("asyncWorkload config.events: subscribe to at least one event (or give a schedule)");
  events.forEach((name, i) => {
    const parsed = eventNameSchema.safeParse(name);
    if (!parsed.success)
      throw new TypeError(
        `asyncWorkload config.events[${i}]: ${JSON.stringify(name)} ${parsed.error.issues[0]?.message}`,
      );
    // The operations are the engine's own workload's (workload/operations.ts); the router gives a
    // site's workloads no other internal event, so subscribing to one would never run.
    const subscribable =
      options.name === OPERATIONS_WORKLOAD ? INTERNAL_EVENTS : SUBSCRIBABLE_INTERNAL_EVENTS;
    if (isInternalEvent(name) && !subscribable.includes(name.toLowerCase()))
      throw new TypeError(
        `asyncWorkload config.events[${i}]: "${name}" is an internal event; of those, a workload may subscribe ` +
          `only to ${SUBSCRIBABLE_INTERNAL_EVENTS.join(", ")}`,
      );
  });
  if (options.onFailure !== undefined && typeof options.onFailure !== "function") {
    throw new TypeError("asyncWorkload config.onFailure: must be a function ({ data, step }) => ...");
  }
  const maxRetries = options.maxRetries ?? defaultMaxRetries();
  if (!Number.isInteger(maxRetries) || maxRetries < 0 || maxRetries > 100) {
    throw new RangeError(
      `asyncWorkload config.maxRetries: ${maxRetries} must be a whole number from 0 to 100`,
    );
  }
  if (options.backoffSchedule !== undefined && typeof options.backoffSchedule !== "function") {
    throw new TypeError(
      "asyncWorkload config.backoffSchedule: must be a function (attempt) => ms or a duration string",
    );
  }
  if (options.eventFilter !== undefined && typeof options.eventFilter !== "function") {
    throw new TypeError(
      "asyncWorkload config.eventFilter: must be a function (event) => a truthy value to match",
    );
  }
  if (options.name !== undefined && !WORKLOAD_NAME_PATTERN.test(options.name)) {
    throw new TypeError(
      `asyncWorkload config.name: ${JSON.stringify(options.name)} may contain only letters, digits, _ and - (at most 64)`,
    );
  }
  const timeBudgetMs =
    options.timeBudget === undefined
      ? DEFAULT_TIME_BUDGET_MS
      : toDurationMs(options.timeBudget, "asyncWorkload config.timeBudget");
  const stepTimeoutMs =
    options.stepTimeout === undefined
      ? undefined
      : toDurationMs(options.stepTimeout, "asyncWorkload config.stepTimeout");
  if (stepTimeoutMs === 0) throw new RangeError("asyncWorkload config.stepTimeout: must be more than 0");
  const cancelOn = options.cancelOn === undefined ? undefined : cancelRules(options.cancelOn);
  return {
    events: [...new Set(events.map((name) => name.toLowerCase()))],
    ...(options.eventFilter
      ? { eventFilter: options.eventFilter as (event: FilterableEvent) => unknown }
      : {}),
    maxRetries,
    ...(options.backoffSchedule ? { backoffSchedule: options.backoffSchedule } : {}),
    ...(options.name ? { name: options.name } : {}),
    timeBudgetMs,
    ...(stepTimeoutMs !== undefined ? { stepTimeoutMs } : {}),
    ...(cancelOn ? { cancelOn } : {}),
    ...(options.catalog ? { catalog: options.catalog } : {}),
    ...(schedule ? { schedule } : {}),
    ...(concurrency?.length ? { concurrency } : {}),
    ...(throttle ? { throttle } : {}),
    ...(rateLimit ? { rateLimit } : {}),
    ...(debounce ? { debounce } : {}),
    ...(options.onFailure ? { onFailure: options.onFailure as WorkloadHandler } : {}),
  };
}

/**
 * What runs a workload's onFailure runs (`<name>:on-failure`): its handler, with the workload's
 * retries, backoff, time budget and step timeout, but none of its flow control (concurrency,
 * throttle, debounce) or catalog, which are about its own events. A workload that lost its handler
 * since the run was routed dead-letters the run, saying so.
 */
export function failureHandlerOf(definition: WorkloadDefinition): {
  definition: WorkloadDefinition;
  handler: WorkloadHandler;
} {
  const { maxRetries, backoffSchedule, name, timeBudgetMs, stepTimeoutMs } = definition;
  return {
    definition: {
      events: [],
      maxRetries,
      timeBudgetMs,
      ...(backoffSchedule ? { backoffSchedule } : {}),
      ...(name ? { name } : {}),
      ...(stepTimeoutMs !== undefined ? { stepTimeoutMs } : {}),
    },
    handler:
      definition.onFailure ??
      (() => {
        throw new ErrorDoNotRetry("this workload has no onFailure handler (any more)");
      }),
  };
}

function cancelRules<D>(rules: CancelOnRule<D>[]): CancelRule[] {
  if (!Array.isArray(rules)) {
    throw new TypeError("asyncWorkload config.cancelOn: must be a list of { event, match?, if? }");
  }
  return rules.map((rule, i) => {
    const field = `asyncWorkload config.cancelOn[${i}]`;
    if (typeof rule !== "object" || rule === null)
      throw new TypeError(`${field}: must be { event, match?, if? }`);
    const name = eventNameSchema.safeParse(rule.event);
    if (!name.success) {
      throw new TypeError(`${field}.event: ${JSON.stringify(rule.event)} ${name.error.issues[0]?.message}`);
    }
    if (isInternalEvent(rule.event.toLowerCase())) {
      throw new TypeError(`${field}.event: "${rule.event}" is an internal event name`);
    }
    if (
      rule.match !== undefined &&
      (typeof rule.match !== "string" || !/^[\w$-]+(\.[\w$-]+)*$/.test(rule.match))
    ) {
      throw new TypeError(`${field}.match: must be a dotted path such as "data.orderId"`);
    }
    if (rule.if !== undefined && typeof rule.if !== "function" && typeof rule.if !== "string") {
      throw new TypeError(
        `${field}.if: must be a function ({ event, trigger }) => a truthy value to cancel, or an expression`,
      );
    }
    return {
      event: rule.event.toLowerCase(),
      ...(rule.match !== undefined ? { match: rule.match } : {}),
      ...(rule.if
        ? {
            if: typeof rule.if === "string" ? cancelCondition(field, rule.if) : (rule.if as CancelRule["if"]),
          }
        : {}),
    };
  });
}
/** A cancelOn rule's `if` expression as the function the router calls; a bad one fails here, naming the problem. */
function cancelCondition(field: string, source: string): NonNullable<CancelRule["if"]> {
  try {
    return conditionFunction(source);
  } catch (error) {
    if (!(error instanceof ConditionError)) throw error;
    throw new TypeError(`${field}.if: ${error.message}, in ${JSON.stringify(source)}`, { cause: error });
  }
}

function checkDebounce(given: NonNullable<WorkloadOptions["debounce"]>): DebounceSpec {
  const where = "asyncWorkload config.debounce";
  if (!given || typeof given !== "object")
    throw new TypeError(`${where}: expected { period, key?, maxWait? }`);
  const periodMs = toDurationMs(given.period, `${where}.period`);
  if (periodMs <= 0) throw new RangeError(`${where}.period: must be longer than 0`);
  const maxWaitMs = given.maxWait === undefined ? undefined : toDurationMs(given.maxWait, `${where}.maxWait`);
  if (maxWaitMs !== undefined && maxWaitMs < periodMs) {
    throw new RangeError(`${where}.maxWait: must be at least the period`);
  }
  const { key } = given;
  if (key !== undefined && typeof key !== "function" && (typeof key !== "string" || key.trim() === "")) {
    throw new TypeError(`${where}.key: must be a path into the event such as "data.tenantId", or a function`);
  }
  return {
    periodMs,
    ...(maxWaitMs !== undefined ? { maxWaitMs } : {}),
    ...(key !== undefined ? { key } : {}),
  };
}

/** A throttle or a rate limit: the same shape, `{ limit, period, key? }`. */
function checkRate(
  given: NonNullable<WorkloadOptions["throttle"]>,
  option: "throttle" | "rateLimit",
): ThrottleSpec & RateLimitSpec {
  const where = `asyncWorkload config.${option}`;
  if (!given || typeof given !== "object") throw new TypeError(`${where}: expected { limit, period, key? }`);
  if (!Number.isInteger(given.limit) || given.limit < 1) {
    throw new RangeError(`${where}.limit: ${String(given.limit)} must be a whole number of at least 1`);
  }
  const periodMs = toDurationMs(given.period, `${where}.period`);
  if (periodMs <= 0) throw new RangeError(`${where}.period: must be longer than 0`);
  const { key } = given;
  if (key !== undefined && typeof key !== "function" && (typeof key !== "string" || key.trim() === "")) {
    throw new TypeError(`${where}.key: must be a path into the event such as "data.tenantId", or a function`);
  }
  return { limit: given.limit, periodMs, ...(key !== undefined ? { key } : {}) };
}

function checkConcurrency(given: ConcurrencyLimit | ConcurrencyLimit[]): ConcurrencyLimit[] {
  const limits = Array.isArray(given) ? given : [given];
  return limits.map((limit, i) => {
    const where = Array.isArray(given)
      ? `asyncWorkload config.concurrency[${i}]`
      : "asyncWorkload config.concurrency";
    if (!limit || typeof limit !== "object") throw new TypeError(`${where}: expected { limit, key? }`);
    if (!Number.isInteger(limit.limit) || limit.limit < 1) {
      throw new RangeError(`${where}.limit: ${String(limit.limit)} must be a whole number of at least 1`);
    }
    const { key } = limit;
    if (key !== undefined && typeof key !== "function" && (typeof key !== "string" || key.trim() === "")) {
      throw new TypeError(
        `${where}.key: must be a path into the event such as "data.tenantId", or a function`,
      );
    }
    return { limit: limit.limit, ...(key !== undefined ? { key } : {}) };
  });
}

function checkSchedule(schedule: WorkloadSchedule): CronSchedule {
  const given = typeof schedule === "string" ? { cron: schedule } : schedule;
  if (!given || typeof given !== "object" || typeof given.cron !== "string") {
    throw new TypeError("asyncWorkload config.schedule: expected a cron expression or { cron, timezone }");
  }
  try {
    return parseCron(given.cron, given.timezone);
  } catch (error) {
    throw new TypeError(`asyncWorkload config.schedule: ${(error as CronError).message}`, { cause: error });
  }
}
