/**
 * The engine's `@upstash/redis` client on the lean transport, through the client's documented
 * extension point, a custom `Requester` (`new Redis(requester)`): the client still builds every
 * command, pipeline and auto-pipelined batch and parses every reply; only the HTTP exchange is
 * keep-alive node:http (./keep-alive-http.ts) instead of fetch. Replies come as plain JSON (no
 * `Upstash-Encoding: base64`): the engine stores only JSON text, valid UTF-8, so the base64 detour
 * buys nothing; Upstash and awl dev both answer plainly without the header.
 *
 * Kept from the client's own HTTP layer (@upstash/redis 1.39 `HttpClient`), so the server sees the
 * same request: POST to the URL and command path, `authorization`, `Content-Type`, the no-cache
 * headers fetch adds for the client's `cache: "no-store"`, the
 * read-your-writes `upstash-sync-token` (sent and updated from each answer), network errors retried
 * 5 times (e^n * 50 ms apart; "Safe to repeat" in docs/how-it-works.md relies on it), and a non-2xx
 * answer thrown as `UpstashError("<error>, command was: <body>")`, which the NOSCRIPT fallback of
 * engine/store/scripts/run.ts reads.
 */
import { errors, Redis, type Requester, type UpstashRequest, type UpstashResponse } from "@upstash/redis";
import { OFFICIAL_CLIENT_RETRY, sendWithRetry } from "./keep-alive-http.ts";

export interface RedisRestCredentials {
  /** UPSTASH_REDIS_REST_URL */
  url: string;
  /** UPSTASH_REDIS_REST_TOKEN */
  token: string;
}

export function leanRedisRequester(credentials: RedisRestCredentials): Requester {
  const baseUrl = credentials.url.replace(/\/$/, "");
  const requester: Requester = {
    readYourWrites: true,
    upstashSyncToken: "",
    async request<TResult>(request: UpstashRequest): Promise<UpstashResponse<TResult>> {
      if (request.isStreaming || request.onMessage) {
        throw new TypeError("the lean Redis requester does not stream (SUBSCRIBE, MONITOR)");
      }
      const body = JSON.stringify(request.body);
      const answer = await sendWithRetry(
        {
          method: "POST",
          url: new URL([baseUrl, ...(request.path ?? [])].join("/")),
          headers: {
            "Content-Type": "application/json",
            authorization: `Bearer ${credentials.token}`,
            // What fetch sends for the client's `cache: "no-store"`: no cache on the way may answer.
            "cache-control": "no-cache",
            pragma: "no-cache",
            ...(requester.readYourWrites ? { "upstash-sync-token": requester.upstashSyncToken ?? "" } : {}),
            ...request.headers,
          },
          body,
        },
        OFFICIAL_CLIENT_RETRY,
      );
      let parsed: UpstashResponse<TResult>;
      try {
        parsed = JSON.parse(answer.text) as UpstashResponse<TResult>;
      } catch (cause) {
        throw new errors.UpstashJSONParseError(answer.text, { cause });
      }
      if (answer.status < 200 || answer.status > 299) {
        throw new errors.UpstashError(`${parsed.error}, command was: ${body}`);
      }
      if (requester.readYourWrites) requester.upstashSyncToken = answer.header("upstash-sync-token") ?? "";
      return parsed;
    },
  };
  return requester;
}

/**
 * The official client over a requester, configured as the engine needs it: replies handed over as
 * Redis sent them (no JSON parsing of values), no telemetry, and auto-pipelining on (commands
 * issued together share one request), which `new Redis(requester)` alone leaves as the defaults
 * of its other constructor would not: the protected options are set here as that constructor sets
 * them.
 */
class EngineRedis extends Redis {
  constructor(requester: Requester) {
    super(requester);
    this.opts = { automaticDeserialization: false };
    this.enableTelemetry = false;
    this.enableAutoPipelining = true;
    // As the official constructor does: the instance handed out is the auto-pipelining proxy.
    return this.autoPipeline() as EngineRedis;
  }
}

/** The engine's Redis client for a site's Upstash Redis REST credentials. */
export function engineRedis(credentials: RedisRestCredentials): Redis {
  return new EngineRedis(leanRedisRequester(credentials));
}
