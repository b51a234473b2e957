/**
 * Netlify's HTTP surface for Async Workloads, at Netlify's own paths and with its bodies and
 * answers, beside this project's events API (/awl/api): what Netlify's `AsyncWorkloadsClient`, its
 * `async-workloads send` CLI and scripts written against its REST API call.
 *
 *   POST   /.netlify/functions/async-workloads-router?events=[...]
 *          one event or an array: { eventName, data?, delayUntil?, priority?, eventId?, eventChain? }
 *          → 200 "ack" (x-awl-ack: ack; x-awl-event-ids: the ids given here, comma-separated)
 *   DELETE /.netlify/functions/async-workloads-api/events          { eventIds?, states? }
 *   POST   /.netlify/functions/async-workloads-api/failed-events   { eventIds?, eventNames? }
 *          → 200 { workloadResult: { sendStatus, eventId } }: the internal event sent to do it
 *
 * Refusals answer as Netlify's do, with an empty body and the reason in `x-awl-reason`: 401 for a
 * missing or wrong key (`invalid API key`; a client that keeps sending wrong ones is slowed down and
 * then refused with 429, as on the events API: api/failure-limiter.ts), 400 for a body with no event (`body contained no valid
 * events to process`) or no JSON (`missing valid JSON body`). Where this engine refuses what
 * Netlify's router takes unchecked (a priority out of range, a name it cannot store), the answer is
 * 400 with the reason and a JSON body naming the field; nothing is enqueued.
 *
 * The `eventId` a Netlify sender chose becomes the event's idempotency key, so its retries of one
 * send enqueue one event; the event's id is this engine's own (`x-awl-event-ids`). An `eventChain`
 * continues as this engine's chain, so the chain limit holds across both (engine/limits.ts).
 */
import { z } from "zod";
import { apiKeyChecker, apiKeySource, apiKeysFromEnv } from "../api/auth.ts";
import { CLIENT_ADDRESS_HEADER } from "../api/events-api.ts";
import { createFailureLimiter } from "../api/failure-limiter.ts";
import { ApiError, readJson } from "../api/input.ts";
import { DELETE_EVENTS, RETRY_FAILED_EVENTS } from "../engine/internal-events.ts";
import { idempotencyKeySchema } from "../engine/limits.ts";
import { MissingEnvironmentError, runtimeFromEnv, type Runtime } from "../engine/runtime.ts";
import { sendEvents, type SendInput } from "../engine/send.ts";
import { InvalidInputError } from "../engine/validation-error.ts";
import { jsonResponse } from "../transport/inbound.ts";
import { internalEvents } from "../workload/operations.ts";

/** Netlify's router function, which its clients and CLI send events to. */
export const NETLIFY_ROUTER_PATH = "/.netlify/functions/async-workloads-router";
/** Netlify's REST API function; its routes are below it. */
export const NETLIFY_API_PATH = "/.netlify/functions/async-workloads-api";

export interface NetlifyHttpOptions {
  /** Defaults to the runtime from the site's environment, resolved on the first request that needs it. */
  runtime?: Runtime;
  /** Accepted API keys; defaults to `AWL_API_KEY_P<n>` and `AWL_API_KEY`. */
  apiKeys?: string[];
}

/** One event as Netlify's senders post it; fields Netlify keeps for itself (`fnName`, ...) are ignored. */
const netlifyEventSchema = z.looseObject({
  eventName: z.string(),
  data: z.unknown().optional(),
  delayUntil: z.union([z.number(), z.string()]).optional(),
  priority: z.number().optional(),
  eventId: z.string().optional(),
  eventChain: z.array(z.unknown()).optional(),
});
type NetlifyEvent = z.infer<typeof netlifyEventSchema>;

/** A refusal the way Netlify's functions answer one: an empty body and the reason in a header. */
function refusal(status: number, reason: string): Response {
  return new Response("", {
    status,
    headers: { "cache-control": "max-age=0,must-revalidate", "x-awl-reason": headerText(reason) },
  });
}

/** A reason as one header line: no line breaks, at most 500 characters. */
const headerText = (reason: string) => reason.replace(/[\r\n]+/g, " ").slice(0, 500);

/** A refusal of the input: Netlify's header, and the fields named in a JSON body. */
function invalid(error: InvalidInputError): Response {
  const response = jsonResponse(400, { error: error.message, issues: error.issues });
  response.headers.set("x-awl-reason", headerText(error.message));
  return response;
}

/** Netlify's `delayUntil` on its router: epoch ms (its client has resolved durations); due ones run now. */
function delayUntilOf(value: number | string | undefined, now: number): number | string | undefined {
  if (typeof value === "string") return value.trim() === "" ? undefined : value;
  // Netlify's router runs an event at once unless it is due more than 200 ms from now.
  return value !== undefined && value - now > 200 ? value : undefined;
}

function toSendInput(event: NetlifyEvent, now: number): SendInput {
  const delayUntil = delayUntilOf(event.delayUntil, now);
  const key = idempotencyKeySchema.safeParse(event.eventId);
  return {
    name: event.eventName,
    ...(event.data !== undefined ? { data: event.data } : {}),
    ...(delayUntil !== undefined ? { delayUntil } : {}),
    ...(event.priority !== undefined ? { priority: event.priority } : {}),
    ...(key.success ? { idempotencyKey: key.data } : {}),
    // Netlify's chain lists the names that led here, this event's own last.
    ...(event.eventChain && event.eventChain.length > 1 ? { chain: event.eventChain.length - 1 } : {}),
  };
}

/** The events of a router request: those with a name, as Netlify's router keeps them. */
async function routerEvents(request: Request): Promise<NetlifyEvent[]> {
  let body: unknown;
  try {
    body = await readJson(request, { optional: true });
  } catch (error) {
    if (error instanceof ApiError && error.status === 413) throw error;
    return [];
  }
  return (Array.isArray(body) ? body : [body]).flatMap((item) => {
    const event = netlifyEventSchema.safeParse(item);
    return event.success && event.data.eventName.trim() !== "" ? [event.data] : [];
  });
}

export function createNetlifyHttpApi(
  options: NetlifyHttpOptions = {},
): (request: Request) => Promise<Response> {
  const authorize = options.apiKeys
    ? apiKeyChecker(options.apiKeys, "the Netlify API's apiKeys option")
    : apiKeyChecker(apiKeysFromEnv(process.env), apiKeySource(process.env));
  const runtime = () => options.runtime ?? runtimeFromEnv();
  // A client that keeps presenting wrong keys is slowed down, as on the events API.
  const limiter = createFailureLimiter();

  async function send(inputs: SendInput[]) {
    return sendEvents(runtime(), inputs, internalEvents);
  }

  async function route(request: Request): Promise<Response> {
    const events = await routerEvents(request);
    if (events.length === 0) return refusal(400, "body contained no valid events to process");
    const now = Date.now();
    const results = await send(events.map((event) => toSendInput(event, now)));
    return new Response("ack", {
      status: 200,
      headers: {
        "cache-control": "max-age=0,must-revalidate",
        "x-awl-ack": "ack",
        "x-awl-event-ids": results.map((result) => result.eventId).join(","),
      },
    });
  }

  async function api(request: Request, route: string): Promise<Response> {
    let body: unknown;
    try {
      body = await readJson(request);
    } catch (error) {
      if (error instanceof ApiError && error.status === 413) throw error;
      return refusal(400, "missing valid JSON body");
    }
    if (typeof body !== "object" || body === null) return refusal(400, "missing valid JSON body");
    const { eventIds, states, eventNames } = body as Record<string, unknown>;
    let input: SendInput;
    if (route === "/events" && request.method === "DELETE") {
      input = { name: DELETE_EVENTS, data: { eventIds: eventIds ?? [], ...(states ? { states } : {}) } };
    } else if (route === "/failed-events" && request.method === "POST") {
      input = { name: RETRY_FAILED_EVENTS, data: { eventIds: eventIds ?? [], eventNames: eventNames ?? [] } };
    } else {
      return refusal(404, `no route ${request.method} ${NETLIFY_API_PATH}${route}`);
    }
    const [result] = await send([input]);
    const workloadResult = { sendStatus: "succeeded", eventId: result!.eventId };
    return new Response(JSON.stringify({ workloadResult }, null, 2), {
      status: 200,
      headers: { "content-type": "application/json" },
    });
  }

  return async (request) => {
    const path = new URL(request.url).pathname.replace(/\/+$/, "");
    const isRouter = path === NETLIFY_ROUTER_PATH;
    const isApi = path.startsWith(`${NETLIFY_API_PATH}/`);
    if (!isRouter && !isApi) return refusal(404, `not one of Netlify's Async Workloads paths: ${path}`);
    const client = request.headers.get(CLIENT_ADDRESS_HEADER) ?? undefined;
    const waitSeconds = client === undefined ? undefined : limiter.refusedFor(client, Date.now());
    if (waitSeconds !== undefined) {
      const response = refusal(429, `too many wrong API keys from this client: retry after ${waitSeconds} s`);
      response.headers.set("retry-after", String(waitSeconds));
      return response;
    }
    const auth = authorize(request.headers.get("authorization"));
    if (!auth.ok) {
      if (client !== undefined && auth.reason === "wrong") {
        const delayMs = limiter.failed(client, Date.now());
        if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      }
      return auth.status === 401 ? refusal(401, "invalid API key") : refusal(500, auth.error);
    }
    if (client !== undefined) limiter.succeeded(client);
    try {
      if (isRouter) {
        if (request.method !== "POST") return refusal(405, "send events with POST");
        return await route(request);
      }
      return await api(request, path.slice(NETLIFY_API_PATH.length));
    } catch (error) {
      if (error instanceof InvalidInputError) return invalid(error);
      if (error instanceof ApiError) return refusal(error.status, error.message);
      if (error instanceof MissingEnvironmentError) return refusal(500, error.message);
      throw error;
    }
  };
}
