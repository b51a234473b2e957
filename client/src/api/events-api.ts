/**
 * The events API: an authenticated Fetch handler (`(Request) => Promise<Response>`) that the
 * extension serves inside a site and the CLI, the dashboard and `AsyncWorkloadsClient` call.
 * It sends events, lists and inspects them with their runs, retries dead-lettered runs, cancels
 * and re-runs runs, deletes events and runs the reconciler on demand. Every request is checked for an API key before any
 * state is read (a client that keeps sending wrong keys is slowed down: failure-limiter.ts); every
 * input is checked (size, JSON, strict schema) before any state is written.
 *
 *   POST   /events          one event, an array, or { events: [...] }  → 202
 *   GET    /events          ?state=&name=&held=&cursor=&limit=         → 200 { events, cursor }
 *   GET    /events/:id      the event with its runs                    → 200 | 404
 *   GET    /stats           events per state, overall and per name     → 200 { states, names }
 *   GET    /workloads       the site's workloads, as the router published them → 200 { publishedAt, workloads }
 *   POST   /events/retry    { runIds } | { eventIds } | { eventNames } | {} → 200 { retried, runIds }
 *   POST   /events/cancel   { runIds } | { eventIds } | { eventNames?, states? }, by?, reason?
 *                                                   → 200 { cancelled, cancelling, runIds, cancellingRunIds }
 *   POST   /events/rerun    { runId } | { eventId }, fromStep?, by?   → 200 { runId, series, fromStep, rerun, kept }
 *                                                   | 404 (no such run) | 409 (the run has not ended)
 *   DELETE /events          { runIds } | { eventIds } | { states, eventNames? } → 200 { deleted, deletedRuns? }
 *   POST   /reconcile                                                  → 200 { events, runs }
 */
import { DEFAULT_API_BASE_PATH } from "./base-path.ts";
import { Hono, type Context } from "hono";
import { z } from "zod";
import { eventNameSchema, idSchema } from "../engine/limits.ts";
import { InvalidInputError, type Issue } from "../engine/validation-error.ts";
import { EVENT_STATES } from "../engine/keys.ts";
import {
  cancelRuns,
  cancelSelectorSchema,
  deleteEvents,
  deleteSelectorSchema,
  RerunRefusedError,
  rerunRequestSchema,
  rerunRun,
  retryDeadLettered,
  retrySelectorSchema,
} from "../engine/operations.ts";
import { reconcile } from "../engine/reconciler.ts";
import { runtimeFromEnv, MissingEnvironmentError, type Runtime } from "../engine/runtime.ts";
import { sendEvents, type SendInput } from "../engine/send.ts";
import { workloadsListing } from "../engine/workload-manifest.ts";
import { jsonResponse } from "../transport/inbound.ts";
import { internalEvents } from "../workload/operations.ts";
import { apiKeyChecker, apiKeySource, apiKeysFromEnv } from "./auth.ts";
import { createFailureLimiter } from "./failure-limiter.ts";
import { ApiError, check, readJson } from "./input.ts";

export { DEFAULT_API_BASE_PATH };
export const DEFAULT_LIST_LIMIT = 20;
export const MAX_LIST_LIMIT = 100;

/**
 * Who is asking, for the failure limiter: the address Netlify (and `netlify dev`) puts on every
 * request it hands a function. Without it nothing tells callers apart, and one shared record would
 * let any caller's typos slow everyone's, so such requests are not limited.
 */
export const CLIENT_ADDRESS_HEADER = "x-nf-client-connection-ip";

export interface EventsApiOptions {
  /** Defaults to the runtime from the site's environment, resolved on the first request that needs it. */
  runtime?: Runtime;
  /** Accepted API keys; defaults to `AWL_API_KEY` (comma-separated, for rotation) and `AWL_API_KEY_P<n>`. */
  apiKeys?: string[];
  /** Where the routes live; default "/awl/api". */
  basePath?: string;
}

const eventSchema = z.strictObject(
  {
    name: z.string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") }),
    data: z.unknown().optional(),
    delayUntil: z
      .union([z.number(), z.string()], {
        error: 'must be a timestamp (ms), an ISO date or a duration such as "10m"',
      })
      .optional(),
    priority: z.number({ error: "must be a number" }).optional(),
    idempotencyKey: z.string({ error: "must be a string" }).optional(),
  },
  { error: "must be an event object { name, data?, delayUntil?, priority?, idempotencyKey? }" },
);

const listQuerySchema = z.strictObject({
  state: z.enum(EVENT_STATES, { error: `must be one of ${EVENT_STATES.join(", ")}` }).optional(),
  name: eventNameSchema.optional(),
  held: z
    .enum(["true", "false"], { error: "must be true or false" })
    .transform((value) => value === "true")
    .optional(),
  cursor: z
    .string()
    .regex(/^\d+:\d+$/, "must be a cursor returned by this API")
    .optional(),
  limit: z
    .string()
    .regex(/^\d+$/, `must be a whole number from 1 to ${MAX_LIST_LIMIT}`)
    .transform(Number)
    .pipe(
      z
        .number()
        .min(1, `must be a whole number from 1 to ${MAX_LIST_LIMIT}`)
        .max(MAX_LIST_LIMIT, `must be a whole number from 1 to ${MAX_LIST_LIMIT}`),
    )
    .optional(),
});

export function createEventsApi(options: EventsApiOptions = {}): (request: Request) => Promise<Response> {
  const authorize = options.apiKeys
    ? apiKeyChecker(options.apiKeys, "the events API's apiKeys option")
    : apiKeyChecker(apiKeysFromEnv(process.env), apiKeySource(process.env));
  const limiter = createFailureLimiter();
  const runtime = () => options.runtime ?? runtimeFromEnv();
  const app = new Hono().basePath(options.basePath ?? DEFAULT_API_BASE_PATH);

  app.use("*", async (c, next) => {
    const client = c.req.header(CLIENT_ADDRESS_HEADER);
    const waitSeconds = client === undefined ? undefined : limiter.refusedFor(client, Date.now());
    if (waitSeconds !== undefined) {
      const response = jsonResponse(429, {
        error: `too many wrong API keys from this client: wait for the answers it is owed, then retry after ${waitSeconds} s`,
      });
      response.headers.set("retry-after", String(waitSeconds));
      return response;
    }
    const auth = authorize(c.req.header("authorization") ?? null);
    if (!auth.ok) {
      if (client !== undefined && auth.reason === "wrong") {
        const delayMs = limiter.failed(client, Date.now());
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
      const response = jsonResponse(auth.status, { error: auth.error });
      if (auth.status === 401) response.headers.set("www-authenticate", 'Bearer realm="awl"');
      return response;
    }
    if (client !== undefined) limiter.succeeded(client);
    await next();
  });

  app.post("/events", async (c) => {
    const { inputs, relocate, single } = eventInputs(await readJson(c.req.raw));
    const results = await sendEvents(runtime(), inputs, internalEvents).catch((error: unknown) => {
      throw error instanceof InvalidInputError ? new InvalidInputError(error.issues.map(relocate)) : error;
    });
    return jsonResponse(202, single ? results[0] : { events: results });
  });
  app.get("/events", async (c) => {
    // An empty parameter (`?state=`) means "not given", as a form or a CLI flag would send it.
    const given = [...new URL(c.req.url).searchParams].filter(([, value]) => value !== "");
    const query = check(listQuerySchema, Object.fromEntries(given));
    if (query.held && query.state && query.state !== "pending") {
      throw new InvalidInputError([
        {
          path: ["state"],
          message: `held runs are pending: state must be pending (or left out) with held=true`,
        },
      ]);
    }
    const page = await runtime().store.listEvents({
      ...(query.held ? { held: true } : {}),
      ...(query.state ? { state: query.state } : {}),
      ...(query.name ? { name: query.name } : {}),
      ...(query.cursor ? { cursor: query.cursor } : {}),
      limit: query.limit ?? DEFAULT_LIST_LIMIT,
    });
    return jsonResponse(200, page);
  });
  app.delete("/events", async (c) => {
    const selector = check(deleteSelectorSchema, await readJson(c.req.raw));
    return jsonResponse(200, await deleteEvents(runtime(), selector));
  });
  app.all("/events", methodNotAllowed("GET, POST, DELETE"));

  app.post("/events/retry", async (c) => {
    const selector = check(retrySelectorSchema, (await readJson(c.req.raw, { optional: true })) ?? {});
    const report = await retryDeadLettered(runtime(), selector);
    return jsonResponse(200, { retried: report.runIds.length, runIds: report.runIds });
  });
  app.all("/events/retry", methodNotAllowed("POST"));

  app.post("/events/cancel", async (c) => {
    const selector = check(cancelSelectorSchema, await readJson(c.req.raw));
    const report = await cancelRuns(runtime(), selector);
    return jsonResponse(200, {
      cancelled: report.cancelled.length,
      cancelling: report.cancelling.length,
      runIds: report.cancelled,
      cancellingRunIds: report.cancelling,
    });
  });
  app.all("/events/cancel", methodNotAllowed("POST"));

  app.post("/events/rerun", async (c) => {
    const request = check(rerunRequestSchema, await readJson(c.req.raw));
    try {
      return jsonResponse(200, await rerunRun(runtime(), request));
    } catch (error) {
      if (!(error instanceof RerunRefusedError)) throw error;
      throw new ApiError(error.reason === "not-found" ? 404 : 409, error.message);
    }
  });
  app.all("/events/rerun", methodNotAllowed("POST"));

  app.get("/events/:id", async (c) => {
    const id = check(idSchema, c.req.param("id"), ["id"]);
    const event = await runtime().store.getEvent(id);
    return event ? jsonResponse(200, event) : jsonResponse(404, { error: `event ${id} not found` });
  });
  app.all("/events/:id", methodNotAllowed("GET"));

  app.get("/stats", async () => jsonResponse(200, await runtime().store.stats()));
  app.all("/stats", methodNotAllowed("GET"));

  // The router publishes the manifest (engine/workload-manifest.ts): this function never loads the site's workloads.
  app.get("/workloads", async () => {
    const rt = runtime();
    return jsonResponse(200, workloadsListing(await rt.store.workloadManifest(), rt.now()));
  });
  app.all("/workloads", methodNotAllowed("GET"));

  app.post("/reconcile", async () => jsonResponse(200, await reconcile(runtime())));
  app.all("/reconcile", methodNotAllowed("POST"));

  app.notFound((c) =>
    jsonResponse(404, { error: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` }),
  );
  app.onError((error, c) => errorResponse(error, c, options.runtime?.log ?? ((line) => console.error(line))));

  return async (request) => app.fetch(request);
}

/** The three shapes POST /events accepts, and where each puts an issue's path. */
function eventInputs(body: unknown): {
  inputs: SendInput[];
  single: boolean;
  relocate: (issue: Issue) => Issue;
} {
  const isObject = typeof body === "object" && body !== null && !Array.isArray(body);
  if (!Array.isArray(body) && !(isObject && "events" in body && !("name" in body))) {
    return { inputs: [check(eventSchema, body)], single: true, relocate: (issue) => issue };
  }
  const prefix = Array.isArray(body) ? [] : ["events"];
  const inputs = Array.isArray(body)
    ? check(z.array(eventSchema), body)
    : check(z.strictObject({ events: z.array(eventSchema, { error: "must be an array of events" }) }), body)
        .events;
  // sendEvents names a lone event's fields without its index; in a list, keep the index.
  const relocate = (issue: Issue): Issue => ({
    ...issue,
    path:
      inputs.length === 1 && issue.path.length > 0
        ? [...prefix, 0, ...issue.path]
        : [...prefix, ...issue.path],
  });
  return { inputs, single: false, relocate };
}

function methodNotAllowed(allow: string) {
  return (c: Context) => {
    const response = jsonResponse(405, {
      error: `method ${c.req.method} not allowed on ${new URL(c.req.url).pathname}; allowed: ${allow}`,
    });
    response.headers.set("allow", allow);
    return response;
  };
}

function errorResponse(error: Error, c: Context, log: (line: string) => void): Response {
  if (error instanceof InvalidInputError)
    return jsonResponse(400, { error: error.message, issues: error.issues });
  if (error instanceof ApiError) {
    return jsonResponse(error.status, {
      error: error.message,
      ...(error.issues ? { issues: error.issues } : {}),
    });
  }
  if (error instanceof MissingEnvironmentError) return jsonResponse(500, { error: error.message });
  log(`awl: events API ${c.req.method} ${new URL(c.req.url).pathname} failed: ${error.message}`);
  return jsonResponse(500, { error: `internal error: ${error.message}` });
}
