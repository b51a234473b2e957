/**
 * awl dev's three local servers (the Upstash Redis REST API, the QStash API and the events
 * dashboard) as a web page the developer opens would reach them, over real HTTP: a cross-site or
 * same-site request, `Origin: null` (a sandboxed frame, a data: URL) and a DNS-rebinding Host are
 * refused with a 403 naming the problem, whatever token they carry, and change nothing. The official
 * @upstash/redis and @upstash/qstash clients (no Origin, no Sec-Fetch-Site) keep working.
 */
import { createServer, request as httpRequest, type Server } from "node:http";
import { randomBytes } from "node:crypto";
import { getRequestListener, serve, type ServerType } from "@hono/node-server";
import { Client } from "@upstash/qstash";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  connectRedis,
  createDashboardApp,
  startRedisRest,
  type RedisConnection,
  type RedisRestServer,
} from "@awl/dev";
import { startStack, type Stack } from "../helpers/stack.ts";

const CROSS_SITE = { origin: "https://evil.example", "sec-fetch-site": "cross-site" };
/** What a browser sends from a page on another port of the same machine (http://localhost:3000). */
const SAME_SITE = { origin: "http://localhost:3000", "sec-fetch-site": "same-site" };
/** A sandboxed iframe or a data: URL page: no Sec-Fetch-Site from an older browser. */
const NULL_ORIGIN = { origin: "null" };
const REBINDING = { host: "evil.example:8079" };

let stack: Stack;
/** The dashboard's server, with stand-in page assets (this file tests what it answers, not the page). */
let dashboard: { url: string; server: Server };
/** A REST server over an in-memory store, so that a FLUSHALL that got through could not reach the shared Redis. */
let memory: RedisConnection;
let memoryRest: RedisRestServer;
/** Where QStash deliveries land: one entry per request received. */
let receiver: ServerType;
let receiverUrl = "";
const received: string[] = [];
const waiters: (() => void)[] = [];

beforeAll(async () => {
  stack = await startStack();
  const app = createDashboardApp(stack.runtime, { js: "", css: "" });
  const server = createServer(getRequestListener(app.fetch));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  dashboard = { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server };
  memory = await connectRedis({ url: "redis://127.0.0.1:1", connectTimeoutMs: 200, warn: () => undefined });
  memoryRest = await startRedisRest({ port: 0, token: "memory-token", connection: memory });
  receiver = await new Promise<ServerType>((resolve) => {
    const s = serve(
      {
        hostname: "127.0.0.1",
        port: 0,
        fetch: async (request: Request) => {
          received.push(await request.text());
          for (const wake of waiters.splice(0)) wake();
          return new Response("ok");
        },
      },
      (info) => {
        receiverUrl = `http://127.0.0.1:${info.port}`;
        resolve(s);
      },
    );
  });
}, 60_000);

afterAll(async () => {
  await new Promise<void>((resolve) => (receiver ? receiver.close(() => resolve()) : resolve()));
  await memoryRest?.close();
  await memory?.close();
  await new Promise<void>((resolve) => (dashboard ? dashboard.server.close(() => resolve()) : resolve()));
  await stack?.close();
});

/** Resolves once a delivery whose body contains `marker` has arrived. */
async function delivered(marker: string): Promise<void> {
  while (!received.some((body) => body.includes(marker))) {
    await new Promise<void>((resolve) => waiters.push(resolve));
  }
}

/** node:http, because fetch will not send a Host of our choosing. */
function call(
  url: string,
  headers: Record<string, string>,
  { method = "GET", body }: { method?: string; body?: string } = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers }, (response) => {
      let text = "";
      response.setEncoding("utf8");
      response.on("data", (chunk: string) => (text += chunk));
      response.on("end", () => resolve({ status: response.statusCode ?? 0, text }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

const error = (text: string) => (JSON.parse(text) as { error: string }).error;

describe("the Upstash Redis REST API", () => {
  test("a cross-site GET /flushall with the token in the query string is refused and empties nothing", async () => {
    const kept = `awl-guard:${randomBytes(4).toString("hex")}`;
    await memory.redis.set(kept, "still here");
    const answer = await call(`${memoryRest.url}/flushall?_token=memory-token`, CROSS_SITE);
    expect(answer.status).toBe(403);
    expect(error(answer.text)).toMatch(/cross-site.*refused/);
    expect(await memory.redis.get(kept)).toBe("still here");
  });

  test("same-site, Origin null, another Origin and a Referer from another site are refused, with a Bearer token too", async () => {
    const key = `${stack.prefix}guard:set`;
    const path = `/set/${encodeURIComponent(key)}/written`;
    const bearer = { authorization: `Bearer ${stack.redisRest.token}` };
    for (const headers of [
      SAME_SITE,
      NULL_ORIGIN,
      { origin: "https://evil.example" },
      { referer: "https://evil.example/attack.html" },
    ]) {
      const answer = await call(`${stack.redisRest.url}${path}`, { ...bearer, ...headers });
      expect({ headers, status: answer.status }).toEqual({ headers, status: 403 });
      expect(error(answer.text)).toMatch(/refused/);
    }
    expect(await stack.connection.redis.exists(key)).toBe(0);
  });

  test("a DNS-rebinding Host cannot read CONFIG GET dir", async () => {
    const answer = await call(`${stack.redisRest.url}/config/get/dir`, {
      ...REBINDING,
      authorization: `Bearer ${stack.redisRest.token}`,
    });
    expect(answer.status).toBe(403);
    expect(error(answer.text)).toMatch(/evil\.example.*not a loopback name.*DNS rebinding/);
    expect(answer.text).not.toMatch(/"result"/);
  });

  test("the official client, and curl-like requests with _token, still work", async () => {
    const key = `${stack.prefix}guard:client`;
    const client = new Redis({
      url: stack.redisRest.url,
      token: stack.redisRest.token,
      enableTelemetry: false,
    });
    await client.set(key, "via @upstash/redis");
    expect(await client.get(key)).toBe("via @upstash/redis");
    const curl = await call(
      `${stack.redisRest.url}/get/${encodeURIComponent(key)}?_token=${stack.redisRest.token}`,
      {},
    );
    expect(JSON.parse(curl.text)).toEqual({ result: "via @upstash/redis" });
    // A browser on the server's own origin (typing the URL: Sec-Fetch-Site none) is not a cross-site request.
    const own = await call(
      `${stack.redisRest.url}/get/${encodeURIComponent(key)}?_token=${stack.redisRest.token}`,
      {
        "sec-fetch-site": "none",
      },
    );
    expect(own.status).toBe(200);
  });
});

describe("the QStash API", () => {
  const publishPath = (marker: string) => `/v2/publish/${receiverUrl}/${marker}`;

  test("a cross-site publish with the token in the query string is refused and nothing is sent", async () => {
    const before = stack.qstash.stats().published;
    const marker = `refused-${randomBytes(4).toString("hex")}`;
    const answer = await call(
      `${stack.qstash.url}${publishPath(marker)}?qstash_token=${encodeURIComponent(stack.qstash.token)}`,
      { ...CROSS_SITE, "content-type": "text/plain" },
      { method: "POST", body: marker },
    );
    expect(answer.status).toBe(403);
    expect(error(answer.text)).toMatch(/cross-site.*refused/);
    expect(stack.qstash.stats().published).toBe(before);
    // Control: the same publish from a non-browser client goes through and is delivered; the
    // refused one was never stored, so it is not among the deliveries either.
    const sent = `accepted-${randomBytes(4).toString("hex")}`;
    const accepted = await call(
      `${stack.qstash.url}${publishPath(sent)}?qstash_token=${encodeURIComponent(stack.qstash.token)}`,
      { "content-type": "text/plain" },
      { method: "POST", body: sent },
    );
    expect(accepted.status).toBe(200);
    await delivered(sent);
    expect(received.filter((body) => body.includes(marker))).toEqual([]);
  });

  test("same-site, Origin null and a rebinding Host are refused, with a Bearer token too", async () => {
    const bearer = { authorization: `Bearer ${stack.qstash.token}` };
    for (const headers of [SAME_SITE, NULL_ORIGIN, REBINDING]) {
      const answer = await call(`${stack.qstash.url}/v2/messages`, { ...bearer, ...headers });
      expect({ headers, status: answer.status }).toEqual({ headers, status: 403 });
      expect(error(answer.text)).toMatch(/refused|not a loopback name/);
    }
  });

  test("the official client still publishes and its message is delivered", async () => {
    const marker = `client-${randomBytes(4).toString("hex")}`;
    const client = new Client({ baseUrl: stack.qstash.url, token: stack.qstash.token });
    await client.publish({ url: `${receiverUrl}/client`, body: marker });
    await delivered(marker);
  });
});

describe("the events dashboard", () => {
  test("Origin null is refused even without Sec-Fetch-Site, and so is same-site", async () => {
    for (const headers of [NULL_ORIGIN, SAME_SITE]) {
      const answer = await call(`${dashboard.url}/awl/api/events/retry`, headers, {
        method: "POST",
        body: "{}",
      });
      expect({ headers, status: answer.status }).toEqual({ headers, status: 403 });
      expect(error(answer.text)).toMatch(/refused/);
    }
  });

  test("its own page's requests (same origin) are answered", async () => {
    const host = new URL(dashboard.url).host;
    const answer = await call(`${dashboard.url}/awl/api/stats`, {
      origin: dashboard.url,
      "sec-fetch-site": "same-origin",
      host,
    });
    expect(answer.status).toBe(200);
  });
});
