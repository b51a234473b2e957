/**
 * The targets, checked against a run's results (same run, same machine, medians over rounds): each
 * says what was measured, whether it was met, and by how much it was missed. Issue 14's: single-step
 * latency, throughput, fan-out and price against Upstash Workflow, Restate and BullMQ, and every
 * multi-step, timer and growth figure no worse than the baseline (bench/baseline.json: the figures
 * before that work). Standing ones: a 10-step run's QStash messages, one Redis round trip per
 * step, linear growth, wake lateness.
 *
 * "No worse than the baseline": counts (messages, round trips, commands, bytes, price) may not grow
 * by more than 2%; times are compared as our advantage over Upstash Workflow in the same run (a
 * ratio survives a different machine or load; an absolute time does not), which may not shrink by
 * more than 10%; wake lateness (the timer, not the CPU, sets it) may not grow by more than 10% or
 * 5 ms, whichever is more; runs woken early may not appear.
 */
import { readFileSync } from "node:fs";
import type { ScenarioResult } from "../scenarios/common.ts";
import type { SystemId } from "../systems/types.ts";
import { advantage, round } from "./stats.ts";

export interface TargetCheck {
  target: string;
  measured: string;
  met: boolean | undefined;
  /** How far off, when missed (e.g. "2.3× the target"). */
  miss?: string;
}

export interface Baseline {
  source: string;
  /** Per scenario, per system, the headline medians. */
  scenarios: Record<string, Partial<Record<SystemId, Record<string, number>>>>;
}

export function readBaseline(): Baseline {
  return JSON.parse(readFileSync(new URL("../baseline.json", import.meta.url), "utf8")) as Baseline;
}

const figure = (scenarios: ScenarioResult[], id: string, system: SystemId, key: string): number | undefined =>
  scenarios.find((scenario) => scenario.id === id)?.systems[system]?.median[key];

/** How a figure is held to its baseline. */
function kindOf(key: string): "time" | "lateness" | "early" | "growth" | "count" {
  if (key === "earlyRuns") return "early";
  if (key.startsWith("lateness")) return "lateness";
  if (key.endsWith(":perStepGrowth")) return "growth";
  if (/^(wallMs|perStepMs|perStepOverheadMs)/.test(key)) return "time";
  return "count";
}

/** Each baseline figure that got worse, with by how much; and how many were compared. */
export function regressions(
  scenarios: ScenarioResult[],
  baseline: Baseline,
): { compared: number; worse: string[] } {
  const worse: string[] = [];
  let compared = 0;
  for (const [id, systems] of Object.entries(baseline.scenarios)) {
    const then = systems.awl;
    const thenPeer = systems["upstash-workflow"];
    if (!then) continue;
    for (const [key, before] of Object.entries(then)) {
      const now = figure(scenarios, id, "awl", key);
      if (now === undefined) continue;
      const label = `${id} ${key}`;
      switch (kindOf(key)) {
        case "time": {
          compared += 1;
          // A time at or below zero (a per-step overhead lost in noise) cannot have got worse.
          if (now <= 0) continue;
          const peerNow = figure(scenarios, id, "upstash-workflow", key);
          const peerThen = thenPeer?.[key];
          if (peerNow === undefined || peerThen === undefined) continue;
          const aheadNow = advantage(now, peerNow, "lower");
          const aheadThen = advantage(before, peerThen, "lower");
          if (aheadNow === undefined || aheadThen === undefined) continue;
          if (aheadNow < aheadThen * 0.9) {
            worse.push(
              `${label}: ${aheadNow}× Upstash Workflow's, was ${aheadThen}× (${now} ms vs ${peerNow} ms)`,
            );
          }
          break;
        }
        case "lateness":
          compared += 1;
          if (now > Math.max(before * 1.1, before + 5)) worse.push(`${label}: ${now} ms, was ${before} ms`);
          break;
        case "early":
          compared += 1;
          if (now > before) worse.push(`${label}: ${now}, was ${before}`);
          break;
        case "growth":
          compared += 1;
          if (now > Math.max(1, before + 0.1)) worse.push(`${label}: ${now}×, was ${before}×`);
          break;
        case "count":
          compared += 1;
          if (now > before * 1.02 + 0.01) {
            worse.push(
              `${label}: ${now}, was ${before} (+${round(((now - before) / (before || 1)) * 100, 0)}%)`,
            );
          }
          break;
      }
    }
  }
  return { compared, worse };
}

export function checkTargets(
  scenarios: ScenarioResult[],
  baseline: Baseline = readBaseline(),
): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const at = (id: string, key: string, system: SystemId = "awl") => figure(scenarios, id, system, key);
  const peerName: Record<string, string> = {
    "upstash-workflow": "Upstash Workflow",
    restate: "Restate",
    bullmq: "BullMQ",
  };
  /** Ours at most `factor` × the peer's (lower is better). */
  const atMost = (target: string, id: string, key: string, peer: SystemId, factor: number, unit: string) => {
    const ours = at(id, key);
    const theirs = at(id, key, peer);
    if (ours === undefined || theirs === undefined) return;
    const limit = round(theirs * factor);
    const met = ours <= limit;
    checks.push({
      target,
      measured: `${ours} ${unit} vs ${peerName[peer]} ${theirs} ${unit} (${round(ours / theirs)}×)`,
      met,
      ...(met
        ? {}
        : {
            miss: `${round(ours / limit)}× the limit of ${limit} ${unit} (+${round(ours - limit)} ${unit})`,
          }),
    });
  };
  /** Ours at least `factor` × the peer's (higher is better). */
  const atLeast = (target: string, id: string, key: string, peer: SystemId, factor: number, unit: string) => {
    const ours = at(id, key);
    const theirs = at(id, key, peer);
    if (ours === undefined || theirs === undefined) return;
    const limit = round(theirs * factor, 1);
    const met = ours >= limit;
    checks.push({
      target,
      measured: `${ours} ${unit} vs ${peerName[peer]} ${theirs} ${unit} (${round(ours / theirs)}×)`,
      met,
      ...(met
        ? {}
        : {
            miss: `${round((ours / limit) * 100, 0)}% of the ${limit} ${unit} needed (${round(ours - limit, 1)} ${unit})`,
          }),
    });
  };

  atMost(
    "single-step idle p50 ≤ 0.8× Upstash Workflow's",
    "throughput",
    "idleP50Ms",
    "upstash-workflow",
    0.8,
    "ms",
  );
  atMost("single-step idle p50 ≤ Restate's", "throughput", "idleP50Ms", "restate", 1, "ms");
  atLeast(
    "events/s ≥ 2× Upstash Workflow's",
    "throughput",
    "eventsPerSecond",
    "upstash-workflow",
    2,
    "events/s",
  );
  atLeast("events/s ≥ Restate's", "throughput", "eventsPerSecond", "restate", 1, "events/s");
  atLeast("events/s ≥ ⅓ of BullMQ's", "throughput", "eventsPerSecond", "bullmq", 1 / 3, "events/s");
  atLeast(
    "fan-out events/s ≥ 1.5× Upstash Workflow's",
    "fan-out",
    "eventsPerSecond",
    "upstash-workflow",
    1.5,
    "events/s",
  );
  atMost(
    "price per 1M single-step events ≤ Upstash Workflow's",
    "throughput",
    "usdPerMillionEvents",
    "upstash-workflow",
    1,
    "USD",
  );
  const { compared, worse } = regressions(scenarios, baseline);
  if (compared > 0) {
    checks.push({
      target: "every multi-step, timer and growth figure no worse than before issue 14",
      measured:
        worse.length === 0
          ? `${compared} figures compared with ${baseline.source}: none worse`
          : `${worse.length} of ${compared} figures worse than ${baseline.source}: ${worse.join("; ")}`,
      met: worse.length === 0,
      ...(worse.length === 0 ? {} : { miss: `${worse.length} of ${compared} figures worse` }),
    });
  }

  const messages = at("ten-step", "qstashMessages");
  if (messages !== undefined) {
    checks.push({
      target: "a 10-step run ≤ 3 QStash messages",
      measured: `${messages} messages`,
      met: messages <= 3,
      ...(messages <= 3 ? {} : { miss: `${round(messages / 3)}× the target` }),
    });
  }
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
  const lateness = at("timers", "latenessP99Ms");
  if (lateness !== undefined) {
    checks.push({
      target: "wake lateness p99 ≤ 50 ms (exact timers)",
      measured: `${lateness} ms`,
      met: lateness <= 50,
      ...(lateness <= 50
        ? {}
        : { miss: `${round(lateness / 50)}× the target (+${round(lateness - 50)} ms)` }),
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
