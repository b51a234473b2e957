/**
 * Scenario 1, throughput and latency: single-step events, first one at a time (the latency of one
 * event on an idle system), then from 64 concurrent senders each waiting for its event's run
 * before sending the next (events/s, and latency under that load).
 */
import { closedLoop } from "../lib/drive.ts";
import { perUnit } from "../lib/lab.ts";
import { percentile, round } from "../lib/stats.ts";
import { priceFigure } from "./run-cost.ts";
import type { ScenarioDef } from "./common.ts";

const USERS = 64;
const counts = (quick: boolean) => ({ events: quick ? 200 : 2000, sequential: quick ? 30 : 200 });
const spec = { name: "single", event: "bench.single", steps: 1 };

export const throughput: ScenarioDef = {
  id: "throughput",
  title: "1. Throughput and latency, single-step events",
  description(quick) {
    const { events, sequential } = counts(quick);
    return (
      `${events} single-step events from ${USERS} concurrent senders (each waits for its event's run before sending ` +
      `the next), after ${sequential} events sent one at a time on the idle system. Latency is send → run done.`
    );
  },
  params: (quick) => ({ ...counts(quick), users: USERS }),
  async round(lab, system, quick) {
    const { events, sequential } = counts(quick);
    const deployment = await lab.deploy(system, [spec]);
    try {
      await closedLoop(deployment, lab.tracker, spec.event, { count: 20, users: 4, firstSeq: 1_000_000 });
      const idle = await closedLoop(deployment, lab.tracker, spec.event, {
        count: sequential,
        users: 1,
        firstSeq: 2_000_000,
      });
      const idleLatency = idle.events.map((event) => event.doneAt - event.sentAt);
      const before = await lab.read(deployment);
      const loaded = await closedLoop(deployment, lab.tracker, spec.event, { count: events, users: USERS });
      const costs = perUnit(lab.costs(before, await lab.read(deployment)), events);
      const latency = loaded.events.map((event) => event.doneAt - event.sentAt);
      return {
        eventsPerSecond: round((events / loaded.elapsedMs) * 1000, 1),
        idleP50Ms: round(percentile(idleLatency, 50)),
        idleP99Ms: round(percentile(idleLatency, 99)),
        loadedP50Ms: round(percentile(latency, 50)),
        loadedP99Ms: round(percentile(latency, 99)),
        qstashMessagesPerEvent: costs.qstashMessages,
        redisCallsPerEvent: costs.redisCalls,
        functionInvocationsPerEvent: costs.functionInvocations,
        functionMsPerEvent: costs.functionMs,
        ...priceFigure(system, "usdPerMillionEvents", costs),
        wireBytesPerEvent: costs.wireBytes,
      };
    } finally {
      await deployment.close();
    }
  },
  metrics: [
    { key: "eventsPerSecond", label: "events/s", better: "higher", headline: true },
    { key: "idleP50Ms", label: "send→done p50, idle (ms)", better: "lower", headline: true },
    { key: "idleP99Ms", label: "send→done p99, idle (ms)", better: "lower", headline: true },
    { key: "loadedP50Ms", label: `send→done p50, ${USERS} senders (ms)`, better: "lower", headline: true },
    { key: "loadedP99Ms", label: `send→done p99, ${USERS} senders (ms)`, better: "lower", headline: true },
    { key: "qstashMessagesPerEvent", label: "QStash messages / event", better: "lower", service: "qstash" },
    { key: "redisCallsPerEvent", label: "Redis round trips / event", better: "lower", service: "redis" },
    {
      key: "functionInvocationsPerEvent",
      label: "function invocations / event",
      better: "lower",
      service: "functions",
    },
    { key: "functionMsPerEvent", label: "function time / event (ms)", better: "lower", service: "functions" },
    {
      key: "usdPerMillionEvents",
      label: "Upstash list price per 1M events (USD)",
      better: "lower",
      headline: true,
    },
    { key: "wireBytesPerEvent", label: "bytes on the wire / event", better: "lower" },
  ],
};
