/**
 * `AsyncWorkloadsClient`: how a site, a script or another app sends events. Inside a site that has
 * the Upstash environment it enqueues directly (the same path as the events API: persist, then
 * publish); anywhere else it POSTs to the site's events API with an API key, through EventsApiClient
 * (the one HTTP client of the events API; its errors become AsyncWorkloadsClientErrors). Either way the events
 * are validated here first (names, sizes, priority, delivery time and, with a catalog from
 * `defineEvents`, the data against its schema), so a bad send is refused with an InvalidInputError
 * naming the field before anything leaves the process.
 */
import type { EventCatalog, EventInput } from "../events/define-events.ts";
import { InvalidInputError } from "../engine/validation-error.ts";
import { missingEnvironment, runtimeFromEnv, type Runtime } from "../engine/runtime.ts";
import {
  prepareEvents,
  sendEvents,
  type SendInput,
  type SendOptions,
  type SendResult,
} from "../engine/send.ts";
import { apiKeysFromEnv } from "../api/auth.ts";
import { DEFAULT_API_BASE_PATH } from "../api/base-path.ts";
import { EventsApiClient, EventsApiError, isSiteUrl, type SendEventInput } from "./events-api-client.ts";

export interface AsyncWorkloadsClientOptions<C extends EventCatalog | undefined = undefined> {
  /** Typed events: `send` accepts only the catalog's names and data, and validates the data. */
  catalog?: C;
  /**
   * The site whose events API receives the events; default `AWL_SITE_URL`, then `URL` (set by
   * Netlify). Giving it sends over HTTP even where the Upstash environment is present.
   */
  siteUrl?: string;
  /** The events API key; default `AWL_API_KEY` (the first key when several are set). */
  apiKey?: string;
  /** Where the site serves the events API; default "/awl/api". */
  basePath?: string;
  /** Enqueue directly through this runtime (tests, hosts). */
  runtime?: Runtime;
}

/** A send the client or the events API could not complete; `status` is the API's HTTP status. */
export class AsyncWorkloadsClientError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = "AsyncWorkloadsClientError";
  }
}

type EventName<C> = C extends EventCatalog<infer S> ? keyof S & string : string;

/** `send`'s arguments after the name: the catalog's data type for that name, or anything. */
export type SendArguments<C, N> = C extends EventCatalog
  ? [data: EventInput<C>[N & keyof EventInput<C>], options?: SendOptions]
  : [data?: unknown, options?: SendOptions];

/** One event for `sendMany`: with a catalog, a name of the catalog with its data type. */
export type ClientSendInput<C> =
  C extends EventCatalog<infer S>
    ? {
        [N in keyof S & string]: SendOptions & { name: N; data: EventInput<C>[N & keyof EventInput<C>] };
      }[keyof S & string]
    : SendInput;

type Destination = { kind: "direct"; runtime: Runtime } | { kind: "http"; api: EventsApiClient };

export class AsyncWorkloadsClient<C extends EventCatalog | undefined = undefined> {
  constructor(private readonly options: AsyncWorkloadsClientOptions<C> = {}) {}

  /** Sends one event: `{ eventId, status }`, status "duplicate" for a repeated idempotencyKey. */
  async send<N extends EventName<C>>(name: N, ...args: SendArguments<C, N>): Promise<SendResult> {
    const [data, options] = args as [unknown, SendOptions | undefined];
    const [result] = await this.dispatch([{ ...options, name, data }]);
    return result as SendResult;
  }

  /** Sends several events at once (at most 100): all are accepted, or none when one is invalid. */
  sendMany(events: readonly ClientSendInput<C>[]): Promise<SendResult[]> {
    return this.dispatch(events as readonly SendInput[]);
  }

  private async dispatch(inputs: readonly SendInput[]): Promise<SendResult[]> {
    const catalog = this.options.catalog as EventCatalog | undefined;
    const destination = this.destination();
    if (destination.kind === "direct") return sendEvents(destination.runtime, inputs, catalog);
    // Validate (and apply the catalog's schemas) here, so a bad send never reaches the network.
    const prepared = prepareEvents(inputs, Date.now(), catalog);
    const wire: SendEventInput[] = prepared.map((event) => ({
      name: event.name,
      data: JSON.parse(event.data) as unknown,
      ...(event.priority ? { priority: event.priority } : {}),
      ...(event.delayUntil !== undefined ? { delayUntil: event.delayUntil } : {}),
      ...(event.idempotencyKey ? { idempotencyKey: event.idempotencyKey } : {}),
    }));
    return postEvents(destination.api, wire);
  }

  private destination(): Destination {
    const { runtime, siteUrl, apiKey, basePath = DEFAULT_API_BASE_PATH } = this.options;
    if (runtime) return { kind: "direct", runtime };
    if (!siteUrl && missingEnvironment().length === 0) return { kind: "direct", runtime: runtimeFromEnv() };
    // Empty variables count as unset (`||`, not `??`).
    const site = siteUrl || process.env.AWL_SITE_URL || process.env.URL;
    if (!site) {
      throw new AsyncWorkloadsClientError(
        "AsyncWorkloadsClient has nowhere to send events: outside a site with the Upstash environment " +
          `(missing ${missingEnvironment().join(", ")}), pass { siteUrl } or set AWL_SITE_URL`,
      );
    }
    const key = apiKey ?? apiKeysFromEnv(process.env)[0];
    if (!key) {
      throw new AsyncWorkloadsClientError(
        `AsyncWorkloadsClient needs an API key to call the events API of ${site}: pass { apiKey } or set AWL_API_KEY`,
      );
    }
    if (!isSiteUrl(site)) {
      throw new AsyncWorkloadsClientError(
        `AsyncWorkloadsClient cannot call the events API of ${site}: the site URL (siteUrl, AWL_SITE_URL or URL) is not an http(s) URL`,
      );
    }
    return { kind: "http", api: new EventsApiClient({ siteUrl: site, apiKey: key, basePath }) };
  }
}

/** Sends over HTTP with EventsApiClient; its errors become this client's (an input error stays an InvalidInputError). */
async function postEvents(api: EventsApiClient, events: SendEventInput[]): Promise<SendResult[]> {
  try {
    return await api.sendMany(events);
  } catch (error) {
    if (!(error instanceof EventsApiError)) throw error;
    if (error.reason === "unreachable") throw new AsyncWorkloadsClientError(error.message);
    if (error.reason === "invalid") {
      // The API names fields as events.<index>.<field>; a caller knows them as <index>.<field>, or
      // just <field> for a single send.
      const issues = error.issues.map((issue) => {
        let path = issue.path[0] === "events" ? issue.path.slice(1) : issue.path;
        if (events.length === 1 && path[0] === 0) path = path.slice(1);
        return { path, message: issue.message };
      });
      throw new InvalidInputError(issues);
    }
    if (error.reason === "unauthorized") {
      throw new AsyncWorkloadsClientError(
        `${error.message}: check the API key (the apiKey option or AWL_API_KEY) against the site's AWL_API_KEY`,
        401,
      );
    }
    const message =
      error.reason === "not-found"
        ? `the events API at ${error.url} answered ${error.status}: ${error.message}`
        : error.message;
    throw new AsyncWorkloadsClientError(message, error.status);
  }
}
