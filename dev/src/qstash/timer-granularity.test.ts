import { describe, expect, it } from "vitest";
import { checkTimerGranularity, releaseTime } from "./timer-granularity.ts";

describe("releaseTime", () => {
  const now = 1_700_000_000_250;

  it("exact: a message goes at its millisecond", () => {
    expect(releaseTime(now + 1234, now, "exact")).toBe(now + 1234);
  });

  it("1s: a future due time goes on the next whole second, a whole second stays where it is", () => {
    expect(releaseTime(now + 1, now, "1s")).toBe(1_700_000_001_000);
    expect(releaseTime(1_700_000_003_000, now, "1s")).toBe(1_700_000_003_000);
    expect(releaseTime(1_700_000_003_001, now, "1s")).toBe(1_700_000_004_000);
  });

  it("1s: what is already due is not held for a second boundary", () => {
    expect(releaseTime(now, now, "1s")).toBe(now);
    expect(releaseTime(now - 5000, now, "1s")).toBe(now - 5000);
  });
});

it("a granularity other than exact or 1s is refused by name", () => {
  expect(checkTimerGranularity(undefined)).toBe("exact");
  expect(checkTimerGranularity("1s")).toBe("1s");
  expect(() => checkTimerGranularity("1ms")).toThrow('timerGranularity: "1ms" is not one of exact, 1s');
});
