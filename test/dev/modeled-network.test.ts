/**
 * What `awl dev --granularity 1s` and `--latency` model of production, over real HTTP: timed
 * messages go out on whole seconds as QStash sends them, and each request across a modeled link
 * (Redis REST, the QStash API, a delivery) takes at least its round trip. Only lower bounds are
 * asserted: a loaded machine may always be slower.
 */
import { randomUUID } from "node:crypto";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connectRedis,
  startRedisRest,
  startStack,
  type RedisConnection,
  type RedisRestServer,
} from "@awl/dev";
import { eventually, startHarness, type Harness } from "./helpers/qstash-harness.ts";

/** Node's timers may fire up to a millisecond early by the wall clock; lower bounds allow for it. */
const CLOCK_SLACK_MS = 2;

describe("--granularity 1s", () => {
  let h: Harness;
  beforeAll(async () => (h = await startHarness({ timerGranularity: "1s" })));
  afterAll(() => h?.close());

  it("delivers a delayed message on the first whole second not before its time", async () => {
    // 1500ms: its due time falls inside a second whatever the publish millisecond.
    const { messageId } = await h.client.publish({
      url: h.receiver.url("/delayed"),
      body: "x",
      headers: { "Upstash-Delay": "1500ms" },
    });
    // NaN if the server did not report it: every comparison below would fail.
    const notBefore = (await h.client.messages.get(messageId)).notBefore ?? Number.NaN;
    const delivery = await eventually("the delayed delivery", () => h.receiver.to("/delayed")[0]);
    expect(delivery.receivedAt).toBeGreaterThanOrEqual(notBefore);
    expect(delivery.receivedAt).toBeGreaterThanOrEqual(Math.ceil(notBefore / 1000) * 1000);
  });

  it("delivers a notBefore message no earlier than that second", async () => {
    const notBefore = Math.floor(Date.now() / 1000) + 2;
    await h.client.publish({ url: h.receiver.url("/not-before"), body: "x", notBefore });
    const timed = await eventually("the timed delivery", () => h.receiver.to("/not-before")[0]);
    expect(timed.receivedAt).toBeGreaterThanOrEqual(notBefore * 1000);
  });

  it("retries on whole seconds too", async () => {
    h.receiver.answer = (delivery) => (delivery.retried === 0 ? 500 : 200);
    await h.client.publish({ url: h.receiver.url("/retry"), body: "x", retries: 1, retryDelay: "300" });
    const [first, second] = await eventually("the retry", () => {
      const deliveries = h.receiver.to("/retry");
      return deliveries.length === 2 && deliveries;
    });
    // Due 300 ms after the failed attempt was recorded (after it arrived), released on the second after.
    expect(second!.retried).toBe(1);
    expect(second!.receivedAt).toBeGreaterThanOrEqual(Math.ceil((first!.receivedAt + 300) / 1000) * 1000);
  });
});

describe("--latency", () => {
  const QSTASH_MS = 80;
  const REDIS_MS = 60;
  let h: Harness;
  let connection: RedisConnection;
  let rest: RedisRestServer;
  beforeAll(async () => {
    h = await startHarness({ latencyMs: QSTASH_MS });
    connection = await connectRedis({ requireRedis: true });
    rest = await startRedisRest({ port: 0, token: "latency-test", connection, latencyMs: REDIS_MS });
  });
  afterAll(async () => {
    await h?.close();
    await rest?.close();
    await connection?.close();
  });

  it("adds the Redis round trip to every REST request, a pipeline being one", async () => {
    const redis = new Redis({ url: rest.url, token: rest.token, enableTelemetry: false });
    const key = `awl-test:latency:${randomUUID()}`;
    let started = Date.now();
    await redis.set(key, "v", { ex: 60 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(REDIS_MS - CLOCK_SLACK_MS);
    started = Date.now();
    const [value] = await redis.pipeline().get(key).del(key).exec();
    expect(value).toBe("v");
    expect(Date.now() - started).toBeGreaterThanOrEqual(REDIS_MS - CLOCK_SLACK_MS);
  });

  it("adds the QStash round trip to a publish, and the delivery it makes arrives a round trip after the publish was sent", async () => {
    const started = Date.now();
    await h.client.publish({ url: h.receiver.url("/latency"), body: "x" });
    const published = Date.now();
    expect(published - started).toBeGreaterThanOrEqual(QSTASH_MS - CLOCK_SLACK_MS);
    const delivery = await eventually("the delivery", () => h.receiver.to("/latency")[0]);
    // Accepted half a round trip after it was sent; delivered half a round trip after that.
    expect(delivery.receivedAt - started).toBeGreaterThanOrEqual(QSTASH_MS - CLOCK_SLACK_MS);
  });
});

describe("bad options", () => {
  it("startStack refuses a latency or granularity it cannot model, naming it, before it listens", async () => {
    for (const [options, named] of [
      [{ latency: { redisMs: -1 } }, /latency\.redisMs: -1 is not a round trip/],
      [{ latency: { qstashMs: Number.NaN } }, /latency\.qstashMs: NaN is not a round trip/],
      [{ timerGranularity: "100ms" as "1s" }, /timerGranularity: "100ms" is not one of exact, 1s/],
    ] as const) {
      await expect(
        startStack({ ...options, redisRestPort: 0, qstashPort: 0, requireRedis: true, log: () => undefined }),
      ).rejects.toThrow(named);
    }
  });
});
