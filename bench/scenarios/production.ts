/**
 * Scenario 6, a modeled production run: the systems that run on Upstash (awl and Upstash
 * Workflow) against awl dev modeling production (`awl dev --latency redis=2ms,qstash=20ms
 * --granularity 1s`: every Redis REST request, QStash request and QStash delivery pays its round
 * trip, and timers fall on whole seconds), so that each hop a design takes costs what it will
 * cost in production. Single-step events one at a time (send → done, and what each event costs:
 * function invocations, function time as Netlify bills it, QStash messages, Redis round trips, the
 * Upstash list price), then 10-step runs one at a time.
 */
import { closedLoop } from "../lib/drive.ts";
import { MODELED_LATENCY, perUnit } from "../lib/lab.ts";
import { percentile, round } from "../lib/stats.ts";
import { onUpstash, type ScenarioDef } from "./common.ts";
import { priceFigure, runCost } from "./run-cost.ts";

const counts = (quick: boolean) => ({ events: quick ? 10 : 40, tenStepRuns: quick ? 3 : 10 });
const spec = { name: "single", event: "bench.single", steps: 1 };

export const production: ScenarioDef = {
  id: "production",
  title: `6. Modeled production: Redis ${MODELED_LATENCY.redisMs} ms and QStash ${MODELED_LATENCY.qstashMs} ms away`,
  description(quick) {
    const { events, tenStepRuns } = counts(quick);
    return (
      `awl dev with \`--latency redis=${MODELED_LATENCY.redisMs}ms,qstash=${MODELED_LATENCY.qstashMs}ms --granularity 1s\`: each ` +
      `Redis REST request waits a ${MODELED_LATENCY.redisMs} ms round trip, each QStash API request and each delivery a ` +
      `${MODELED_LATENCY.qstashMs} ms one (half before it is handled, half before its answer), as a function in ` +
      "Upstash Redis's region talking to QStash would see. " +
      `${events} single-step events and ${tenStepRuns} 10-step runs, one at a time. Function time is the ` +
      "summed duration of the invocations (router and workloads), which is what Netlify bills; it includes " +
      "the time a function waits on Redis and QStash. Restate and BullMQ do not run on Upstash and are not modeled."
    );
  },
  params: (quick) => ({
    ...counts(quick),
    redisMs: MODELED_LATENCY.redisMs,
    qstashMs: MODELED_LATENCY.qstashMs,
  }),
  includes: onUpstash,
  async round(lab, system, quick) {
    const { events, tenStepRuns } = counts(quick);
    const deployment = await lab.deploy(system, [spec], "modeled");
    let single;
    try {
      await closedLoop(deployment, lab.tracker, spec.event, { count: 5, users: 1, firstSeq: 1_000_000 });
      const before = await lab.read(deployment);
      const run = await closedLoop(deployment, lab.tracker, spec.event, { count: events, users: 1 });
      const costs = perUnit(lab.costs(before, await lab.read(deployment)), events);
      const latency = run.events.map((event) => event.doneAt - event.sentAt);
      single = {
        p50Ms: round(percentile(latency, 50)),
        p99Ms: round(percentile(latency, 99)),
        functionInvocationsPerEvent: costs.functionInvocations,
        functionMsPerEvent: costs.functionMs,
        qstashMessagesPerEvent: costs.qstashMessages,
        redisCallsPerEvent: costs.redisCalls,
        ...priceFigure(system, "usdPerMillionEvents", costs),
      };
    } finally {
      await deployment.close();
    }
    const ten = await runCost(lab, system, 10, tenStepRuns, "modeled");
    return {
      ...single,
      tenStepWallMs: ten.wallMs!,
      tenStepFunctionInvocations: ten.functionInvocations!,
      tenStepFunctionMs: ten.functionMs!,
      ...(ten.usdPerMillionRuns === undefined ? {} : { tenStepUsdPerMillionRuns: ten.usdPerMillionRuns }),
    };
  },
  metrics: [
    { key: "p50Ms", label: "single-step send→done p50 (ms)", better: "lower", headline: true },
    { key: "p99Ms", label: "single-step send→done p99 (ms)", better: "lower", headline: true },
    {
      key: "functionInvocationsPerEvent",
      label: "function invocations / single-step event",
      better: "lower",
      headline: true,
    },
    {
      key: "functionMsPerEvent",
      label: "function time / single-step event (ms)",
      better: "lower",
      headline: true,
    },
    {
      key: "qstashMessagesPerEvent",
      label: "QStash messages / single-step event",
      better: "lower",
      headline: true,
    },
    {
      key: "redisCallsPerEvent",
      label: "Redis round trips / single-step event",
      better: "lower",
      headline: true,
      service: "redis",
    },
    {
      key: "usdPerMillionEvents",
      label: "Upstash list price per 1M single-step events (USD)",
      better: "lower",
      headline: true,
    },
    { key: "tenStepWallMs", label: "10-step run send→done p50 (ms)", better: "lower", headline: true },
    {
      key: "tenStepFunctionInvocations",
      label: "function invocations / 10-step run",
      better: "lower",
      headline: true,
    },
    { key: "tenStepFunctionMs", label: "function time / 10-step run (ms)", better: "lower", headline: true },
    {
      key: "tenStepUsdPerMillionRuns",
      label: "Upstash list price per 1M 10-step runs (USD)",
      better: "lower",
      headline: true,
    },
  ],
};
