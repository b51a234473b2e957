import { describe, expect, test } from "vitest";
import { formatBytes, formatDuration, formatJson, formatRelative, formatTime, plural } from "./format.ts";

describe("formatDuration", () => {
  test.each([
    [0, "0 ms"],
    [850, "850 ms"],
    [1234, "1.2 s"],
    [12_400, "12 s"],
    [60_000, "1 min"],
    [200_000, "3 min 20 s"],
    [7_500_000, "2 h 5 min"],
    [3 * 86_400_000 + 4 * 3_600_000, "3 d 4 h"],
    [-5, "0 ms"],
  ])("%d ms is %s", (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe("formatBytes", () => {
  test.each([
    [0, "0 B"],
    [512, "512 B"],
    [3400, "3.4 kB"],
    [45_000, "45 kB"],
    [1_200_000, "1.2 MB"],
  ])("%d bytes is %s", (bytes, text) => expect(formatBytes(bytes)).toBe(text));
});

test("formatTime writes a local, sortable timestamp", () => {
  expect(formatTime(new Date(2024, 4, 1, 3, 12, 45).getTime())).toBe("2024-05-01 03:12:45");
});

test("formatRelative says how far a time is from now, in its largest unit", () => {
  expect(formatRelative(10_000, 10_400)).toBe("now");
  expect(formatRelative(14_200, 10_000)).toBe("in 4.2 s");
  expect(formatRelative(0, 200_000)).toBe("3 min ago");
});

test("formatJson indents and cuts long values, saying how much was left out", () => {
  expect(formatJson({ a: 1 })).toBe('{\n  "a": 1\n}');
  expect(formatJson(undefined)).toBe("undefined");
  expect(formatJson("x".repeat(2000), 10)).toBe(`"xxxxxxxxx\n… (2 kB more)`);
});

test("plural writes a count with its noun", () => {
  expect(plural(1, "run")).toBe("1 run");
  expect(plural(0, "event")).toBe("0 events");
  expect(plural(3, "run")).toBe("3 runs");
});
