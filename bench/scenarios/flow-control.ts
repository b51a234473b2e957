/**
 * Scenario 7, the cost of flow control: the same 2-step workload (each step waits 20 ms, an API
 * call say) run unlimited and with a concurrency limit of 2 per key over 8 keys, the events sent as
 * one burst, on awl (`concurrency: { limit, key }`) and on Upstash Workflow (`flowControl: { key,
 * parallelism }` on trigger). Each system's limited run is compared with its own unlimited run in
 * the same round: what the limit adds per run in Redis round trips and QStash messages (the bill),
 * and what it does to throughput and latency. The most steps of one key running at once is measured
 * from inside the steps, to show the limit held.
 */
import { openLoop } from "../lib/drive.ts";
import { perUnit, type Lab } from "../lib/lab.ts";
import { formatNumber } from "../lib/report.ts";
import { percentile, round } from "../lib/stats.ts";
import type { Deployment, System, WorkloadSpec } from "../systems/types.ts";
import { billedPerMillion } from "./run-cost.ts";
import { onUpstash, type Figures, type Metric, type ScenarioDef } from "./common.ts";

const PARALLELISM = 2;
const KEYS = 8;
const STEPS = 2;
const STEP_MS = 20;
const SENDERS = 16;
const runsOf = (quick: boolean) => (quick ? 120 : 400);

const unlimited: WorkloadSpec = { name: "fcfree", event: "bench.fc.free", steps: STEPS, stepMs: STEP_MS };
const limited: WorkloadSpec = {
  name: "fclimited",
  event: "bench.fc.limited",
  steps: STEPS,
  stepMs: STEP_MS,
  flowControl: { parallelism: PARALLELISM, keys: KEYS },
};

/** One burst of `runs` events on one workload: per-run costs, throughput and latency. */
async function burst(lab: Lab, deployment: Deployment, spec: WorkloadSpec, runs: number, firstSeq: number) {
  lab.tracker.takePeakInStep();
  const before = await lab.read(deployment);
  const sent = await openLoop(deployment, lab.tracker, spec.event, { count: runs, users: SENDERS, firstSeq });
  const costs = perUnit(lab.costs(before, await lab.read(deployment)), runs);
  const latency = sent.events.map((event) => event.doneAt - event.sentAt);
  return {
    runsPerSecond: round((runs / sent.elapsedMs) * 1000, 1),
    p50Ms: round(percentile(latency, 50)),
    p99Ms: round(percentile(latency, 99)),
    qstashMessages: costs.qstashMessages,
    redisCalls: costs.redisCalls,
    redisCommands: costs.redisCommands,
    functionInvocations: costs.functionInvocations,
    usdPerMillionRuns: billedPerMillion(costs.qstashMessages, costs.redisCommandsSent),
    peakInStepPerKey: lab.tracker.takePeakInStep(),
  };
}

type Burst = Awaited<ReturnType<typeof burst>>;

/** `{ [key]: limited ÷ unlimited }`, or nothing when the system spends none of it either way (Upstash Workflow's Redis). */
const ratio = (key: string, limitedValue: number, unlimitedValue: number): Figures =>
  unlimitedValue > 0
    ? { [key]: round(limitedValue / unlimitedValue, 2) }
    : limitedValue > 0
      ? { [key]: Infinity }
      : {};

let rounds = 0;

export const flowControl: ScenarioDef = {
  id: "flow-control",
  title: "7. The cost of flow control",
  description: (quick) =>
    `${runsOf(quick)} runs of a ${STEPS}-step workload (each step waits ${STEP_MS} ms), sent as one burst by ` +
    `${SENDERS} senders, unlimited and then with at most ${PARALLELISM} runs executing at once per key over ${KEYS} keys ` +
    "(awl: `concurrency: { limit, key }` in the workload's config; Upstash Workflow: `flowControl: { key, parallelism }` " +
    "on trigger). Each system's limited run is divided by its own unlimited run in the same round: a ratio of 1 means " +
    "the limit costs nothing; above 1 for messages, round trips and price is what the limit adds to the bill, below 1 " +
    "for runs/s is the throughput the limit holds back (by design: at most " +
    `${PARALLELISM * KEYS} runs at once). "Most steps of one key at once" is measured inside the steps.`,
  params: (quick) => ({
    runs: runsOf(quick),
    steps: STEPS,
    stepMs: STEP_MS,
    parallelism: PARALLELISM,
    keys: KEYS,
    senders: SENDERS,
  }),
  includes: onUpstash,
  finish(systems) {
    const notes: string[] = [];
    const awl = systems.awl?.median;
    if (awl) {
      notes.push(
        `awl: a limited run cost ${formatNumber(awl.limitedQStashMessages)} QStash messages and ` +
          `${formatNumber(awl.limitedRedisCalls)} Redis round trips against ${formatNumber(awl.unlimitedQStashMessages)} and ` +
          `${formatNumber(awl.unlimitedRedisCalls)} unlimited. A run that finds its key's slots taken parks (one invocation: ` +
          "claim, slot check, finish) and is published again by the run that hands it the slot: one more QStash message " +
          "and invocation for every run that had to wait, and two round trips per invocation of a limited workload " +
          "(taking and giving back the slots). In a burst most runs wait; a run that finds a free slot pays only the two round trips.",
      );
    }
    const peer = systems["upstash-workflow"]?.median;
    if (peer) {
      notes.push(
        `Upstash Workflow: ${formatNumber(peer.limitedQStashMessages)} QStash messages per limited run against ` +
          `${formatNumber(peer.unlimitedQStashMessages)} unlimited: QStash holds a message back until its key has room, ` +
          "so waiting costs no message. The most steps of one key at once was " +
          `${formatNumber(peer.limitedPeakInStepPerKey)} (limit ${PARALLELISM})` +
          (peer.limitedPeakInStepPerKey! > PARALLELISM
            ? ": awl dev's QStash emulator holds the trigger's flow control only for the messages that carry it, not for " +
              "every later step of the run as Upstash does, so its time figures are what a partly held limit costs."
            : "."),
      );
    }
    return notes;
  },
  async round(lab: Lab, system: System, quick: boolean): Promise<Figures> {
    const runs = runsOf(quick);
    const deployment = await lab.deploy(system, [unlimited, limited]);
    try {
      // Warm both paths, then measure them in an order that alternates from round to round.
      await openLoop(deployment, lab.tracker, unlimited.event, { count: 10, users: 4, firstSeq: 1_000_000 });
      await openLoop(deployment, lab.tracker, limited.event, { count: 10, users: 4, firstSeq: 1_100_000 });
      const limitedFirst = rounds++ % 2 === 1;
      let free: Burst;
      let capped: Burst;
      if (limitedFirst) {
        capped = await burst(lab, deployment, limited, runs, 3_000_000);
        free = await burst(lab, deployment, unlimited, runs, 2_000_000);
      } else {
        free = await burst(lab, deployment, unlimited, runs, 2_000_000);
        capped = await burst(lab, deployment, limited, runs, 3_000_000);
      }
      return {
        ...ratio("qstashRatio", capped.qstashMessages, free.qstashMessages),
        ...ratio("redisCallsRatio", capped.redisCalls, free.redisCalls),
        ...ratio("priceRatio", capped.usdPerMillionRuns, free.usdPerMillionRuns),
        ...ratio("throughputRatio", capped.runsPerSecond, free.runsPerSecond),
        ...ratio("p50Ratio", capped.p50Ms, free.p50Ms),
        ...ratio("p99Ratio", capped.p99Ms, free.p99Ms),
        limitedPeakInStepPerKey: capped.peakInStepPerKey,
        limitedQStashMessages: capped.qstashMessages,
        unlimitedQStashMessages: free.qstashMessages,
        limitedRedisCalls: capped.redisCalls,
        unlimitedRedisCalls: free.redisCalls,
        limitedRedisCommands: capped.redisCommands,
        unlimitedRedisCommands: free.redisCommands,
        limitedFunctionInvocations: capped.functionInvocations,
        unlimitedFunctionInvocations: free.functionInvocations,
        limitedUsdPerMillionRuns: capped.usdPerMillionRuns,
        unlimitedUsdPerMillionRuns: free.usdPerMillionRuns,
        limitedRunsPerSecond: capped.runsPerSecond,
        unlimitedRunsPerSecond: free.runsPerSecond,
        limitedP50Ms: capped.p50Ms,
        unlimitedP50Ms: free.p50Ms,
        limitedP99Ms: capped.p99Ms,
        unlimitedP99Ms: free.p99Ms,
      };
    } finally {
      await deployment.close();
    }
  },
  metrics: [
    {
      key: "qstashRatio",
      label: "QStash messages per run, limited ÷ unlimited",
      better: "lower",
      headline: true,
    },
    {
      key: "redisCallsRatio",
      label: "Redis round trips per run, limited ÷ unlimited",
      better: "lower",
      headline: true,
      service: "redis",
    },
    {
      key: "priceRatio",
      label: "Upstash list price per run, limited ÷ unlimited",
      better: "lower",
      headline: true,
    },
    { key: "throughputRatio", label: "runs/s, limited ÷ unlimited", better: "higher", headline: true },
    { key: "p50Ratio", label: "send → done p50, limited ÷ unlimited", better: "lower", headline: true },
    { key: "p99Ratio", label: "send → done p99, limited ÷ unlimited", better: "lower" },
    {
      key: "limitedPeakInStepPerKey",
      label: `most steps of one key at once, limited (limit ${PARALLELISM})`,
      better: "lower",
      headline: true,
    },
    ...(
      [
        ["QStashMessages", "QStash messages / run", "qstash"],
        ["RedisCalls", "Redis round trips / run", "redis"],
        ["RedisCommands", "Redis commands executed / run", "redis"],
        ["FunctionInvocations", "function invocations / run", "functions"],
        ["UsdPerMillionRuns", "Upstash list price per 1M runs (USD)", undefined],
        ["RunsPerSecond", "runs/s", undefined],
        ["P50Ms", "send → done p50 (ms)", undefined],
        ["P99Ms", "send → done p99 (ms)", undefined],
      ] as const
    ).flatMap(([key, label, service]): Metric[] =>
      (["limited", "unlimited"] as const).map((variant) => ({
        key: `${variant}${key}`,
        label: `${label}, ${variant}`,
        better: key === "RunsPerSecond" ? "higher" : "lower",
        ...(service ? { service } : {}),
      })),
    ),
  ],
};
