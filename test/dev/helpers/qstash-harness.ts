/**
 * What the QStash integration tests share: a server on a free port against the real Redis under a
 * key prefix of its own (test files run in parallel processes), the official client pointed at it,
 * and a receiver (a plain node http server) that verifies every delivery with the official
 * `Receiver` and records it. Waiting is by polling for an outcome, never by measuring time.
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, afterEach, beforeAll, expect } from "vitest";
import { Client, Receiver } from "@upstash/qstash";
import {
  connectRedis,
  startQStash,
  type QStashOptions,
  type QStashServer,
  type RedisConnection,
} from "@awl/dev";

export interface Delivery {
  path: string;
  method: string;
  headers: http.IncomingHttpHeaders;
  body: string;
  messageId: string;
  retried: number;
  /** Date.now() when the request arrived, before its body was read. */
  receivedAt: number;
}

/** What the receiver answers: a status, or a promise of one (to keep a delivery in flight). */
export type Answer = (delivery: Delivery) => number | Promise<number>;

export interface TestReceiver {
  url(path: string): string;
  readonly deliveries: Delivery[];
  /** Deliveries whose signature the official Receiver refused (always expected to be empty). */
  readonly refused: string[];
  answer: Answer;
  to(path: string): Delivery[];
  close(): Promise<void>;
}

export async function startReceiver(keys: {
  currentSigningKey: string;
  nextSigningKey: string;
}): Promise<TestReceiver> {
  const verifier = new Receiver(keys);
  const deliveries: Delivery[] = [];
  const refused: string[] = [];
  let port = 0;
  const receiver: TestReceiver = {
    url: (path) => `http://127.0.0.1:${port}${path}`,
    deliveries,
    refused,
    answer: () => 200,
    to: (path) => deliveries.filter((delivery) => delivery.path === path),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  const server = http.createServer(async (request, response) => {
    const receivedAt = Date.now();
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    const path = request.url ?? "/";
    try {
      await verifier.verify({
        signature: String(request.headers["upstash-signature"]),
        body,
        url: `http://127.0.0.1:${port}${path}`,
      });
    } catch (error) {
      refused.push(`${path}: ${(error as Error).message}`);
      response.writeHead(401).end();
      return;
    }
    const delivery: Delivery = {
      path,
      method: request.method ?? "",
      headers: request.headers,
      body,
      messageId: String(request.headers["upstash-message-id"]),
      retried: Number(request.headers["upstash-retried"]),
      receivedAt,
    };
    deliveries.push(delivery);
    const status = await receiver.answer(delivery);
    if (!response.destroyed) response.writeHead(status).end(status >= 300 ? `failed with ${status}` : "ok");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  port = (server.address() as AddressInfo).port;
  return receiver;
}

/** Polls `check` until it returns (or resolves to) something other than undefined/false. */
export async function eventually<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface Harness {
  connection: RedisConnection;
  prefix: string;
  server: QStashServer;
  client: Client;
  receiver: TestReceiver;
  log: string[];
  /** Raw request to the server, with its token unless `token` says otherwise. */
  request(path: string, init?: RequestInit & { token?: string | null }): Promise<Response>;
  /** Stops the server and starts another on the same Redis and key prefix. */
  restart(): Promise<void>;
  /** Keys the server holds in Redis. */
  keys(): Promise<string[]>;
  /**
   * Waits until every message is settled: none waiting and none in flight. (`pending` alone is 0
   * while the last delivery is still in flight, before its outcome is recorded.)
   */
  settled(what: string): Promise<void>;
  close(): Promise<void>;
}

export async function startHarness(options: Partial<QStashOptions> = {}): Promise<Harness> {
  const connection = await connectRedis({ requireRedis: true });
  const prefix = `awl-dev:qstash:test-${randomUUID()}:`;
  const log: string[] = [];
  const start = () =>
    startQStash({ port: 0, keyPrefix: prefix, log: (line) => log.push(line), ...options, connection });
  let server = await start();
  const receiver = await startReceiver(server);
  const harness: Harness = {
    connection,
    prefix,
    server,
    client: new Client({ baseUrl: server.url, token: server.token, retry: false }),
    receiver,
    log,
    request(path, init = {}) {
      const { token = server.token, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token !== null) headers.set("Authorization", `Bearer ${token}`);
      return fetch(`${server.url}${path}`, { ...rest, headers });
    },
    async restart() {
      await server.close();
      server = await start();
      harness.server = server;
      harness.client = new Client({ baseUrl: server.url, token: server.token, retry: false });
    },
    async settled(what) {
      await eventually(what, () => harness.server.stats().pending + harness.server.stats().inFlight === 0);
    },
    async keys() {
      const found: string[] = [];
      let cursor = "0";
      do {
        const [next, batch] = await connection.redis.scan(cursor, "MATCH", `${prefix}*`, "COUNT", 1000);
        found.push(...batch);
        cursor = next;
      } while (cursor !== "0");
      return found;
    },
    async close() {
      await server.close();
      await receiver.close();
      const keys = await harness.keys();
      if (keys.length > 0) await connection.redis.del(...keys);
      await connection.close();
    },
  };
  return harness;
}

/**
 * Gives a test file one harness (`assign` receives it before the first test) and, after every
 * test, checks that the receiver refused no delivery (each one verified) and resets its answer.
 */
export function useHarness(assign: (harness: Harness) => void): void {
  let harness: Harness | undefined;
  beforeAll(async () => {
    harness = await startHarness();
    assign(harness);
  });
  afterAll(() => harness?.close());
  afterEach(() => {
    expect(harness?.receiver.refused).toEqual([]);
    if (harness) harness.receiver.answer = () => 200;
  });
}
