/**
 * The engine's `@upstash/qstash` client on the lean transport. The client has no documented way to
 * swap its fetch, but its HTTP layer is a public, typed field (`Client.http`, a `Requester`): the
 * client still resolves its credentials and builds every request (path, `Upstash-*` headers,
 * forwarded headers, telemetry, body); only sending it changes, to keep-alive node:http
 * (./keep-alive-http.ts). qstash-requester.test.ts holds what reaches the server equal to what the
 * official client sends on its own (method, URL, headers, body) for every call the engine makes.
 *
 * Kept from the client's own HTTP layer (@upstash/qstash 2.12 `HttpClient`): `Authorization` unless
 * the request carries one, the URL from the base URL, path and query, network errors retried 5
 * times (e^n * 50 ms apart; "Safe to repeat" in docs/how-it-works.md relies on it), a 429 thrown as
 * `QstashRatelimitError` and any other non-2xx as `QstashError(body, status)`.
 */
import { Client, QstashError, QstashRatelimitError } from "@upstash/qstash";
import { OFFICIAL_CLIENT_RETRY, sendWithRetry } from "./keep-alive-http.ts";

type Requester = Client["http"];
type UpstashRequest = Parameters<Requester["request"]>[0];

export interface QStashCredentials {
  /** QSTASH_URL */
  baseUrl: string;
  /** QSTASH_TOKEN */
  token: string;
}

function requestUrl(baseUrl: string, request: UpstashRequest): URL {
  const url = new URL([request.baseUrl ?? baseUrl, ...request.path].join("/"));
  for (const [key, value] of Object.entries(request.query ?? {})) {
    if (value === undefined) continue;
    if (Array.isArray(value)) {
      if (value.length === 0) throw new QstashError(`${key} cannot be an empty array`);
      for (const item of value) url.searchParams.append(key, item.toString());
    } else if (value instanceof Date) {
      url.searchParams.set(key, value.getTime().toString());
    } else {
      url.searchParams.set(key, value.toString());
    }
  }
  return url;
}

/**
 * A requester for `official`'s requests, with `credentials` (the ones `official` was built with):
 * the global and telemetry headers are the official requester's own.
 */
export function leanQStashRequester(credentials: QStashCredentials, official: Requester): Requester {
  const baseUrl = credentials.baseUrl.replace(/\/$/, "");
  return {
    headers: official.headers,
    telemetryHeaders: official.telemetryHeaders,
    requestStream() {
      throw new TypeError("the lean QStash requester does not stream (chat completions)");
    },
    async request<TResult>(request: UpstashRequest) {
      const { body } = request;
      if (body !== undefined && body !== null && typeof body !== "string") {
        throw new TypeError("the lean QStash requester sends string bodies only");
      }
      // The client's HeadersInit also admits an iterator of pairs, which Headers takes too.
      const headers = new Headers(request.headers as HeadersInit | undefined);
      if (!headers.has("Authorization")) headers.set("Authorization", `Bearer ${credentials.token}`);
      const answer = await sendWithRetry(
        {
          method: request.method ?? "GET",
          url: requestUrl(baseUrl, request),
          headers: Object.fromEntries(headers),
          body: body ?? undefined,
        },
        OFFICIAL_CLIENT_RETRY,
      );
      if (answer.status === 429) {
        throw new QstashRatelimitError({
          limit: answer.header("burst-ratelimit-limit") ?? null,
          remaining: answer.header("burst-ratelimit-remaining") ?? null,
          reset: answer.header("burst-ratelimit-reset") ?? null,
        });
      }
      if (answer.status < 200 || answer.status >= 300) {
        throw new QstashError(
          answer.text.length > 0 ? answer.text : `Error: status=${answer.status}`,
          answer.status,
        );
      }
      if (request.parseResponseAsJson === false) return undefined as never;
      return JSON.parse(answer.text) as Awaited<ReturnType<Requester["request"]>> & TResult;
    },
  };
}

/**
 * Where the official client sends when neither its config nor QSTASH_URL names a server (its
 * DEFAULT_QSTASH_URL; qstash-requester.test.ts checks the two agree). Sites on Upstash's default
 * QStash have no QSTASH_URL (the extension sets one only for another server).
 */
export const DEFAULT_QSTASH_URL = "https://qstash.upstash.io";

/**
 * The engine's QStash client, on the lean requester. In QStash dev mode or a multi-region setup
 * (`resolvesItself`) the official client decides where to send (its dev server, a region's URL)
 * and keeps its own transport.
 */
export function engineQStash(config: {
  baseUrl?: string | undefined;
  token?: string | undefined;
  resolvesItself: boolean;
}): Client {
  if (config.resolvesItself || !config.token) {
    return new Client({ ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}), token: config.token ?? "" });
  }
  const credentials = { baseUrl: config.baseUrl || DEFAULT_QSTASH_URL, token: config.token };
  const client = new Client(credentials);
  client.http = leanQStashRequester(credentials, client.http);
  return client;
}
