import { describe, expect, it } from "vitest";
import { advantage, linearFit, median, medianOfRounds, percentile, summarize } from "./stats.ts";

describe("percentile", () => {
  it("uses the nearest rank, whatever the input order", () => {
    const values = [5, 1, 4, 2, 3, 10, 9, 8, 7, 6];
    expect(percentile(values, 50)).toBe(5);
    expect(percentile(values, 90)).toBe(9);
    expect(percentile(values, 99)).toBe(10);
    expect(percentile(values, 0)).toBe(1);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe("median and summarize", () => {
  it("averages the two middle values of an even count", () => {
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([3, 1, 2])).toBe(2);
  });
  it("summarizes with rounded figures", () => {
    expect(summarize([1, 2, 3, 4])).toEqual({ n: 4, min: 1, p50: 2, p90: 4, p99: 4, max: 4, mean: 2.5 });
  });
  it("takes the median of each field over rounds", () => {
    expect(medianOfRounds([{ a: 1, b: 10 }, { a: 3, b: 30 }, { a: 2 }])).toEqual({ a: 2, b: 20 });
  });
});

describe("advantage", () => {
  it("is above 1 when ours is better, in either direction", () => {
    expect(advantage(10, 30, "lower")).toBe(3);
    expect(advantage(30, 10, "lower")).toBe(0.33);
    expect(advantage(1000, 250, "higher")).toBe(4);
  });
  it("handles zeros and missing figures", () => {
    expect(advantage(0, 5, "lower")).toBe(Infinity);
    expect(advantage(0, 0, "lower")).toBe(1);
    expect(advantage(5, NaN, "lower")).toBeUndefined();
  });
});

describe("linearFit", () => {
  it("fits a straight line and finds nothing above it", () => {
    const fit = linearFit([1, 10, 100].map((x) => ({ x, y: 2 + 3 * x })));
    expect(fit.slope).toBe(3);
    expect(fit.intercept).toBe(2);
    expect(fit.r2).toBe(1);
    expect(fit.extrapolationError).toBe(0);
  });
  it("reports how far a quadratic point lies above the line through the smaller ones", () => {
    const fit = linearFit([1, 10, 100].map((x) => ({ x, y: x * x })));
    expect(fit.extrapolationError).toBeGreaterThan(5);
  });
});
