/**
 * An experiment, not used by the suite or the product: the official @upstash/redis and
 * @upstash/qstash clients with their HTTP layer (Node's fetch) swapped for node:http keep-alive
 * requests, to measure how much of a run's cost is fetch itself. The Redis client gets a
 * replacement for its requester; the QStash client's request method is replaced. Both keep the
 * official clients' command building and parsing. No retries, no TLS agent tuning: a measuring
 * device, not production code.
 */
import http from "node:http";
import { Client } from "@upstash/qstash";
import { Redis } from "@upstash/redis";

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function post(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        method,
        path: `${url.pathname}${url.search}`,
        agent,
        headers: { ...headers, ...(body !== undefined ? { "content-length": Buffer.byteLength(body) } : {}) },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
        );
        response.on("error", reject);
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}

/** The official Redis client, sending its commands with node:http instead of fetch. */
export function nodeHttpRedis(url: string, token: string): Redis {
  const redis = new Redis({ url, token, automaticDeserialization: false, enableTelemetry: false });
  const requester = {
    async request(request: { path?: string[]; body?: unknown }) {
      const body = JSON.stringify(request.body);
      const target = new URL(`${url}/${(request.path ?? []).join("/")}`);
      const { status, text } = await post(
        target,
        "POST",
        { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body,
      );
      const parsed = JSON.parse(text) as { error?: string };
      if (status !== 200) throw new Error(`${parsed.error ?? text}, command was: ${body}`);
      return parsed;
    },
  };
  (redis as unknown as { client: unknown }).client = requester;
  return redis;
}

/** The official QStash client, making its API requests with node:http instead of fetch. */
export function nodeHttpQStash(baseUrl: string, token: string): Client {
  const client = new Client({ baseUrl, token });
  const httpClient = (client as unknown as { http: Record<string, unknown> }).http;
  const processRequest = httpClient.processRequest as (
    request: unknown,
  ) => [string, { method?: string; headers: Headers; body?: string }];
  httpClient.requestWithBackoff = async (request: unknown) => {
    const [url, options] = processRequest(request);
    const { status, text } = await post(
      new URL(url),
      options.method ?? "POST",
      Object.fromEntries(options.headers),
      options.body,
    );
    if (status >= 300) throw new Error(`QStash answered ${status}: ${text}`);
    return { response: { status, ok: true, json: async () => JSON.parse(text) as unknown } };
  };
  return client;
}
