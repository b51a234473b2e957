/**
 * The engine's clients on the lean transport (client/src/transport/*-requester.ts) against awl dev
 * over real HTTP and a real Redis: Redis REST without base64 replies (raw values, scripts with the
 * NOSCRIPT fallback, an error for a bad command), and QStash publishes and batches that are
 * delivered, signed, to the site.
 */
import { createHash, randomUUID } from "node:crypto";
import { Receiver } from "@upstash/qstash";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startStack, type DevStack } from "@awl/dev";
import { engineQStash } from "../../client/src/transport/qstash-requester.ts";
import { engineRedis } from "../../client/src/transport/redis-requester.ts";
import { eventually, startReceiver, type TestReceiver } from "./helpers/qstash-harness.ts";

const prefix = `awl-test:lean:${randomUUID()}:`;
let stack: DevStack;
let receiver: TestReceiver;

beforeAll(async () => {
  stack = await startStack({
    redisRestPort: 0,
    qstashPort: 0,
    requireRedis: true,
    qstashKeyPrefix: `${prefix}qstash:`,
    log: () => undefined,
    beforeDisconnect: async (connection) => {
      const keys = await connection.redis.keys(`${prefix}*`);
      if (keys.length) await connection.redis.del(...keys);
    },
  });
  receiver = await startReceiver(stack.qstash);
});
afterAll(async () => {
  await receiver?.close();
  await stack?.close();
});

it("Redis: raw values both ways, a script by its sha after the NOSCRIPT fallback, errors as the client throws them", async () => {
  const redis = engineRedis({ url: stack.redisRest.url, token: stack.redisRest.token });
  const value = JSON.stringify({ text: "grüße ✓ 🚀", n: "007" });
  await redis.set(`${prefix}k`, value);
  expect(await redis.get(`${prefix}k`)).toBe(value);

  // Unique to this run: Redis's script cache outlives it, and the first EVALSHA must find nothing.
  const script = `-- ${randomUUID()}\nreturn redis.call("GET", KEYS[1]) .. ARGV[1]`;
  const sha = createHash("sha1").update(script).digest("hex");
  await expect(redis.evalsha(sha, [`${prefix}k`], ["!"])).rejects.toThrow(/NOSCRIPT/);
  expect(await redis.eval(script, [`${prefix}k`], ["!"])).toBe(`${value}!`);
  expect(await redis.evalsha(sha, [`${prefix}k`], ["?"])).toBe(`${value}?`);

  await expect(redis.incr(`${prefix}k`)).rejects.toThrow(/not an integer/);
});

it("QStash: a publish and a batch are delivered, signed, with the bodies unchanged", async () => {
  const qstash = engineQStash({
    baseUrl: stack.qstash.url,
    token: stack.qstash.token,
    resolvesItself: false,
  });
  const verifier = new Receiver(stack.qstash);
  await qstash.publishJSON({ url: receiver.url("/one"), body: { n: 1, text: "ü" }, retries: 3 });
  await qstash.batchJSON([
    { url: receiver.url("/two"), body: { n: 2 } },
    { url: receiver.url("/three"), body: { n: 3 } },
  ]);
  for (const [path, body] of [
    ["/one", { n: 1, text: "ü" }],
    ["/two", { n: 2 }],
    ["/three", { n: 3 }],
  ] as const) {
    const delivery = await eventually(`the delivery to ${path}`, () => receiver.to(path)[0]);
    expect(JSON.parse(delivery.body)).toEqual(body);
    await expect(
      verifier.verify({
        signature: String(delivery.headers["upstash-signature"]),
        body: delivery.body,
        url: receiver.url(path),
      }),
    ).resolves.toBe(true);
  }
  expect(receiver.refused).toEqual([]);
});
