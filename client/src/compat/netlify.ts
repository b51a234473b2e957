/**
 * `@awl/client/netlify`: the API of `@netlify/async-workloads`, on this engine, so that a site
 * leaves Netlify's package by changing one import:
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
 * Mapping: `event.eventName/eventData/eventId/attempt` (attempt counts from 0, as in Netlify's
 * package), `event.step` is this engine's step API, `backoffSchedule(attempt)` receives the same
 * 0-based attempt that failed, `ErrorRetryAfterDelay` is a `RetryAfterError`, and the client's
 * `send(name, { data, delayUntil, priority })` resolves to `{ sendStatus: "succeeded", eventId }`
 * (failures throw, as everywhere in this package).
 */
import {
  AsyncWorkloadsClient as EngineClient,
  type AsyncWorkloadsClientOptions,
} from "../client/async-workloads-client.ts";
import type { WorkloadContext } from "../engine/execute.ts";
import type { SendOptions } from "../engine/send.ts";
import { jsonResponse } from "../transport/inbound.ts";
import { asyncWorkload, isAsyncWorkload, type AsyncWorkloadFunction } from "../workload/async-workload.ts";
import type { Duration } from "../engine/durations.ts";
import { ErrorDoNotRetry, RetryAfterError } from "../engine/errors.ts";
import type { StepApi } from "../engine/step.ts";

export { ErrorDoNotRetry };

/** What a Netlify-style workload receives. */
export interface AsyncWorkloadEvent<D = unknown> {
  eventName: string;
  eventData: D;
  eventId: string;
  /** 0 on the first attempt, 1 on the first retry, ... */
  attempt: number;
  runId: string;
  priority: number;
  /** When the event was accepted (ms since epoch). */
  createdAt: number;
  step: StepApi;
  /** Sends an event now (every time this code runs); use step.sendEvent to send once per run. */
  sendEvent(eventName: string, options?: NetlifySendOptions): Promise<NetlifySendResult>;
}

export interface AsyncWorkloadFilterEvent<D = unknown> {
  eventName: string;
  eventData: D;
  eventId: string;
  priority: number;
}

export interface AsyncWorkloadConfig<D = unknown> {
  events: string | string[];
  eventFilter?: (event: AsyncWorkloadFilterEvent<D>) => boolean;
  /** Retries after the first attempt; default 4. */
  maxRetries?: number;
  /** Delay (ms or e.g. "1m") before retrying after the given 0-based attempt failed. */
  backoffSchedule?: (attempt: number) => Duration;
  /** The workload's name in run ids and the dashboard; defaults to the function's name. */
  name?: string;
}

export type AsyncWorkloadHandler<D = unknown> = (event: AsyncWorkloadEvent<D>) => unknown;

/** The default export of a Netlify-style workload, until the build step applies its config. */
export interface NetlifyWorkloadFunction<D = unknown> {
  (request: Request, context?: unknown): Promise<Response>;
  readonly awlNetlify: { handler: AsyncWorkloadHandler<D> };
}

export function asyncWorkloadFn<D = unknown>(handler: AsyncWorkloadHandler<D>): NetlifyWorkloadFunction<D> {
  const unconfigured = async () =>
    jsonResponse(500, {
      error:
        "this workload was deployed without its asyncWorkloadConfig: the build step must serve " +
        "workloadFromModule(module) from @awl/client/netlify, not the default export alone",
    });
  return Object.assign(unconfigured, { awlNetlify: { handler } });
}

export function isNetlifyWorkload(value: unknown): value is NetlifyWorkloadFunction {
  return typeof value === "function" && "awlNetlify" in value;
}

/** Combines a Netlify-style handler with its config into a workload this engine serves. */
export function withAsyncWorkloadConfig<D>(
  fn: NetlifyWorkloadFunction<D>,
  config: AsyncWorkloadConfig<D>,
): AsyncWorkloadFunction {
  const { handler } = fn.awlNetlify;
  const { eventFilter, backoffSchedule } = config;
  return asyncWorkload<D>((context) => handler(toNetlifyEvent(context)), {
    events: config.events,
    ...(config.maxRetries !== undefined ? { maxRetries: config.maxRetries } : {}),
    ...(config.name !== undefined ? { name: config.name } : {}),
    ...(eventFilter
      ? {
          eventFilter: (event) =>
            eventFilter({
              eventName: event.name,
              eventData: event.data,
              eventId: event.eventId,
              priority: event.priority,
            }),
        }
      : {}),
    ...(backoffSchedule ? { backoffSchedule: (attempt) => backoffSchedule(attempt - 1) } : {}),
  });
}

/**
 * The workload a function module defines, for the build step: its default export when that is an
 * `asyncWorkload`, or a Netlify-style `asyncWorkloadFn` combined with the module's
 * `asyncWorkloadConfig`; `undefined` when the module is not a workload.
 */
export function workloadFromModule(module: {
  default: AsyncWorkloadFunction | NetlifyWorkloadFunction<never>;
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

function toNetlifyEvent<D>(context: WorkloadContext<D>): AsyncWorkloadEvent<D> {
  return {
    eventName: context.name,
    eventData: context.data,
    eventId: context.eventId,
    attempt: context.attempt - 1,
    runId: context.runId,
    priority: context.priority,
    createdAt: context.createdAt,
    step: context.step,
    sendEvent: async (eventName, options = {}) => {
      const { data, ...sendOptions } = options;
      const result = await context.sendEvent(eventName, data, sendOptions);
      return { sendStatus: "succeeded", eventId: result.eventId };
    },
  };
}

/** Retry no earlier than `retryDelay` (ms, a duration such as "5m", or a Date); with `forceDelayTime`, exactly then. */
export class ErrorRetryAfterDelay extends RetryAfterError {
  constructor({
    message,
    retryDelay,
    forceDelayTime = false,
  }: {
    message: string;
    retryDelay: Duration | Date;
    forceDelayTime?: boolean;
  }) {
    super(message, retryDelay, { force: forceDelayTime });
    this.name = "ErrorRetryAfterDelay";
  }
}

export interface NetlifySendOptions extends Pick<SendOptions, "delayUntil" | "priority"> {
  data?: unknown;
}

export interface NetlifySendResult {
  sendStatus: "succeeded";
  eventId: string;
}

export interface NetlifyClientOptions {
  /** The origin of the site that runs the workloads; omit inside that site. */
  baseUrl?: string;
  /** The events API key; omit inside the site (or set AWL_API_KEY). */
  apiKey?: string;
}

export class AsyncWorkloadsClient {
  private readonly client: EngineClient;

  constructor(options: NetlifyClientOptions = {}) {
    const engineOptions: AsyncWorkloadsClientOptions = {
      ...(options.baseUrl ? { siteUrl: options.baseUrl } : {}),
      ...(options.apiKey ? { apiKey: options.apiKey } : {}),
    };
    this.client = new EngineClient(engineOptions);
  }

  async send(eventName: string, options: NetlifySendOptions = {}): Promise<NetlifySendResult> {
    const { data, ...sendOptions } = options;
    const result = await this.client.send(eventName, data, sendOptions);
    return { sendStatus: "succeeded", eventId: result.eventId };
  }
}
