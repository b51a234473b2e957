import { describe, expect, it } from "vitest";
import { parseDuration } from "./duration.ts";

describe("parseDuration (Go's time.ParseDuration plus days)", () => {
  it.each([
    ["0", 0],
    ["10s", 10_000],
    ["250ms", 250],
    ["1.5s", 1500],
    ["1h30m", 5_400_000],
    ["1d10h30m", 124_200_000],
    ["2d", 172_800_000],
    ["-3s", -3000],
    ["+7m", 420_000],
    ["100us", 0.1],
    [".5s", 500],
  ])("%s is %d ms", (input, ms) => {
    expect(parseDuration(input)).toBeCloseTo(ms, 6);
  });

  it.each([
    ["", 'time: invalid duration ""'],
    ["soon", 'time: invalid duration "soon"'],
    ["1", 'time: missing unit in duration "1"'],
    ["10x", 'time: unknown unit "x" in duration "10x"'],
    ["1h-2m", 'time: unknown unit "h-" in duration "1h-2m"'],
    [".s", 'time: invalid duration ".s"'],
  ])("rejects %j with Go's message", (input, message) => {
    expect(() => parseDuration(input)).toThrow(message);
  });
});
