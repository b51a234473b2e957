/**
 * One HTTP exchange over node:http/https with process-wide keep-alive agents: what the Redis and
 * QStash requesters send through instead of Node's fetch (undici), which costs several times as
 * much CPU per request (bench/experiments/transport-lean.ts). Works over https (Upstash) and plain
 * http (awl dev). A failure to connect or a dropped connection rejects (the caller retries it, as
 * the official clients retry fetch's network errors); any HTTP answer resolves, whatever its status.
 */
import http from "node:http";
import https from "node:https";

export interface HttpExchange {
  method: string;
  url: URL;
  headers: Record<string, string>;
  body?: string | undefined;
}

export interface HttpAnswer {
  status: number;
  /** A response header by its lower-case name. */
  header(name: string): string | undefined;
  text: string;
}

/**
 * How long a request may go without a byte from the server before it fails as a network error:
 * fetch's own limits (undici's headersTimeout and bodyTimeout), which the official clients ran with.
 */
const SILENCE_TIMEOUT_MS = 300_000;

// One pool per process, as fetch has: a warm function reuses its sockets across invocations.
const agents = {
  "http:": new http.Agent({ keepAlive: true }),
  "https:": new https.Agent({ keepAlive: true }),
};

/** Errors of requests that failed on a reused socket before any answer (see send). */
const staleSockets = new WeakSet<Error>();

export function send(exchange: HttpExchange): Promise<HttpAnswer> {
  const { url } = exchange;
  const secure = url.protocol === "https:";
  if (!secure && url.protocol !== "http:") {
    return Promise.reject(new TypeError(`${url.protocol} is not http: or https: (${url.origin})`));
  }
  const headers: Record<string, string | number> = { ...exchange.headers };
  if (exchange.body !== undefined) headers["content-length"] = Buffer.byteLength(exchange.body);
  return new Promise((resolve, reject) => {
    const request = (secure ? https : http).request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[(.*)\]$/, "$1"),
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: exchange.method,
        headers,
        agent: secure ? agents["https:"] : agents["http:"],
        timeout: SILENCE_TIMEOUT_MS,
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("error", reject);
        response.on("end", () => {
          const values = response.headers;
          resolve({
            status: response.statusCode ?? 0,
            header: (name) => {
              const value = values[name];
              return Array.isArray(value) ? value.join(", ") : value;
            },
            text: Buffer.concat(chunks).toString("utf8"),
          });
        });
      },
    );
    request.on("timeout", () =>
      request.destroy(new Error(`no answer from ${url.origin} for ${SILENCE_TIMEOUT_MS / 1000} s`)),
    );
    request.on("error", (error: NodeJS.ErrnoException) => {
      // A kept-alive socket the server had already closed (or a frozen function's, thawed): the
      // request never reached it. Node's documented remedy is to send again at once.
      if (request.reusedSocket && error.code === "ECONNRESET") staleSockets.add(error);
      reject(error);
    });
    request.end(exchange.body);
  });
}

/** The official clients' retry of network errors: `retries` more tries, waiting e^n * 50 ms before the n-th. */
export interface NetworkRetry {
  retries: number;
  backoffMs(retryCount: number): number;
}

export const OFFICIAL_CLIENT_RETRY: NetworkRetry = {
  retries: 5,
  backoffMs: (retryCount) => Math.exp(retryCount) * 50,
};

/**
 * `send`, tried again on a network error (never on an HTTP answer, whatever its status), as the
 * official clients do: a request that may or may not have arrived is sent again, which is safe
 * only because every request the engine sends is safe to repeat (docs/how-it-works.md).
 */
export async function sendWithRetry(exchange: HttpExchange, retry: NetworkRetry): Promise<HttpAnswer> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await send(exchange);
    } catch (error) {
      if (attempt >= retry.retries) throw error;
      // A stale kept-alive socket is no sign of trouble: try again without waiting.
      if (staleSockets.has(error as Error)) continue;
      await new Promise((resolve) => setTimeout(resolve, retry.backoffMs(attempt)));
    }
  }
}
