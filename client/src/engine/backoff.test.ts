import { describe, expect, test } from "vitest";
import { MAX_BACKOFF_MS, defaultBackoff, retryDelayMs } from "./backoff.ts";
import { RetryAfterError } from "./errors.ts";

const delay = (...args: Parameters<typeof retryDelayMs>) => retryDelayMs(...args).delayMs;

describe("default backoff", () => {
  test("follows 5 s × 4^(attempt−1) within ±10% jitter", () => {
    const nominal = [5_000, 20_000, 80_000, 320_000];
    nominal.forEach((ms, i) => {
      expect(defaultBackoff(i + 1, () => 0)).toBe(ms * 0.9);
      expect(defaultBackoff(i + 1, () => 0.5)).toBe(ms);
      expect(defaultBackoff(i + 1, () => 1)).toBe(ms * 1.1);
    });
  });

  test("never waits more than a week, however many attempts", () => {
    expect(defaultBackoff(30, () => 1)).toBe(MAX_BACKOFF_MS);
  });
});

describe("retry delay", () => {
  const now = 1_700_000_000_000;

  test("uses the workload's schedule, in ms or as a duration string", () => {
    expect(delay(new Error("x"), 1, () => 1234, now)).toBe(1234);
    expect(delay(new Error("x"), 2, (attempt) => `${attempt * 10}s`, now)).toBe(20_000);
  });

  test("RetryAfterError waits at least its delay, and never less than the schedule", () => {
    expect(delay(new RetryAfterError("slow down", "5m"), 1, () => 1000, now)).toBe(300_000);
    expect(delay(new RetryAfterError("soon", 10), 1, () => 1000, now)).toBe(1000);
  });

  test("RetryAfterError with force uses exactly its time, even a Date", () => {
    expect(delay(new RetryAfterError("now", 10, { force: true }), 1, () => 1000, now)).toBe(10);
    const at = new Date(now + 42_000);
    expect(delay(new RetryAfterError("at", at, { force: true }), 3, undefined, now)).toBe(42_000);
  });

  test("a bad delay is refused where the error is constructed, naming it", () => {
    expect(() => new RetryAfterError("x", "soonish")).toThrow(/retryAfter: "soonish" is not a duration/);
  });
});

describe("a schedule that gives no usable delay", () => {
  const now = 1_700_000_000_000;
  const schedules: [string, () => unknown][] = [
    ["undefined", () => undefined],
    ["NaN", () => NaN],
    ["a negative number", () => -5],
    ["a word", () => "soonish"],
    ["an empty string", () => ""],
    [
      "a throw",
      () => {
        throw new Error("schedule bug");
      },
    ],
  ];
  test.each(schedules)("%s: the default backoff, with the problem named", (_, schedule) => {
    const result = retryDelayMs(new Error("x"), 2, schedule as never, now, () => 0.5);
    expect(result.delayMs).toBe(20_000);
    expect(result.scheduleProblem).toMatch(/^backoffSchedule\(2\) /);
  });
});
