import { describe, expect, it } from "vitest";
import type { ScenarioResult } from "../scenarios/common.ts";
import type { SystemId } from "../systems/types.ts";
import { checkTargets, regressions, type Baseline } from "./targets.ts";

const scenario = (
  id: string,
  medians: Partial<Record<SystemId, Record<string, number>>>,
): ScenarioResult => ({
  id,
  title: id,
  description: "",
  params: {},
  metrics: [],
  systems: Object.fromEntries(
    Object.entries(medians).map(([system, median]) => [
      system,
      { median, rounds: [{ ...median, load1: 1 }] },
    ]),
  ),
  notes: [],
  durationMs: 0,
});

const baseline: Baseline = {
  source: "a test baseline",
  scenarios: {
    "ten-step": {
      awl: { wallMs: 20, qstashMessages: 2 },
      "upstash-workflow": { wallMs: 50, qstashMessages: 11 },
    },
    timers: { awl: { latenessP99Ms: 50, earlyRuns: 0 } },
  },
};

describe("checkTargets", () => {
  const run = [
    scenario("throughput", {
      awl: { idleP50Ms: 6, eventsPerSecond: 300, usdPerMillionEvents: 25 },
      "upstash-workflow": { idleP50Ms: 5, eventsPerSecond: 200, usdPerMillionEvents: 20 },
      restate: { idleP50Ms: 10, eventsPerSecond: 400 },
      bullmq: { idleP50Ms: 1, eventsPerSecond: 600 },
    }),
  ];
  const checks = checkTargets(run, { source: "none", scenarios: {} });
  const named = (start: string) => checks.find((check) => check.target.startsWith(start))!;

  it("says by how much a peer-relative target is missed", () => {
    expect(named("single-step idle p50 ≤ 0.8× Upstash").met).toBe(false);
    expect(named("single-step idle p50 ≤ 0.8× Upstash").miss).toBe("1.5× the limit of 4 ms (+2 ms)");
    expect(named("events/s ≥ 2× Upstash").miss).toBe("75% of the 400 events/s needed (-100 events/s)");
    expect(named("price per 1M").met).toBe(false);
  });

  it("marks targets met", () => {
    expect(named("single-step idle p50 ≤ Restate's").met).toBe(true);
    expect(named("events/s ≥ ⅓ of BullMQ's").met).toBe(true);
  });

  it("checks nothing against a peer that was not run", () => {
    expect(checks.find((check) => check.target.startsWith("fan-out"))).toBeUndefined();
  });
});

describe("regressions against the baseline", () => {
  it("holds counts absolutely and times as the advantage over Upstash Workflow", () => {
    const slowerMachine = [
      // Both twice as slow: the same 2.5× advantage, so not worse; one more message is.
      scenario("ten-step", {
        awl: { wallMs: 40, qstashMessages: 3 },
        "upstash-workflow": { wallMs: 100, qstashMessages: 11 },
      }),
      scenario("timers", { awl: { latenessP99Ms: 54, earlyRuns: 0 } }),
    ];
    const { compared, worse } = regressions(slowerMachine, baseline);
    expect(compared).toBe(4);
    expect(worse).toEqual(["ten-step qstashMessages: 3, was 2 (+50%)"]);
  });

  it("finds a time that fell behind Upstash Workflow and a late timer", () => {
    const { worse } = regressions(
      [
        scenario("ten-step", { awl: { wallMs: 30, qstashMessages: 2 }, "upstash-workflow": { wallMs: 50 } }),
        scenario("timers", { awl: { latenessP99Ms: 70, earlyRuns: 1 } }),
      ],
      baseline,
    );
    expect(worse).toEqual([
      "ten-step wallMs: 1.67× Upstash Workflow's, was 2.5× (30 ms vs 50 ms)",
      "timers latenessP99Ms: 70 ms, was 50 ms",
      "timers earlyRuns: 1, was 0",
    ]);
  });
});
