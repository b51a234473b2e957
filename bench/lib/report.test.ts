import { describe, expect, it } from "vitest";
import { formatAdvantage, formatNumber, renderReport, type BenchResults } from "./report.ts";

describe("formatting", () => {
  it("rounds by magnitude and marks who is ahead", () => {
    expect(formatNumber(12345.6)).toBe("12,346");
    expect(formatNumber(123.45)).toBe("123.5");
    expect(formatNumber(1.234)).toBe("1.23");
    expect(formatNumber(undefined)).toBe("–");
    expect(formatAdvantage(2.5)).toBe("**2.5×**");
    expect(formatAdvantage(0.4)).toBe("0.4×");
    expect(formatAdvantage(Infinity)).toBe("∞ (we spend none)");
  });
});

describe("renderReport", () => {
  const results: BenchResults = {
    date: "2026-01-01T00:00:00.000Z",
    quick: true,
    rounds: 1,
    machine: { cpus: 2, cpuModel: "cpu", memoryGiB: 24, os: "Linux", node: "v20" },
    load: { start: [1, 1, 1], end: [2, 2, 2] },
    quiet: [
      { round: 0, load1: 1.2, threshold: 1.5, waitedMs: 0, quiet: true },
      { round: 1, load1: 2.4, threshold: 1.5, waitedMs: 100_000, quiet: false },
    ],
    warmUp: { events: 300, multiStepRuns: 10, durationMs: 5000 },
    modeledLatency: { redisMs: 2, qstashMs: 20 },
    versions: { bullmq: "1.0.0" },
    systems: [
      { id: "awl", label: "awl" },
      { id: "bullmq", label: "BullMQ" },
    ],
    scenarios: [
      {
        id: "throughput",
        title: "1. Throughput",
        description: "d",
        params: {},
        metrics: [{ key: "eventsPerSecond", label: "events/s", better: "higher", headline: true }],
        systems: {
          awl: { median: { eventsPerSecond: 100 }, rounds: [{ eventsPerSecond: 100, load1: 1.5 }] },
          bullmq: { median: { eventsPerSecond: 400 }, rounds: [{ eventsPerSecond: 400, load1: 1.6 }] },
        },
        notes: [],
        durationMs: 1,
      },
    ],
    targets: [{ target: "t", measured: "m", met: false, miss: "2× the target" }],
    durationMs: 1000,
    command: "npm run bench -- --quick",
  };

  it("renders a table per scenario with each system, the ratio and the loads", () => {
    const text = renderReport(results);
    expect(text).toContain("| events/s | 100 | 400 | 0.25× |");
    expect(text).toContain("Load (1-min average) at the start of each round: awl: 1.5; BullMQ: 1.6.");
    expect(text).toContain("| t | m | **no**: 2× the target |");
    expect(text).toContain("--quick");
  });

  it("says when the load never fell below the threshold before a round", () => {
    const text = renderReport(results);
    expect(text).toContain("round 1: 1.2; round 2: 2.4 after waiting 100 s (**never fell below 1.5**)");
    expect(text).toContain("The load **never dropped below 1.5** before round(s) 2");
  });

  it("marks a peer that runs no functions as not comparable on function figures", () => {
    const scenario = results.scenarios[0]!;
    const text = renderReport({
      ...results,
      scenarios: [
        {
          ...scenario,
          metrics: [
            {
              key: "functionMsPerEvent",
              label: "function ms",
              better: "lower",
              headline: true,
              service: "functions",
            },
          ],
          systems: {
            awl: { median: { functionMsPerEvent: 4 }, rounds: [{ functionMsPerEvent: 4, load1: 1 }] },
            bullmq: { median: { functionMsPerEvent: 0 }, rounds: [{ functionMsPerEvent: 0, load1: 1 }] },
          },
        },
      ],
    });
    expect(text).toContain("| function ms | 4 | 0 | n/a (no functions) |");
  });
});
