/**
 * Timer accuracy of awl dev's QStash server itself (which every QStash-driven figure here depends
 * on): messages published with delays spread over a range to a bare node:http receiver. Lateness
 * is arrival minus the time the server scheduled the message for (its `notBefore`); the same
 * figures from the publisher's clock add the publish round trip. Also run alone by
 * `npm run bench:timers` (bench/qstash-timers.ts).
 */
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@upstash/qstash";
import { connectRedis, startQStash } from "@awl/dev";
import { summarize, type Summary } from "../lib/stats.ts";

export interface TimerAccuracy {
  messages: number;
  delivered: number;
  delaysMs: [number, number];
  latenessMs: Summary;
  latenessFromPublisherClockMs: Summary;
  redisRoundTripsPerMessage: number;
}

export async function measureQStashTimers(options: {
  redisUrl?: string;
  messages: number;
  minDelayMs: number;
  maxDelayMs: number;
}): Promise<TimerAccuracy> {
  const { messages, minDelayMs, maxDelayMs } = options;
  const connection = await connectRedis({ url: options.redisUrl, requireRedis: true });
  const keyPrefix = `awl-dev:qstash:bench-${randomUUID()}:`;
  const server = await startQStash({ connection, port: 0, keyPrefix, log: () => undefined });
  const arrivals = new Map<string, number>();
  const receiver = http.createServer((request, response) => {
    const arrivedAt = performance.timeOrigin + performance.now();
    arrivals.set(String(request.headers["upstash-message-id"]), arrivedAt);
    request.resume();
    request.on("end", () => response.end("ok"));
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  const target = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/timer`;
  try {
    const client = new Client({ baseUrl: server.url, token: server.token, retry: false });
    const warmUp = 50;
    await Promise.all(
      Array.from({ length: warmUp }, () => client.publish({ url: `${target}/warm-up`, body: "" })),
    );
    while (arrivals.size < warmUp) await new Promise((resolve) => setTimeout(resolve, 10));
    arrivals.clear();
    const before = server.stats();
    const published: { id: string; scheduledAt: number; publisherDueAt: number }[] = [];
    let next = 0;
    const publishOne = async () => {
      for (let index = next++; index < messages; index = next++) {
        const delay = minDelayMs + Math.round(Math.random() * (maxDelayMs - minDelayMs));
        const sentAt = Date.now();
        const { messageId } = await client.publish({
          url: target,
          body: String(index),
          headers: { "Upstash-Delay": `${delay}ms` },
        });
        const { notBefore = sentAt + delay } = await client.messages.get(messageId);
        published.push({ id: messageId, scheduledAt: notBefore, publisherDueAt: sentAt + delay });
      }
    };
    await Promise.all(Array.from({ length: 10 }, publishOne));
    const deadline = Date.now() + maxDelayMs + 15_000;
    while (arrivals.size < messages && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const after = server.stats();
    const delivered = published.filter(({ id }) => arrivals.has(id));
    return {
      messages,
      delivered: delivered.length,
      delaysMs: [minDelayMs, maxDelayMs],
      latenessMs: summarize(delivered.map(({ id, scheduledAt }) => arrivals.get(id)! - scheduledAt)),
      latenessFromPublisherClockMs: summarize(
        delivered.map(({ id, publisherDueAt }) => arrivals.get(id)! - publisherDueAt),
      ),
      redisRoundTripsPerMessage:
        Math.round(((after.redisRoundTrips - before.redisRoundTrips) / messages) * 100) / 100,
    };
  } finally {
    await server.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
    const leftovers = await connection.redis.keys(`${keyPrefix}*`);
    if (leftovers.length > 0) await connection.redis.del(...leftovers);
    await connection.close();
  }
}
