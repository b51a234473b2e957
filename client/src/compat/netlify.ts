/* eslint-disable @typescript-eslint/no-explicit-any -- Netlify's own types default to `any` (eventData, the event generic); a drop-in has to as well */
/**
 * `@awl/client/netlify`: the public API of `@netlify/async-workloads` (0.0.97), its names, generics
 * and options, on this engine, so that a site leaves Netlify's package by changing one import:
 *
 *   import { asyncWorkloadFn, ErrorRetryAfterDelay, ErrorDoNotRetry, type AsyncWorkloadConfig } from "@awl/client/netlify";
 *   export default asyncWorkloadFn(async (event) => { ... event.eventData ... event.step.run(...) });
 *   export const asyncWorkloadConfig: AsyncWorkloadConfig = { events: ["checkout"], maxRetries: 3 };
 *
 * In that style the handler and its configuration are two exports of one module, and
 * `asyncWorkloadFn` runs before `asyncWorkloadConfig` exists. So `asyncWorkloadFn` returns a
 * function that carries the handler and waits for its configuration: the build step combines the
 * two exports with `workloadFromModule(module)` (which also accepts a module whose default export
 * is an `asyncWorkload`), and serves the result. Called without its configuration, the function
 * answers 500 saying so, rather than guessing which events it subscribes to.
 *
 * What this entry adapts, so that values mean what they mean on Netlify (docs/workloads.md,
 * "Switching from Netlify's Async Workloads"):
 * - `event.attempt` counts from 0; `backoffSchedule(attempt)` receives the attempt that failed
 *   counting from 1; without one, Netlify's default schedule (5 s, 5 s, 20 s, 40 s, 60 s, ...).
 * - A number in `step.sleep`, `retryDelay`, `backoffSchedule`'s result or `delayUntil` is a point in
 *   time (epoch ms) when it is later than a day ago, and a duration in ms otherwise.
 * - An `eventFilter` that throws lets the workload run (no event is lost), as on Netlify.
 * - `send` resolves to `{ sendStatus: "failed" }` when the site cannot take the event; it throws
 *   only for input no send could accept (`InvalidInputError`), as Netlify throws for a bad
 *   `delayUntil` or `priority`.
 * - `baseUrl` may be any URL of the site: its origin is used.
 * - Sleeps keep their own ids (`awl:sleep:<reasonId>` in the journal, Netlify's layout).
 * Netlify's HTTP endpoints are `netlify-http.ts`; the rest of the mapping is docs/netlify-compat.md.
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import {
  AsyncWorkloadsClient as EngineClient,
  type AsyncWorkloadsClientOptions,
} from "../client/async-workloads-client.ts";
import { MAX_BACKOFF_MS } from "../engine/backoff.ts";
import { toDurationMs } from "../engine/durations.ts";
import { ErrorDoNotRetry as EngineErrorDoNotRetry, RetryAfterError } from "../engine/errors.ts";
import type { WorkloadContext } from "../engine/execute.ts";
import { DELETE_EVENTS, RETRY_FAILED_EVENTS } from "../engine/internal-events.ts";
import type { SendOptions, SendResult } from "../engine/send.ts";
import type { StepApi } from "../engine/step.ts";
import { InvalidInputError } from "../engine/validation-error.ts";
import { jsonResponse } from "../transport/inbound.ts";
import { asyncWorkload, isAsyncWorkload, type AsyncWorkloadFunction } from "../workload/async-workload.ts";
import { WORKLOAD_NAME_PATTERN, type WorkloadOptions } from "../workload/definition.ts";

// ---------------------------------------------------------------------------------------------
// Types: Netlify's public surface, name for name.

/** The shape of one kind of event, for the generics: `{ eventName: "order-created"; eventData: Order }`. */
export type CustomAsyncWorkloadEvent = {
  eventName: string;
  eventData?: any;
};

/** `event.step`: steps run once per event; sleeps park the run. */
export interface AsyncWorkloadStep {
  /** Runs `cb` once for this event; on a later attempt returns its stored (JSON) result. */
  run: <ST>(stepId: string, cb: () => Promise<ST> | ST) => Promise<ST>;
  /** Parks the run: `sleepMs` is a duration (ms or e.g. "1h"), or a time (epoch ms later than a day ago). */
  sleep: (reasonId: string, sleepMs: number | string) => Promise<void>;
}

/** What a workload's handler receives. `T` describes the event (name and data); `eventData` is `any` without it. */
export interface AsyncWorkloadEvent<T extends CustomAsyncWorkloadEvent = any> {
  eventName: T["eventName"];
  eventData: T["eventData"];
  eventId: string;
  /** The request that delivered this attempt (its body already read). */
  request: Request;
  /** 0 on the first attempt, 1 on the first retry, ... */
  attempt: number;
  step: AsyncWorkloadStep;
  /** Sends an event now (every time this code runs). */
  sendEvent: (eventName: string, options?: SendEventOptions) => Promise<SendEventResult>;
  /** This engine's run id (`<eventId>.<workload>`). Always set; optional so Netlify-typed fakes compile. */
  runId?: string;
  /** The event's priority, -50 to 50. Always set; optional so Netlify-typed fakes compile. */
  priority?: number;
  /** When the event was accepted (ms since epoch). Always set; optional so Netlify-typed fakes compile. */
  createdAt?: number;
}

// eslint-disable-next-line @typescript-eslint/no-invalid-void-type -- Netlify's own type, so handlers that return nothing fit
export type AsyncWorkloadHandlerFnResult = Promise<undefined | void> | undefined | void;
export type AsyncWorkloadHandlerFn<T extends CustomAsyncWorkloadEvent = any> = (
  event: AsyncWorkloadEvent<T>,
) => AsyncWorkloadHandlerFnResult;

/** What an `eventFilter` sees. */
export type AsyncWorkloadFilterEvent<T extends CustomAsyncWorkloadEvent = any> = Pick<
  AsyncWorkloadEvent<T>,
  "eventData" | "eventName" | "eventId" | "request"
>;

/**
 * This engine's options beyond Netlify's, taken as they are (docs/workloads.md): flow control,
 * cron triggers, cancellation rules and step timeouts. Their key functions, filters and `if`s see
 * this engine's event shape (`{ eventId, name, data, priority }`), not Netlify's.
 */
const ENGINE_OPTIONS = [
  "concurrency",
  "throttle",
  "debounce",
  "rateLimit",
  "schedule",
  "cancelOn",
  "stepTimeout",
] as const satisfies readonly (keyof WorkloadOptions)[];
export type AsyncWorkloadEngineOptions<T extends CustomAsyncWorkloadEvent = any> = Pick<
  WorkloadOptions<T["eventData"]>,
  (typeof ENGINE_OPTIONS)[number]
>;

export interface AsyncWorkloadConfig<
  T extends CustomAsyncWorkloadEvent = any,
> extends AsyncWorkloadEngineOptions<T> {
  /** The workload's name in run ids and the dashboard; defaults to the function's name. */
  name?: string;
  /** The events this workload runs for (names match case-insensitively). */
  events: T["eventName"][];
  /** "disabled": the workload runs for no event. */
  status?: "disabled";
  /** Retries after the first attempt; default 4. */
  maxRetries?: number;
  /** Which events the workload runs for; one that throws lets the workload run. */
  eventFilter?: (event: AsyncWorkloadFilterEvent<T>) => boolean;
  /** The delay before the retry after the given failed attempt (1, 2, ...): ms, or e.g. "5m". */
  backoffSchedule?: (attempt: number) => number | string;
}

export interface ClientConstructorOptions {
  /** Any URL of the site that runs the workloads (its origin is used); omit inside that site. */
  baseUrl?: string;
  /** The events API key; omit inside the site (or set AWL_API_KEY). */
  apiKey?: string;
}

export interface SendEventOptions<T extends CustomAsyncWorkloadEvent = any> {
  data?: T["eventData"];
  /** A time (epoch ms later than a day ago), a duration in ms, or a duration such as "10m". */
  delayUntil?: number | string;
  /** -50 (lowest) to 50 (highest); default 0. */
  priority?: number;
}

export interface SendEventResult {
  /** "failed": the site could not be reached or did not take the event; nothing was enqueued. */
  sendStatus: "succeeded" | "failed";
  eventId: string;
}

/** The states an `awl:delete-events` event selects. */
export type AsyncWorkloadEventState = "processing" | "pending" | "delayed" | "hibernating" | "dead-lettered";

export interface AWLDeleteEventsData {
  eventIds?: string[];
  states?: AsyncWorkloadEventState[];
}

export interface AWLRetryFailedEventsData {
  eventIds?: string[];
  eventNames?: string[];
}

/** The internal events a site sends to manage its events, with their data (names: engine/internal-events.ts). */
export interface InternalEvents {
  [DELETE_EVENTS]: AWLDeleteEventsData;
  [RETRY_FAILED_EVENTS]: AWLRetryFailedEventsData;
}

// ---------------------------------------------------------------------------------------------
// Numbers as Netlify reads them.

const DAY_MS = 24 * 60 * 60 * 1000;
const HOUR_MS = 60 * 60 * 1000;

/** A number later than a day ago is a point in time (epoch ms); anything else is a duration. */
function isEpochMs(value: unknown, now: number): value is number {
  return typeof value === "number" && value > now - DAY_MS;
}

/** A duration in ms from now: epoch ms become the time left (negative once past); strings are parsed. */
function relativeMs(value: number | string | Date, field: string, now = Date.now()): number {
  if (value instanceof Date) return value.getTime() - now;
  if (isEpochMs(value, now)) return value - now;
  if (typeof value === "number") return value;
  return toDurationMs(value, field);
}

/**
 * Netlify's default retry schedule, by the failed attempt counting from 1: the first two retries
 * 5 s after the failure, then 20 s more each time (20 s, 40 s, 60 s, ...), at most a week.
 */
export function netlifyDefaultBackoff(attempt: number): number {
  return Math.min(attempt <= 2 ? 5_000 : (attempt - 2) * 20_000, MAX_BACKOFF_MS);
}

/** The engine's schedule for a Netlify config: its `backoffSchedule` read as Netlify reads it, or Netlify's default. */
function backoffFor(schedule: AsyncWorkloadConfig["backoffSchedule"]): (attempt: number) => number {
  if (!schedule) return netlifyDefaultBackoff;
  return (attempt) => {
    try {
      const delay = relativeMs(schedule(attempt), "backoffSchedule");
      if (Number.isFinite(delay) && delay >= 0) return Math.min(delay, MAX_BACKOFF_MS);
      console.error(`backoffSchedule(${attempt}) gave no duration; using the default schedule`);
    } catch (error) {
      console.error(`backoffSchedule(${attempt}) threw; using the default schedule:`, error);
    }
    return netlifyDefaultBackoff(attempt);
  };
}

/** Netlify's `delayUntil` as this engine's: epoch ms, or a duration string (the engine reads those the same way). */
function delayUntilOf(value: number | string | undefined, now = Date.now()): number | string | undefined {
  if (!value) return undefined; // 0 and "" mean "now", as on Netlify
  if (typeof value === "string") return value;
  const time = isEpochMs(value, now) ? value : now + value;
  // Netlify sends a time less than an hour past at once; earlier ones are refused (by the engine here).
  return time <= now && time >= now - HOUR_MS ? undefined : time;
}

// ---------------------------------------------------------------------------------------------
// Errors.

/** Do not retry: the event goes straight to the dead letters. The engine's class, constructible without arguments. */
export type ErrorDoNotRetry = EngineErrorDoNotRetry;
export const ErrorDoNotRetry: {
  new (...args: any[]): EngineErrorDoNotRetry;
  readonly prototype: EngineErrorDoNotRetry;
} = EngineErrorDoNotRetry;

export interface ErrorRetryAfterDelayConstructorArg {
  message: string;
  /** A duration (ms or e.g. "5m"), or a time (epoch ms later than a day ago, or a Date). */
  retryDelay: number | string | Date;
  /** Retry exactly then, even before the backoff schedule would. */
  forceDelayTime?: boolean;
  /** The error behind this one (kept as `cause`). */
  error?: Error;
}

/**
 * Retry no earlier than `retryDelay` (and no earlier than the backoff schedule, unless
 * `forceDelayTime`). A delay of 0 or less (a time already past) leaves the retry to the schedule.
 */
export class ErrorRetryAfterDelay extends RetryAfterError {
  /** The delay in ms from when the error was created. */
  retryDelay: number;
  forceDelayTime: boolean;

  constructor(opts: ErrorRetryAfterDelayConstructorArg) {
    const retryDelay = relativeMs(opts.retryDelay, "ErrorRetryAfterDelay retryDelay");
    const forceDelayTime = opts.forceDelayTime === true;
    // As on Netlify, a delay that is not positive (0, past, NaN) leaves the retry to the schedule.
    const usable = Number.isFinite(retryDelay) && retryDelay > 0;
    super(opts.message, usable ? retryDelay : 0, { force: forceDelayTime && usable });
    this.name = "ErrorRetryAfterDelay";
    this.retryDelay = retryDelay;
    this.forceDelayTime = forceDelayTime;
    if (opts.error !== undefined) this.cause = opts.error;
  }
}

// ---------------------------------------------------------------------------------------------
// Sending.

async function sendAsNetlify(
  send: (name: string, data: unknown, options: SendOptions) => Promise<SendResult>,
  eventName: string,
  options: SendEventOptions = {},
): Promise<SendEventResult> {
  const { data, delayUntil, priority } = options;
  const when = delayUntilOf(delayUntil);
  const sendOptions: SendOptions = {
    ...(when !== undefined ? { delayUntil: when } : {}),
    ...(priority !== undefined ? { priority } : {}),
  };
  try {
    const result = await send(eventName, data, sendOptions);
    return { sendStatus: "succeeded", eventId: result.eventId };
  } catch (error) {
    if (error instanceof InvalidInputError) throw error;
    console.error(`AsyncWorkloadsClient#send() failed for event: ${eventName}`, error);
    return { sendStatus: "failed", eventId: randomUUID() };
  }
}

export class AsyncWorkloadsClient<T extends CustomAsyncWorkloadEvent = any> {
  /** The site's origin ("" inside a site that enqueues directly). */
  baseUrl: string;
  readonly #client: EngineClient;

  constructor(options?: ClientConstructorOptions) {
    this.baseUrl = options?.baseUrl ? new URL(options.baseUrl).origin : "";
    const engineOptions: AsyncWorkloadsClientOptions = {
      ...(this.baseUrl ? { siteUrl: this.baseUrl } : {}),
      ...(options?.apiKey ? { apiKey: options.apiKey } : {}),
    };
    this.#client = new EngineClient(engineOptions);
  }

  /** `{ sendStatus: "succeeded", eventId }`, or `"failed"` when the site could not take the event. */
  send(eventName: T["eventName"], options?: SendEventOptions<T>): Promise<SendEventResult> {
    return sendAsNetlify(
      (name, data, sendOptions) => this.#client.send(name, data, sendOptions),
      eventName as string,
      options,
    );
  }
}

// ---------------------------------------------------------------------------------------------
// Workloads.

/**
 * The default export of a Netlify-style workload, until the build step applies its config. Its type
 * does not depend on the event type, as on Netlify (so `ReturnType<typeof asyncWorkloadFn>` holds any).
 */
export interface NetlifyWorkloadFunction {
  (request: Request, context?: unknown): Promise<Response>;
  readonly awlNetlify: { handler: AsyncWorkloadHandlerFn };
}

export function asyncWorkloadFn<T extends CustomAsyncWorkloadEvent = any>(
  fn: AsyncWorkloadHandlerFn<T>,
): NetlifyWorkloadFunction {
  const unconfigured = async () =>
    jsonResponse(500, {
      error:
        "this workload was deployed without its asyncWorkloadConfig: the build step must serve " +
        "workloadFromModule(module) from @awl/client/netlify, not the default export alone",
    });
  return Object.assign(unconfigured, { awlNetlify: { handler: fn } });
}

export function isNetlifyWorkload(value: unknown): value is NetlifyWorkloadFunction {
  return typeof value === "function" && "awlNetlify" in value;
}

/** The request delivering the current attempt, for `event.request`. */
const deliveries = new AsyncLocalStorage<Request>();

function siteRequest(path: string): Request {
  const origin = process.env.URL || process.env.AWL_SITE_URL || "http://localhost";
  return new Request(new URL(path, origin), { method: "POST" });
}

/** Combines a Netlify-style handler with its config into a workload this engine serves. */
export function withAsyncWorkloadConfig<T extends CustomAsyncWorkloadEvent>(
  fn: NetlifyWorkloadFunction,
  config: AsyncWorkloadConfig<T>,
): AsyncWorkloadFunction {
  const { handler } = fn.awlNetlify;
  const { eventFilter } = config;
  const disabled = config.status === "disabled";
  const workload = asyncWorkload<unknown>((context) => handler(toNetlifyEvent(context)), {
    events: config.events as string[],
    ...maxRetriesOf(config.maxRetries),
    ...nameOf(config.name),
    ...(disabled
      ? { eventFilter: () => false }
      : eventFilter
        ? { eventFilter: (event) => netlifyFilter(eventFilter, event) }
        : {}),
    backoffSchedule: backoffFor(config.backoffSchedule),
    ...engineOptionsOf(config),
  });
  const served = (request: Request, context?: unknown) =>
    deliveries.run(request, () => workload(request, context));
  return Object.assign(served, { awlWorkload: workload.awlWorkload });
}

/** The engine's own options a Netlify-style config gives, passed through as they are. */
function engineOptionsOf(config: AsyncWorkloadConfig): WorkloadOptions {
  const given = ENGINE_OPTIONS.filter((option) => config[option] !== undefined);
  return Object.fromEntries(given.map((option) => [option, config[option]])) as WorkloadOptions;
}

/** The most retries this engine runs (workload/definition.ts). */
const MAX_RETRIES = 100;

/**
 * `maxRetries` as Netlify reads it: a negative or non-numeric value is ignored (the default applies),
 * a fraction counts up (2.5 retries are 3); beyond this engine's 100 it is capped, with a warning.
 */
function maxRetriesOf(value: unknown): { maxRetries?: number } {
  if (typeof value !== "number" || Number.isNaN(value) || value < 0) return {};
  const retries = Math.ceil(value);
  if (retries <= MAX_RETRIES) return { maxRetries: retries };
  console.warn(`asyncWorkloadConfig.maxRetries: ${value} is more than ${MAX_RETRIES}; using ${MAX_RETRIES}`);
  return { maxRetries: MAX_RETRIES };
}

/**
 * Netlify takes any string as a workload's name; this engine uses it in run ids, so one it cannot
 * use ("Send welcome email") becomes the nearest it can ("Send-welcome-email"), the same every time.
 */
function nameOf(value: unknown): { name?: string } {
  if (typeof value !== "string") return {};
  if (WORKLOAD_NAME_PATTERN.test(value)) return { name: value };
  const slug = value
    .replace(/[^A-Za-z0-9_-]+/g, "-")
    .replace(/^[^A-Za-z0-9]+|-+$/g, "")
    .slice(0, 64);
  return WORKLOAD_NAME_PATTERN.test(slug) ? { name: slug } : {};
}

function netlifyFilter(
  filter: (event: AsyncWorkloadFilterEvent) => boolean,
  event: { eventId: string; name: string; data: unknown; priority: number },
): boolean {
  try {
    // Truthiness, as on Netlify (a Promise counts as a match).
    return Boolean(
      filter({
        eventName: event.name,
        eventData: event.data,
        eventId: event.eventId,
        get request() {
          return siteRequest(
            `/.netlify/functions/async-workloads-router?events=${encodeURIComponent(JSON.stringify([event.name]))}`,
          );
        },
        ...{ priority: event.priority },
      }),
    );
  } catch (error) {
    console.error(
      `eventFilter threw for event ${event.eventId} (${event.name}); running the workload so that no event is lost:`,
      error,
    );
    return true;
  }
}

/**
 * The workload a function module defines, for the build step: its default export when that is an
 * `asyncWorkload`, or a Netlify-style `asyncWorkloadFn` combined with the module's
 * `asyncWorkloadConfig`; `undefined` when the module is not a workload.
 */
export function workloadFromModule(module: {
  default: AsyncWorkloadFunction | NetlifyWorkloadFunction;
  asyncWorkloadConfig?: unknown;
}): AsyncWorkloadFunction;
export function workloadFromModule(module: {
  default?: unknown;
  asyncWorkloadConfig?: unknown;
}): AsyncWorkloadFunction | undefined;
export function workloadFromModule(module: {
  default?: unknown;
  asyncWorkloadConfig?: unknown;
}): AsyncWorkloadFunction | undefined {
  if (isAsyncWorkload(module.default)) return module.default;
  if (!isNetlifyWorkload(module.default)) return undefined;
  const config = module.asyncWorkloadConfig;
  if (typeof config !== "object" || config === null || !("events" in config)) {
    throw new TypeError(
      "asyncWorkloadFn: the module must also export `asyncWorkloadConfig = { events: [...] }` (the events this workload runs for)",
    );
  }
  return withAsyncWorkloadConfig(module.default, config as AsyncWorkloadConfig);
}

/**
 * Sleeps keep their own ids, as on Netlify: a sleep's journal entry is `awl:sleep:<reasonId>`
 * (Netlify's own layout), so `step.run("wait")` and `step.sleep("wait", ...)` are two entries.
 */
export const SLEEP_ID_PREFIX = "awl:sleep:";

function netlifyStep(step: StepApi): AsyncWorkloadStep {
  return {
    run: <ST>(stepId: string, cb: () => Promise<ST> | ST) => step.run(stepId, cb) as Promise<ST>,
    sleep: (reasonId, sleepMs) => {
      const id = `${SLEEP_ID_PREFIX}${reasonId}`;
      if (isEpochMs(sleepMs, Date.now())) return step.sleepUntil(id, new Date(sleepMs));
      // A negative number is a time already past on Netlify: no sleep.
      return step.sleep(id, typeof sleepMs === "number" ? Math.max(0, sleepMs) : sleepMs);
    },
  };
}

function toNetlifyEvent(context: WorkloadContext<unknown>): AsyncWorkloadEvent {
  const delivery = deliveries.getStore();
  let request: Request | undefined;
  return {
    eventName: context.name,
    eventData: context.data,
    eventId: context.eventId,
    get request() {
      return (request ??= delivery ?? siteRequest("/"));
    },
    attempt: context.attempt - 1,
    step: netlifyStep(context.step),
    sendEvent: (eventName, options) =>
      sendAsNetlify(
        (name, data, sendOptions) => context.sendEvent(name, data, sendOptions),
        eventName,
        options,
      ),
    runId: context.runId,
    priority: context.priority,
    createdAt: context.createdAt,
  };
}
