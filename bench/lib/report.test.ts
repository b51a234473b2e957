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
});
