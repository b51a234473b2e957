/**
 * One delivery attempt over HTTP, as QStash makes it: the stored body unchanged, the message's
 * method, its forwarded headers, and `Upstash-Message-Id`, `Upstash-Retried`, `Upstash-Signature`,
 * `Upstash-Caller-Ip` and `User-Agent: Upstash-QStash`. Uses node:http with keep-alive agents (no
 * per-request connection setup; socket count bounded by the caller's concurrency) rather than fetch,
 * which refuses some headers a publisher may forward. A non-2xx answer, a timeout or a refused
 * connection is a failed attempt; the caller decides what follows.
 */
import http from "node:http";
import https from "node:https";
import { canonicalHeaderName, type DeliveryResponse, type StoredMessage } from "./message.ts";
import type { Signer } from "./signing.ts";
import { acrossLink } from "../modeled-latency.ts";

/** How long a destination may take to answer when the message set no `Upstash-Timeout`. */
const DEFAULT_TIMEOUT_MS = 15 * 60_000;

/** Bytes of a response body kept for callbacks and the DLQ. */
const MAX_RESPONSE_BODY = 1024 * 1024;

// Hop-by-hop and framing headers belong to this connection, not to the message.
const NOT_FORWARDED = new Set([
  "connection",
  "keep-alive",
  "transfer-encoding",
  "content-length",
  "upgrade",
  "te",
]);

export interface AttemptJob {
  message: StoredMessage;
  body: Buffer;
  bodyHash: string;
}

export interface AttemptResult {
  ok: boolean;
  response?: DeliveryResponse;
  error?: string;
  ms: number;
  /** The attempt was cut short by close(): it is neither a success nor a failure. */
  abandoned: boolean;
}

export interface Deliverer {
  /** `keepBody`: whether a successful answer's body is needed (for a callback). */
  attempt(job: AttemptJob, keepBody: boolean): Promise<AttemptResult>;
  /** Aborts every attempt in progress (each resolves as abandoned) and closes idle sockets. */
  abandonAll(): void;
}

/**
 * `roundTripMs`: the modeled round trip to the site (../modeled-latency.ts), which holds the
 * attempt's slot as a real one would.
 */
export function createDeliverer(signer: Signer, maxSockets: number, roundTripMs = 0): Deliverer {
  const agents = {
    "http:": new http.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets }),
    "https:": new https.Agent({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets }),
  };
  const inProgress = new Set<http.ClientRequest>();
  let abandoning = false;

  const requestHeaders = (job: AttemptJob, signature: string) => {
    const { message, body } = job;
    const headers: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(message.headers)) {
      if (!NOT_FORWARDED.has(name.toLowerCase())) headers[name] = value;
    }
    headers["Upstash-Message-Id"] = message.id;
    headers["Upstash-Retried"] = String(message.retried);
    headers["Upstash-Signature"] = signature;
    headers["User-Agent"] = "Upstash-QStash";
    if (message.callerIp !== undefined) headers["Upstash-Caller-Ip"] = message.callerIp;
    headers["Content-Length"] = body.length;
    return headers;
  };

  async function attemptOnce(job: AttemptJob, keepBody: boolean): Promise<AttemptResult> {
    const started = performance.now();
    const signature = await signer.sign(job.message.url, job.bodyHash);
    if (abandoning) return { ok: false, ms: 0, abandoned: true };
    const target = new URL(job.message.url);
    const agent = target.protocol === "https:" ? agents["https:"] : agents["http:"];
    const transport = target.protocol === "https:" ? https : http;
    const timeoutMs = job.message.timeoutMs ?? DEFAULT_TIMEOUT_MS;

    return new Promise<AttemptResult>((resolve) => {
      const done = (result: Omit<AttemptResult, "ms" | "abandoned">) =>
        resolve({ ...result, ms: Math.round(performance.now() - started), abandoned: abandoning });
      let request: http.ClientRequest;
      try {
        request = transport.request({
          protocol: target.protocol,
          hostname: target.hostname.replace(/^\[(.*)\]$/, "$1"),
          port: target.port,
          path: `${target.pathname}${target.search}`,
          method: job.message.method,
          headers: requestHeaders(job, signature),
          agent,
        });
      } catch (error) {
        // Node refuses some header values (e.g. control characters) before sending anything.
        done({ ok: false, error: (error as Error).message });
        return;
      }
      let settled = false;
      const finish = (result: Omit<AttemptResult, "ms" | "abandoned">) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        inProgress.delete(request);
        done(result);
      };
      const timer = setTimeout(
        () => request.destroy(new Error(`timed out after ${timeoutMs} ms`)),
        timeoutMs,
      );
      inProgress.add(request);
      request.on("error", (error) => finish({ ok: false, error: error.message }));
      request.on("response", (response) => {
        const status = response.statusCode ?? 0;
        const ok = status >= 200 && status < 300;
        const chunks: Buffer[] = [];
        let size = 0;
        const collect = keepBody || !ok;
        response.on("data", (chunk: Buffer) => {
          if (collect && size < MAX_RESPONSE_BODY) {
            chunks.push(chunk);
            size += chunk.length;
          }
        });
        response.on("error", (error) => finish({ ok: false, error: error.message }));
        response.on("end", () => {
          const headers: Record<string, string[]> = {};
          for (const [name, values] of Object.entries(response.headersDistinct)) {
            if (values) headers[canonicalHeaderName(name)] = values;
          }
          finish({
            ok,
            response: { status, headers, body: Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BODY) },
          });
        });
      });
      request.end(job.body);
    });
  }

  return {
    attempt: (job, keepBody) => acrossLink(roundTripMs, () => attemptOnce(job, keepBody)),

    abandonAll() {
      abandoning = true;
      for (const request of inProgress) request.destroy(new Error("qstash server closing"));
      agents["http:"].destroy();
      agents["https:"].destroy();
    },
  };
}
