/**
 * `npx tsx --conditions=@awl/source bench/experiments/transport-wake-wait.ts [--wakes N] [--leads 500,200,...]`:
 * the billed idle time of timed wakes. A wake due at T is published (transport/publish.ts) for a
 * whole second at least a lead before T; QStash delivers it on that second; the run's claim holds
 * it in the function until T, which Netlify bills. For each lead this publishes wakes through awl
 * dev as production sees it (a child process, `--granularity 1s`, `--latency redis=2ms,qstash=20ms`)
 * to a receiver standing in for the workload function: it makes the claim's round trip (one
 * EVALSHA over Redis REST), then measures how long it would wait until T (function-ms per wake)
 * or how late it already is. Two shapes: "spread" (wakes due at random times over several seconds)
 * and "burst" (all due within one second, delivered together). Leads interleave. Writes nothing.
 */
import { createHash, randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { parseArgs } from "node:util";
import { Redis as IORedis } from "ioredis";
import { qstashPublisher, type OutboundMessage } from "../../client/src/transport/publish.ts";
import { engineQStash } from "../../client/src/transport/qstash-requester.ts";
import { engineRedis } from "../../client/src/transport/redis-requester.ts";
import { startDevStack } from "../lib/dev-stack.ts";
import { load } from "../lib/machine.ts";
import { median, percentile, round } from "../lib/stats.ts";

const { values } = parseArgs({
  options: {
    wakes: { type: "string", default: "200" },
    leads: { type: "string", default: "500,200,100" },
    rounds: { type: "string", default: "2" },
  },
});
const wakes = Number(values.wakes);
const leads = values.leads.split(",").map(Number);
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const prefix = `awl-experiment:wake-wait:${randomUUID()}:`;
const stack = await startDevStack(redisUrl, redisUrl, {
  qstashKeyPrefix: `${prefix}qstash:`,
  timerGranularity: "1s",
  latency: { redisMs: 2, qstashMs: 20 },
});
const redis = engineRedis({ url: stack.rest.url, token: stack.rest.token });
const claimScript = `return redis.call("HINCRBY", KEYS[1], ARGV[1], 1)`;
const claimSha = createHash("sha1").update(claimScript).digest("hex");
await redis.scriptLoad(claimScript);

interface Arrival {
  waitMs: number;
}
let arrivals: Arrival[] = [];
const receiver = http.createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", async () => {
    const { id, dueAt } = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { id: string; dueAt: number };
    await redis.evalsha(claimSha, [`${prefix}claims`], [id]); // the claim's round trip
    arrivals.push({ waitMs: dueAt - Date.now() });
    response.end("ok");
  });
});
await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/wake`;

async function run(leadMs: number, shape: "spread" | "burst"): Promise<Arrival[]> {
  arrivals = [];
  const publisher = qstashPublisher(
    engineQStash({ baseUrl: stack.qstash.url, token: stack.qstash.token, resolvesItself: false }),
    { wakeLeadMs: leadMs },
  );
  const now = Date.now();
  // Due 3 s ahead and later, so that every lead has a whole second to schedule for.
  const burstSecond = Math.ceil((now + 3000) / 1000) * 1000;
  const messages: OutboundMessage[] = Array.from({ length: wakes }, (_, i) => {
    const dueAt = shape === "burst" ? burstSecond + Math.random() * 1000 : now + 3000 + Math.random() * 4000;
    return { url, body: { id: `${leadMs}-${shape}-${i}`, dueAt }, notBefore: dueAt, holdsUntilDue: true };
  });
  for (let i = 0; i < messages.length; i += 50) await publisher.publish(messages.slice(i, i + 50));
  const deadline = Date.now() + 15_000;
  while (arrivals.length < wakes && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  return arrivals;
}

const figures: Record<string, { waits: number[]; late: number[] }> = {};
const loads: number[] = [];
for (let r = 0; r < Number(values.rounds); r++) {
  loads.push(load()[0]);
  for (const shape of ["spread", "burst"] as const) {
    for (const leadMs of r % 2 === 0 ? leads : [...leads].reverse()) {
      const result = await run(leadMs, shape);
      const entry = (figures[`lead ${leadMs} ms, ${shape}`] ??= { waits: [], late: [] });
      for (const { waitMs } of result) {
        entry.waits.push(Math.max(0, waitMs));
        entry.late.push(Math.max(0, -waitMs));
      }
    }
  }
}

console.log(
  `${wakes} wakes per run, awl dev --granularity 1s --latency redis=2ms,qstash=20ms; load: ${loads.join(", ")}`,
);
for (const [name, { waits, late }] of Object.entries(figures)) {
  const mean = waits.reduce((sum, w) => sum + w, 0) / waits.length;
  console.log(
    `${name.padEnd(26)} waited in the function: mean ${round(mean, 0)} ms, p50 ${round(median(waits), 0)}, ` +
      `max ${round(Math.max(...waits), 0)}; late: ${late.filter((l) => l > 0).length}/${late.length}, ` +
      `p99 ${round(percentile(late, 99), 1)} ms, max ${round(Math.max(...late), 1)} ms`,
  );
}

receiver.close();
await stack.close();
const cleanup = new IORedis(redisUrl);
const keys = await cleanup.keys(`${prefix}*`);
if (keys.length > 0) await cleanup.del(...keys);
cleanup.disconnect();
process.exit(0);
