/**
 * What one run of an n-step workload costs on a system, measured one run at a time on a fresh
 * application Redis: wall time (send → done), QStash messages, Redis round trips and commands,
 * bytes on the wire, and bytes left stored in Redis once the runs are done.
 */
import { closedLoop } from "../lib/drive.ts";
import { perUnit, type Costs, type DevMode, type Lab } from "../lib/lab.ts";
import { median, round } from "../lib/stats.ts";
import type { System } from "../systems/types.ts";
import type { Figures, Metric } from "./common.ts";

/**
 * Upstash's pay-as-you-go list prices (USD) when this was written: QStash $1 per 100,000 messages
 * (Upstash Workflow is billed as the QStash messages its runs use), Redis $0.20 per 100,000
 * commands (a script call is one command; each command of a pipeline counts). A self-hosted Redis
 * (BullMQ's usual home) is priced by the server instead, so for BullMQ the figure is what its
 * commands would cost on Upstash Redis. Restate uses neither: it has no Upstash price.
 */
export const PRICE_PER_QSTASH_MESSAGE = 1 / 100_000;
export const PRICE_PER_REDIS_COMMAND = 0.2 / 100_000;

export const billedPerMillion = (qstashMessages: number, redisCommandsSent: number) =>
  round(
    (qstashMessages * PRICE_PER_QSTASH_MESSAGE + redisCommandsSent * PRICE_PER_REDIS_COMMAND) * 1_000_000,
    2,
  );

/** `{ [key]: price per million }` on Upstash's list prices, or nothing for a system not on Upstash. */
export function priceFigure(system: System, key: string, costs: Costs): Figures {
  if (system.id === "restate") return {};
  return { [key]: billedPerMillion(costs.qstashMessages, costs.redisCommandsSent) };
}

export async function runCost(
  lab: Lab,
  system: System,
  steps: number,
  runs: number,
  mode: DevMode = "exact",
): Promise<Figures> {
  const spec = { name: `steps${steps}`, event: `bench.steps${steps}`, steps };
  const deployment = await lab.deploy(system, [spec], mode);
  try {
    // One warm-up run, then measure from a clean application Redis.
    await closedLoop(deployment, lab.tracker, spec.event, { count: 1, users: 1, firstSeq: 9_000_000 });
    const storedBefore = await lab.meter.storedBytes();
    const before = await lab.read(deployment);
    const { events } = await closedLoop(deployment, lab.tracker, spec.event, { count: runs, users: 1 });
    const costs = perUnit(lab.costs(before, await lab.read(deployment)), runs);
    const storedAfter = await lab.meter.storedBytes();
    const wall = median(events.map((event) => event.doneAt - event.sentAt));
    return {
      functionInvocations: costs.functionInvocations,
      functionMs: costs.functionMs,
      wallMs: round(wall),
      perStepMs: round(wall / steps),
      qstashMessages: costs.qstashMessages,
      qstashCalls: costs.qstashCalls,
      redisCalls: costs.redisCalls,
      redisCallsPerStep: round(costs.redisCalls / steps),
      redisCommands: costs.redisCommands,
      ...priceFigure(system, "usdPerMillionRuns", costs),
      storedBytes: round((storedAfter.bytes - storedBefore.bytes) / runs, 0),
      wireBytes: costs.wireBytes,
      wireRedis: costs.wireRedis,
      wireQStash: costs.wireQStash,
      wireDeliveries: costs.wireDeliveries,
    };
  } finally {
    await deployment.close();
  }
}

export const costMetrics: Metric[] = [
  { key: "wallMs", label: "wall time, send → done (ms)", better: "lower", headline: true },
  { key: "perStepMs", label: "wall time per step (ms)", better: "lower" },
  { key: "qstashMessages", label: "QStash messages", better: "lower", headline: true, service: "qstash" },
  { key: "redisCalls", label: "Redis round trips", better: "lower", headline: true, service: "redis" },
  { key: "redisCallsPerStep", label: "Redis round trips / step", better: "lower", service: "redis" },
  {
    key: "redisCommands",
    label: "Redis commands executed (incl. in scripts)",
    better: "lower",
    headline: true,
    service: "redis",
  },
  {
    key: "usdPerMillionRuns",
    label: "Upstash list price per 1M runs (USD)",
    better: "lower",
    headline: true,
  },
  { key: "storedBytes", label: "bytes stored in Redis", better: "lower", headline: true, service: "redis" },
  {
    key: "wireBytes",
    label: "bytes on the wire (Redis + QStash + deliveries)",
    better: "lower",
    headline: true,
  },
  { key: "functionInvocations", label: "function invocations", better: "lower", service: "functions" },
  { key: "functionMs", label: "function time (ms)", better: "lower", service: "functions" },
  { key: "qstashCalls", label: "QStash API requests", better: "lower" },
  { key: "wireRedis", label: "bytes to/from Redis", better: "lower" },
  { key: "wireQStash", label: "bytes to/from the QStash API", better: "lower" },
  { key: "wireDeliveries", label: "bytes of QStash deliveries", better: "lower" },
];
