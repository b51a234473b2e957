/**
 * `npx tsx --conditions=@awl/source bench/experiments/transport-lean.ts [--rounds N] [--ops N]`:
 * what one Redis REST call and one QStash publish cost the app process through the official
 * clients on their own (Node's fetch, base64 replies: the runtime before the lean transport) and
 * through the engine's clients on the lean transport (client/src/transport/*-requester.ts:
 * keep-alive node:http, plain replies). awl dev runs in a child process (bench/lib/dev-stack.ts),
 * so the CPU measured here is the client's alone. Variants interleave round by round; prints
 * medians over rounds of the per-call p50 latency, the app process's CPU per call, and the calls/s
 * of 64 concurrent callers, with the load average. Writes nothing.
 */
import { createHash, randomUUID } from "node:crypto";
import { parseArgs } from "node:util";
import { Client } from "@upstash/qstash";
import { Redis } from "@upstash/redis";
import { Redis as IORedis } from "ioredis";
import { engineQStash } from "../../client/src/transport/qstash-requester.ts";
import { engineRedis } from "../../client/src/transport/redis-requester.ts";
import { startDevStack } from "../lib/dev-stack.ts";
import { load } from "../lib/machine.ts";
import { median, percentile, round } from "../lib/stats.ts";

const { values } = parseArgs({
  options: { rounds: { type: "string", default: "5" }, ops: { type: "string", default: "1000" } },
});
const rounds = Number(values.rounds);
const ops = Number(values.ops);
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `awl-experiment:transport-lean:${randomUUID()}:`;
const stack = await startDevStack(redisUrl, redisUrl, { qstashKeyPrefix: `${prefix}qstash:` });

const variants = {
  "official clients (fetch, base64)": {
    redis: new Redis({
      url: stack.rest.url,
      token: stack.rest.token,
      automaticDeserialization: false,
      enableTelemetry: false,
    }),
    qstash: new Client({ baseUrl: stack.qstash.url, token: stack.qstash.token }),
  },
  "lean transport (node:http, plain)": {
    redis: engineRedis({ url: stack.rest.url, token: stack.rest.token }),
    qstash: engineQStash({ baseUrl: stack.qstash.url, token: stack.qstash.token, resolvesItself: false }),
  },
};

// A script shaped like the engine's: a few keys' worth of work and a JSON reply.
const script = `redis.call("HSET", KEYS[1], "n", ARGV[1]) return cjson.encode({ok = true, n = ARGV[1]})`;
const sha = createHash("sha1").update(script).digest("hex");
await variants["official clients (fetch, base64)"].redis.scriptLoad(script);

interface Figures {
  p50Ms: number;
  cpuUsPerCall: number;
  concurrentPerSecond: number;
}

async function measure(call: (i: number) => Promise<unknown>): Promise<Figures> {
  for (let i = 0; i < 100; i++) await call(i); // warm: sockets open, code compiled
  const times: number[] = [];
  const cpu = process.cpuUsage();
  for (let i = 0; i < ops; i++) {
    const started = performance.now();
    await call(i);
    times.push(performance.now() - started);
  }
  const used = process.cpuUsage(cpu);
  const concurrentStarted = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 64 }, async () => {
      while (next < ops) await call((next += 1));
    }),
  );
  return {
    p50Ms: percentile(times, 50),
    cpuUsPerCall: (used.user + used.system) / ops,
    concurrentPerSecond: (ops / (performance.now() - concurrentStarted)) * 1000,
  };
}

const results: Record<string, Record<string, Figures[]>> = {};
const loads: number[] = [];
for (let r = 0; r < rounds; r++) {
  loads.push(load()[0]);
  const order = r % 2 === 0 ? Object.entries(variants) : Object.entries(variants).reverse();
  for (const [name, { redis, qstash }] of order) {
    const byCall = (results[name] ??= {});
    (byCall["Redis EVALSHA"] ??= []).push(
      await measure((i) => redis.evalsha(sha, [`${prefix}h`], [String(i)])),
    );
    // Held for an hour, never delivered: the publish round trip alone.
    const notBefore = Math.floor(Date.now() / 1000) + 3600;
    (byCall["QStash publishJSON"] ??= []).push(
      await measure((i) =>
        qstash.publishJSON({ url: "http://127.0.0.1:9/never", body: { i }, notBefore, retries: 3 }),
      ),
    );
  }
}

console.log(`rounds ${rounds} x ${ops} calls; load at each round's start: ${loads.join(", ")}`);
for (const [name, byCall] of Object.entries(results)) {
  for (const [call, figures] of Object.entries(byCall)) {
    console.log(
      `${name.padEnd(36)} ${call.padEnd(20)} p50 ${round(median(figures.map((f) => f.p50Ms)), 3)} ms, ` +
        `CPU ${round(median(figures.map((f) => f.cpuUsPerCall)), 0)} us/call, ` +
        `${round(median(figures.map((f) => f.concurrentPerSecond)), 0)} calls/s with 64 in flight`,
    );
  }
}

await stack.close();
const cleanup = new IORedis(redisUrl);
const keys = await cleanup.keys(`${prefix}*`);
if (keys.length > 0) await cleanup.del(...keys);
cleanup.disconnect();
process.exit(0);
