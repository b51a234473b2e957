/**
 * The targets, checked against a run's results: each says what was measured, whether it
 * was met, and by how much it was missed.
 */
import type { ScenarioResult } from "../scenarios/common.ts";
import { advantage, round } from "./stats.ts";

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | undefined;
  /** How far off, when missed (e.g. "2.3× the target"). */
  miss?: string;
}

const figure = (scenarios: ScenarioResult[], id: string, system: string, key: string): number | undefined =>
  scenarios.find((scenario) => scenario.id === id)?.systems[system as "awl"]?.median[key];

export function checkTargets(scenarios: ScenarioResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const at = (id: string, key: string, system = "awl") => figure(scenarios, id, system, key);
  const upTo = (target: string, value: number | undefined, limit: number, unit: string) => {
    if (value === undefined) return;
    const met = value <= limit;
    checks.push({
      target,
      measured: `${value} ${unit}`,
      met,
      ...(met ? {} : { miss: `${round(value / limit)}× the target (+${round(value - limit)} ${unit})` }),
    });
  };
  const atLeast = (target: string, value: number | undefined, limit: number, unit: string) => {
    if (value === undefined) return;
    const met = value >= limit;
    checks.push({
      target,
      measured: `${value} ${unit}`,
      met,
      ...(met ? {} : { miss: `${round((value / limit) * 100, 0)}% of the target` }),
    });
  };
  upTo("single-step send→done p50 ≤ 10 ms (idle)", at("throughput", "idleP50Ms"), 10, "ms");
  atLeast("≥ 1,000 single-step events/s", at("throughput", "eventsPerSecond"), 1000, "events/s");
  upTo("a 10-step run ≤ 3 QStash messages", at("ten-step", "qstashMessages"), 3, "messages");
  const calls10 = at("growth", "redisCalls@10");
  const calls100 = at("growth", "redisCalls@100");
  if (calls10 !== undefined && calls100 !== undefined) {
    const marginal = round((calls100 - calls10) / 90, 3);
    checks.push({
      target: "one Redis round trip per step",
      measured: `${marginal} per added step (${calls10} for 10 steps: a fixed ${round(calls10 - 10 * marginal, 1)} + 1 per step)`,
      met: marginal <= 1.001,
    });
  }
  upTo("wake lateness p99 ≤ 50 ms", at("timers", "latenessP99Ms"), 50, "ms");
  const bullThroughput = at("throughput", "eventsPerSecond", "bullmq");
  const ours = at("throughput", "eventsPerSecond");
  if (bullThroughput !== undefined && ours !== undefined) {
    const share = ours / bullThroughput;
    checks.push({
      target: "≥ ⅓ of BullMQ's throughput",
      measured: `${round(share * 100, 0)}% (${ours} vs ${bullThroughput} events/s)`,
      met: share >= 1 / 3,
      ...(share >= 1 / 3 ? {} : { miss: `${round(share * 3 * 100, 0)}% of the target share` }),
    });
  }
  const behind: string[] = [];
  let compared = 0;
  for (const scenario of scenarios) {
    const ourFigures = scenario.systems.awl?.median;
    const theirs = scenario.systems["upstash-workflow"]?.median;
    if (!ourFigures || !theirs) continue;
    for (const metric of scenario.metrics.filter((m) => m.headline)) {
      if (metric.service && theirs[metric.key] === 0) continue;
      const a = advantage(ourFigures[metric.key] ?? NaN, theirs[metric.key] ?? NaN, metric.better);
      if (a === undefined) continue;
      compared += 1;
      if (a < 1) behind.push(`${scenario.id}: ${metric.label} (${a}×)`);
    }
  }
  if (compared > 0) {
    checks.push({
      target: "ahead of Upstash Workflow in every scenario",
      measured:
        behind.length === 0 ? `ahead on all ${compared} headline figures` : `behind on ${behind.join("; ")}`,
      met: behind.length === 0,
    });
  }
  const growth = scenarios.find((scenario) => scenario.id === "growth")?.systems.awl?.median;
  if (growth) {
    const keys = ["wallMs", "qstashMessages", "redisCalls", "storedBytes", "wireBytes"];
    const worst = Math.max(...keys.map((key) => growth[`${key}:perStepGrowth`] ?? 0));
    checks.push({
      target: "linear growth in steps",
      measured: `cost per step at 100 steps at most ${round(worst, 2)}× that at 10 steps (wall, messages, round trips, bytes)`,
      met: worst <= 1.25,
    });
  }
  return checks;
}
