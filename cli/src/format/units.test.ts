import { expect, test } from "vitest";
import { formatDuration, formatRelative, formatSize, formatTime } from "./units.ts";

test("durations keep the precision that matters at their scale, in at most two units", () => {
  expect(formatDuration(12)).toBe("12 ms");
  expect(formatDuration(1250)).toBe("1.25 s");
  expect(formatDuration(2000)).toBe("2 s");
  expect(formatDuration(42_400)).toBe("42 s");
  expect(formatDuration(185_000)).toBe("3 min 5 s");
  expect(formatDuration(2 * 3_600_000 + 10 * 60_000 + 7000)).toBe("2 h 10 min");
  expect(formatDuration(7 * 86_400_000)).toBe("7 d");
});

test("relative times say which way, in whole seconds", () => {
  expect(formatRelative(10_000, 5_000)).toBe("in 5 s");
  expect(formatRelative(0, 180_400)).toBe("3 min ago");
  expect(formatRelative(1000, 1200)).toBe("now");
});

test("sizes in B, KB and MB", () => {
  expect(formatSize(18)).toBe("18 B");
  expect(formatSize(1536)).toBe("1.5 KB");
  expect(formatSize(3.4 * 1024 * 1024)).toBe("3.4 MB");
});

test("times are local wall-clock times", () => {
  expect(formatTime(new Date(2025, 0, 31, 9, 5, 3).getTime())).toBe("2025-01-31 09:05:03");
});
