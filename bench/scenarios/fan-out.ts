/**
 * Scenario 4, fan-out: every event goes to 3 single-step workloads. 64 concurrent senders, each
 * waiting until all 3 runs of its event are done before sending the next.
 */
import { closedLoop } from "../lib/drive.ts";
import { perUnit } from "../lib/lab.ts";
import { percentile, round } from "../lib/stats.ts";
import { priceFigure } from "./run-cost.ts";
import type { ScenarioDef } from "./common.ts";

const USERS = 64;
const eventsOf = (quick: boolean) => (quick ? 100 : 600);
const event = "bench.fanout";
const specs = ["a", "b", "c"].map((name) => ({ name: `fan${name}`, event, steps: 1 }));

export const fanOut: ScenarioDef = {
  id: "fan-out",
  title: "4. Fan-out: each event to 3 workloads",
  description: (quick) =>
    `${eventsOf(quick)} events, each to 3 single-step workloads, from ${USERS} concurrent senders (each waits for all 3 runs).`,
  params: (quick) => ({ events: eventsOf(quick), workloads: specs.length, users: USERS }),
  async round(lab, system, quick) {
    const events = eventsOf(quick);
    const deployment = await lab.deploy(system, specs);
    try {
      await closedLoop(deployment, lab.tracker, event, { count: 10, users: 4, firstSeq: 1_000_000 });
      const before = await lab.read(deployment);
      const loaded = await closedLoop(deployment, lab.tracker, event, { count: events, users: USERS });
      const costs = perUnit(lab.costs(before, await lab.read(deployment)), events);
      const latency = loaded.events.map((timing) => timing.doneAt - timing.sentAt);
      return {
        eventsPerSecond: round((events / loaded.elapsedMs) * 1000, 1),
        runsPerSecond: round(((events * specs.length) / loaded.elapsedMs) * 1000, 1),
        allDoneP50Ms: round(percentile(latency, 50)),
        allDoneP99Ms: round(percentile(latency, 99)),
        qstashMessagesPerEvent: costs.qstashMessages,
        qstashCallsPerEvent: costs.qstashCalls,
        redisCallsPerEvent: costs.redisCalls,
        functionInvocationsPerEvent: costs.functionInvocations,
        ...priceFigure(system, "usdPerMillionEvents", costs),
        wireBytesPerEvent: costs.wireBytes,
      };
    } finally {
      await deployment.close();
    }
  },
  metrics: [
    { key: "eventsPerSecond", label: "events/s", better: "higher", headline: true },
    { key: "runsPerSecond", label: "runs/s", better: "higher" },
    { key: "allDoneP50Ms", label: "send → all 3 done p50 (ms)", better: "lower", headline: true },
    { key: "allDoneP99Ms", label: "send → all 3 done p99 (ms)", better: "lower", headline: true },
    {
      key: "qstashMessagesPerEvent",
      label: "QStash messages / event",
      better: "lower",
      service: "qstash",
      headline: true,
    },
    { key: "qstashCallsPerEvent", label: "QStash API requests / event", better: "lower" },
    {
      key: "redisCallsPerEvent",
      label: "Redis round trips / event",
      better: "lower",
      service: "redis",
      headline: true,
    },
    {
      key: "functionInvocationsPerEvent",
      label: "function invocations / event",
      better: "lower",
      service: "functions",
    },
    {
      key: "usdPerMillionEvents",
      label: "Upstash list price per 1M events (USD)",
      better: "lower",
      headline: true,
    },
    { key: "wireBytesPerEvent", label: "bytes on the wire / event", better: "lower", headline: true },
  ],
};
