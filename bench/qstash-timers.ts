/**
 * Timer accuracy of the `awl dev` QStash server: 500 messages published with delays spread over
 * 2-5 s to a local receiver, against the real Redis. Lateness is arrival at the receiver minus the
 * time the server scheduled the message for (its `notBefore`); the same figures measured from the
 * publisher's clock (which adds the publish round trip) are reported beside them.
 *
 *   npx tsx bench/qstash-timers.ts      (or: npm run bench:timers)
 *
 * Prints p50/p99/max and writes bench/results/qstash-timers.json.
 */
import { randomUUID } from "node:crypto";
import { mkdirSync, writeFileSync } from "node:fs";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import { Client } from "@upstash/qstash";
import { connectRedis } from "../cli/src/dev/redis-connection.ts";
import { startQStash } from "../cli/src/dev/qstash/server.ts";

const MESSAGES = 500;
const MIN_DELAY_MS = 2000;
const MAX_DELAY_MS = 5000;
const PUBLISH_CONCURRENCY = 10;
const DEADLINE_MS = MAX_DELAY_MS + 15_000;

const connection = await connectRedis({ requireRedis: true });
const keyPrefix = `awl-dev:qstash:bench-${randomUUID()}:`;
const server = await startQStash({ connection, port: 0, keyPrefix, log: () => undefined });

// Receiver: note when each message arrives (wall clock, sub-millisecond).
const arrivals = new Map<string, number>();
const receiver = http.createServer((request, response) => {
  const arrivedAt = performance.timeOrigin + performance.now();
  arrivals.set(String(request.headers["upstash-message-id"]), arrivedAt);
  request.resume();
  request.on("end", () => response.end("ok"));
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/timer`;

const client = new Client({ baseUrl: server.url, token: server.token, retry: false });
// Warm up the publishing side (connections, JIT) so the publisher-clock figures measure steady state.
const WARM_UP = 50;
await Promise.all(
  Array.from({ length: WARM_UP }, () => client.publish({ url: `${target}/warm-up`, body: "" })),
);
while (arrivals.size < WARM_UP) await new Promise((resolve) => setTimeout(resolve, 10));
arrivals.clear();
const before = server.stats();
const published: { id: string; scheduledAt: number; publisherDueAt: number }[] = [];
let next = 0;
const publishOne = async () => {
  for (let index = next++; index < MESSAGES; index = next++) {
    const delay = MIN_DELAY_MS + Math.round(Math.random() * (MAX_DELAY_MS - MIN_DELAY_MS));
    const sentAt = Date.now();
    // Raw Upstash-* headers pass through the client untouched; QStash accepts Go durations like "2345ms".
    const { messageId } = await client.publish({
      url: target,
      body: String(index),
      headers: { "Upstash-Delay": `${delay}ms` },
    });
    const { notBefore = sentAt + delay } = await client.messages.get(messageId);
    published.push({ id: messageId, scheduledAt: notBefore, publisherDueAt: sentAt + delay });
  }
};
await Promise.all(Array.from({ length: PUBLISH_CONCURRENCY }, publishOne));

const deadline = Date.now() + DEADLINE_MS;
while (arrivals.size < MESSAGES && Date.now() < deadline)
  await new Promise((resolve) => setTimeout(resolve, 50));
const after = server.stats();

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
const summarize = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const round = (value: number) => Math.round(value * 100) / 100;
  return {
    min: round(sorted[0] ?? NaN),
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted.at(-1) ?? NaN),
  };
};
const delivered = published.filter(({ id }) => arrivals.has(id));
const lateness = summarize(
  delivered.map(({ id, scheduledAt }) => (arrivals.get(id) as number) - scheduledAt),
);
const fromPublisher = summarize(
  delivered.map(({ id, publisherDueAt }) => (arrivals.get(id) as number) - publisherDueAt),
);

const result = {
  benchmark: "qstash-timers",
  date: new Date().toISOString(),
  machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? "unknown", node: process.version },
  redis: connection.url,
  messages: MESSAGES,
  delivered: delivered.length,
  delaysMs: [MIN_DELAY_MS, MAX_DELAY_MS],
  latenessMs: lateness,
  latenessFromPublisherClockMs: fromPublisher,
  redisRoundTripsPerMessage:
    Math.round(((after.redisRoundTrips - before.redisRoundTrips) / MESSAGES) * 100) / 100,
  serverStats: {
    published: after.published - before.published,
    delivered: after.delivered - before.delivered,
    retried: after.retried - before.retried,
  },
};

console.log(
  `qstash timers: ${delivered.length}/${MESSAGES} delivered, delays ${MIN_DELAY_MS}-${MAX_DELAY_MS} ms`,
);
console.log(`lateness vs scheduled time (ms): p50 ${lateness.p50}  p99 ${lateness.p99}  max ${lateness.max}`);
console.log(
  `lateness vs publisher clock (ms):  p50 ${fromPublisher.p50}  p99 ${fromPublisher.p99}  max ${fromPublisher.max}`,
);
console.log(`redis round trips per message (publish -> deliver): ${result.redisRoundTripsPerMessage}`);

const resultsDirectory = new URL("./results/", import.meta.url);
mkdirSync(resultsDirectory, { recursive: true });
writeFileSync(new URL("qstash-timers.json", resultsDirectory), `${JSON.stringify(result, null, 2)}\n`);

await server.close();
await new Promise<void>((resolve) => receiver.close(() => resolve()));
const leftovers = await connection.redis.keys(`${keyPrefix}*`);
if (leftovers.length > 0) await connection.redis.del(...leftovers);
await connection.close();
if (delivered.length < MESSAGES) process.exitCode = 1;
