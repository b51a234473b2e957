/**
 * `EventsApiClient`: a typed HTTP client for a site's whole events API (send, list, show, retry,
 * cancel, re-run, delete, reconcile), shared by the `awl` CLI and the dashboard. It owns the wire: the URLs, the
 * Bearer key, the JSON bodies, and turning every failure into one `EventsApiError` whose `reason`
 * a caller can act on without parsing messages: the site is unreachable (the message names the
 * URL), the key was not accepted, the input was refused (with the API's issues, each naming its
 * field), the event does not exist, or anything else the API answered.
 */
import { DEFAULT_API_BASE_PATH } from "../api/base-path.ts";
import type { Issue } from "../engine/validation-error.ts";
import type { EventState } from "../engine/keys.ts";

export type {
  AttemptRecord,
  ErrorRecord,
  EventDetail,
  EventState,
  EventStats,
  EventSummary,
  RunRecord,
  StepRecord,
  Cancellation,
  FlowHold,
  RunHold,
} from "../engine/types.ts";
export type { RunState } from "../engine/keys.ts";
export type { WorkloadDescription, WorkloadsListing } from "../engine/workload-manifest.ts";
export type {
  CancelSelector,
  DeleteSelector,
  RerunReport,
  RerunRequest,
  RetrySelector,
} from "../engine/operations.ts";

/** The run states the API filters by, for clients that validate before they call; the states a run ends in. */
export { EVENT_STATES, FINAL_RUN_STATES } from "../engine/keys.ts";
export { EVENT_ID_PATTERN } from "../engine/ids.ts";
export { keyWords, ordinal, slotWaitWords } from "./hold-words.ts";
import type {
  CancelSelector,
  DeleteReport,
  DeleteSelector,
  RerunReport,
  RerunRequest,
  RetrySelector,
} from "../engine/operations.ts";
import type { ReconcileReport } from "../engine/reconciler.ts";
import type { SendResult } from "../engine/send.ts";
import type { EventDetail, EventStats, EventSummary } from "../engine/types.ts";
import type { WorkloadsListing } from "../engine/workload-manifest.ts";

export interface EventsApiClientOptions {
  /** The site's origin, e.g. "http://localhost:8888" or "https://shop.example". */
  siteUrl: string;
  /** Sent as a Bearer token; leave it out where a proxy in between adds it (the dashboard's). */
  apiKey?: string;
  /** Defaults to the global fetch; the dashboard passes the Netlify SDK's authenticated fetch. */
  fetch?: (input: string, init: RequestInit) => Promise<Response>;
  /** Where the site serves the events API; default "/awl/api". */
  basePath?: string;
  /** How long one request may take before it counts as unreachable; default 30 s. */
  timeoutMs?: number;
}

/** One event as `POST /events` takes it; `delayUntil` is epoch ms, an ISO date or a duration ("10m"). */
export interface SendEventInput {
  name: string;
  data?: unknown;
  delayUntil?: number | string;
  priority?: number;
  idempotencyKey?: string;
}

export interface ListEventsQuery {
  state?: EventState;
  name?: string;
  /** Only events with a run held back by flow control (concurrency, throttle, debounce); pages may be short. */
  held?: boolean;
  /** The `cursor` of the previous page. */
  cursor?: string;
  /** 1 to 100; the API's default is 20. */
  limit?: number;
}

export interface EventsPage {
  events: EventSummary[];
  /** Pass it back for the next page; null on the last one. */
  cursor: string | null;
}

export interface RetryResult {
  retried: number;
  runIds: string[];
}

export interface CancelResult {
  /** How many runs were closed as cancelled now, and their ids. */
  cancelled: number;
  runIds: string[];
  /** How many were running: each finishes its running step, then is cancelled. */
  cancelling: number;
  cancellingRunIds: string[];
}

/** "conflict": the API refused to act on what is stored now (re-running a run that has not ended). */
export type EventsApiErrorReason =
  "unreachable" | "unauthorized" | "invalid" | "not-found" | "conflict" | "failed";

/** Every failure of a call: `reason` says what kind, `url` what was called, `issues` what a 400 named. */
export class EventsApiError extends Error {
  constructor(
    message: string,
    readonly reason: EventsApiErrorReason,
    readonly url: string,
    readonly status?: number,
    readonly issues: Issue[] = [],
  ) {
    super(message);
    this.name = "EventsApiError";
  }
}

const DEFAULT_TIMEOUT_MS = 30_000;

/** Whether a site URL is one the events API can be called at: an absolute http(s) URL. */
export function isSiteUrl(value: string): boolean {
  return /^https?:\/\//.test(value) && URL.canParse(value);
}

export class EventsApiClient {
  /** The events API's root, e.g. "http://localhost:8888/awl/api". */
  readonly baseUrl: string;

  constructor(private readonly options: EventsApiClientOptions) {
    if (!isSiteUrl(options.siteUrl)) {
      throw new TypeError(`siteUrl: ${JSON.stringify(options.siteUrl)} is not an http(s) URL`);
    }
    this.baseUrl = `${options.siteUrl.replace(/\/+$/, "")}${options.basePath ?? DEFAULT_API_BASE_PATH}`;
  }

  /** Sends one event: `{ eventId, status }`, status "duplicate" for a repeated idempotencyKey. */
  send(event: SendEventInput): Promise<SendResult> {
    return this.call<SendResult>("POST", "/events", event);
  }

  /** Sends several events in one request (at most 100): all are accepted, or none when one is invalid. */
  async sendMany(events: readonly SendEventInput[]): Promise<SendResult[]> {
    const answer = await this.call<{ events?: unknown }>("POST", "/events", { events });
    if (!Array.isArray(answer.events)) {
      const url = `${this.baseUrl}/events`;
      throw new EventsApiError(
        `${url} answered without the accepted events: is the events API served there?`,
        "failed",
        url,
      );
    }
    return answer.events as SendResult[];
  }

  /** One page of events, newest first. */
  list(query: ListEventsQuery = {}): Promise<EventsPage> {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(query)) {
      if (value !== undefined) params.set(name, String(value));
    }
    const search = params.size > 0 ? `?${params}` : "";
    return this.call<EventsPage>("GET", `/events${search}`);
  }

  /** Every page of events matching the query, one request per page. */
  async *pages(query: Omit<ListEventsQuery, "cursor"> = {}): AsyncGenerator<EventsPage> {
    let cursor: string | undefined;
    do {
      const page = await this.list({ ...query, ...(cursor ? { cursor } : {}) });
      yield page;
      cursor = page.cursor ?? undefined;
    } while (cursor);
  }

  /** The event with its runs, their steps and attempts; an EventsApiError "not-found" when there is none. */
  get(eventId: string): Promise<EventDetail> {
    return this.call<EventDetail>("GET", `/events/${encodeURIComponent(eventId)}`);
  }

  /** How many events are in each state, overall and per event name. */
  stats(): Promise<EventStats> {
    return this.call<EventStats>("GET", "/stats");
  }

  /**
   * The site's workloads as its router last published them (with its first routing after a deploy):
   * events, filter, retries, flow control, schedule with its next firing, cancelOn, step timeout.
   */
  workloads(): Promise<WorkloadsListing> {
    return this.call<WorkloadsListing>("GET", "/workloads");
  }

  /** Retries dead-lettered runs: by run ids, event ids, event names, or (`{}`) every dead-lettered one. */
  retry(selector: RetrySelector = {}): Promise<RetryResult> {
    return this.call<RetryResult>("POST", "/events/retry", selector);
  }

  /**
   * Cancels active runs, keeping their history: by `runIds`, `eventIds`, or `eventNames` and/or
   * `states`; `by` and `reason` are recorded with each.
   */
  cancel(selector: CancelSelector): Promise<CancelResult> {
    return this.call<CancelResult>("POST", "/events/cancel", selector);
  }

  /**
   * Re-runs a completed, dead-lettered or cancelled run (`runId`, or `eventId` for an event with one
   * run) as a new series of attempts: from the start, or from `fromStep` (it and every step after it
   * run again; the steps before it keep their stored results). `by` is recorded in the run's history.
   * A run that has not ended is refused ("conflict"), an unknown step too ("invalid", naming the steps).
   */
  rerun(request: RerunRequest): Promise<RerunReport> {
    return this.call<RerunReport>("POST", "/events/rerun", request);
  }

  /**
   * Deletes events with all their runs (`eventIds`), or runs: by `runIds`, or every run in one of
   * the `states` (of events with one of the `eventNames`). An event goes with its last run.
   */
  delete(selector: DeleteSelector): Promise<DeleteReport> {
    return this.call<DeleteReport>("DELETE", "/events", selector);
  }

  /** Republishes what is overdue now, instead of waiting for the scheduled reconciler. */
  reconcile(): Promise<ReconcileReport> {
    return this.call<ReconcileReport>("POST", "/reconcile");
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.baseUrl}${path}`;
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, {
        method,
        headers: {
          ...(this.options.apiKey === undefined ? {} : { authorization: `Bearer ${this.options.apiKey}` }),
          accept: "application/json",
          ...(body === undefined ? {} : { "content-type": "application/json" }),
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
      });
    } catch (error) {
      throw new EventsApiError(
        `could not reach the events API at ${url}: ${networkReason(error)}`,
        "unreachable",
        url,
      );
    }
    const text = await response.text();
    const parsed = parseBody(text);
    if (response.ok && parsed !== undefined) return parsed as T;
    throw failure(response, url, parsed, text);
  }
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** fetch hides the socket error in `cause`; its code ("ECONNREFUSED") is what a user recognises. */
function networkReason(error: unknown): string {
  if (error instanceof DOMException && error.name === "TimeoutError") return "no answer in time";
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code === "ECONNREFUSED") return "connection refused";
  if (cause?.code === "ENOTFOUND") return "no such host";
  return cause?.message ?? (error as Error).message;
}

function failure(response: Response, url: string, parsed: unknown, text: string): EventsApiError {
  const { status } = response;
  const answer = parsed as { error?: unknown; issues?: Issue[] } | undefined;
  if (typeof answer?.error !== "string") {
    // Not the events API talking: another server on that port, or a site without the extension.
    const what = text.trim() ? "a response that is not the events API's" : "an empty response";
    return new EventsApiError(
      `${url} answered ${status} with ${what}: is the events API served there?`,
      "failed",
      url,
      status,
    );
  }
  const reason = answer.error;
  if (status === 401) {
    const detail = reason === "API key not accepted" ? "" : `: ${reason}`;
    return new EventsApiError(`API key not accepted by ${url}${detail}`, "unauthorized", url, status);
  }
  if (status === 400) {
    const issues = Array.isArray(answer.issues) ? answer.issues : [{ path: [], message: reason }];
    return new EventsApiError(`the events API refused the input: ${reason}`, "invalid", url, status, issues);
  }
  if (status === 404) return new EventsApiError(reason, "not-found", url, status);
  if (status === 409) return new EventsApiError(reason, "conflict", url, status);
  return new EventsApiError(`the events API at ${url} answered ${status}: ${reason}`, "failed", url, status);
}
