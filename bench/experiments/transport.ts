/**
 * `npx tsx --conditions=@awl/source bench/experiments/transport.ts [--rounds N]`: the single-step
 * path end to end with the official clients on their own (Node's fetch, base64 Redis replies) and
 * on the lean transport a deployed site builds (client/src/transport/*-requester.ts, awl's default
 * in the bench). Same lab as the suite; the variants interleave round by round. Prints idle latency
 * (one event at a time) and throughput from 64 concurrent senders, with the load, and writes
 * bench/results/transport-experiment.json. Per-call costs: transport-lean.ts.
 */
import { writeFileSync } from "node:fs";
import { Client } from "@upstash/qstash";
import { Redis } from "@upstash/redis";
import { parseArgs } from "node:util";
import { closedLoop } from "../lib/drive.ts";
import { Lab } from "../lib/lab.ts";
import { load } from "../lib/machine.ts";
import { median, percentile, round } from "../lib/stats.ts";
import { awlSystem } from "../systems/awl.ts";

// The official clients as they come, over Node's fetch (what the runtime built before the lean transport).
const fetchRedis = (url: string, token: string) =>
  new Redis({ url, token, automaticDeserialization: false, enableTelemetry: false });
const fetchQStash = (baseUrl: string, token: string) => new Client({ baseUrl, token });

const { values } = parseArgs({ options: { rounds: { type: "string", default: "3" } } });
interface TransportExperiment {
  date: string;
  command: string;
  variants: { name: string; idleP50Ms: number; eventsPerSecond: number; loads: number[] }[];
}

const lab = await Lab.start();
const variants = {
  "official clients (fetch)": awlSystem({ redis: fetchRedis, qstash: fetchQStash }),
  "lean transport (as shipped)": awlSystem(),
};
const spec = { name: "single", event: "bench.single", steps: 1 };
const figures: Record<string, { idleP50: number[]; eventsPerSecond: number[]; load: number[] }> = {};
let seq = 0;
for (let r = 0; r < Number(values.rounds); r++) {
  for (const [name, system] of Object.entries(variants)) {
    const deployment = await lab.deploy(system, [spec]);
    await closedLoop(deployment, lab.tracker, spec.event, { count: 20, users: 4, firstSeq: (seq += 1000) });
    const idle = await closedLoop(deployment, lab.tracker, spec.event, {
      count: 60,
      users: 1,
      firstSeq: (seq += 1000),
    });
    const loaded = await closedLoop(deployment, lab.tracker, spec.event, {
      count: 300,
      users: 64,
      firstSeq: (seq += 1000),
    });
    const entry = (figures[name] ??= { idleP50: [], eventsPerSecond: [], load: [] });
    entry.idleP50.push(
      percentile(
        idle.events.map((e) => e.doneAt - e.sentAt),
        50,
      ),
    );
    entry.eventsPerSecond.push((300 / loaded.elapsedMs) * 1000);
    entry.load.push(load()[0]);
    await deployment.close();
  }
}
for (const [name, entry] of Object.entries(figures)) {
  console.log(
    `${name.padEnd(32)} idle p50 ${round(median(entry.idleP50))} ms, ${round(median(entry.eventsPerSecond), 1)} events/s ` +
      `(rounds: ${entry.eventsPerSecond.map((v) => round(v, 0)).join(", ")}; load ${entry.load.join(", ")})`,
  );
}
const experiment: TransportExperiment = {
  date: new Date().toISOString(),
  command: `npx tsx --conditions=@awl/source bench/experiments/transport.ts --rounds ${values.rounds}`,
  variants: Object.entries(figures).map(([name, entry]) => ({
    name,
    idleP50Ms: round(median(entry.idleP50)),
    eventsPerSecond: round(median(entry.eventsPerSecond), 1),
    loads: entry.load,
  })),
};
writeFileSync(
  new URL("../results/transport-experiment.json", import.meta.url),
  `${JSON.stringify(experiment, null, 2)}\n`,
);
await lab.close();
process.exit(0);
