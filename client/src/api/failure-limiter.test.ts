import { expect, test } from "vitest";
import { createFailureLimiter, FREE_FAILURES, MAX_DELAY_MS, WINDOW_MS } from "./failure-limiter.ts";

test("free failures at once, then delays doubling to a cap, and a 429 while one is held", () => {
  const limiter = createFailureLimiter();
  let now = 1_000_000;
  for (let i = 0; i < FREE_FAILURES; i++) expect(limiter.failed("a", now)).toBe(0);
  expect(limiter.refusedFor("a", now)).toBeUndefined();
  expect(limiter.failed("a", now)).toBe(1000);
  expect(limiter.refusedFor("a", now)).toBe(1);
  expect(limiter.refusedFor("b", now)).toBeUndefined();
  now += 1000;
  expect(limiter.refusedFor("a", now)).toBeUndefined();
  const delays = Array.from({ length: 8 }, () => {
    const delay = limiter.failed("a", now);
    now += delay;
    return delay;
  });
  expect(delays).toEqual([2000, 4000, 8000, 16_000, MAX_DELAY_MS, MAX_DELAY_MS, MAX_DELAY_MS, MAX_DELAY_MS]);
});

test("a correct key, or a quiet window, clears a client's record", () => {
  const limiter = createFailureLimiter();
  for (let i = 0; i < FREE_FAILURES; i++) limiter.failed("a", 0);
  limiter.succeeded("a");
  expect(limiter.failed("a", 0)).toBe(0);
  for (let i = 0; i < FREE_FAILURES; i++) limiter.failed("b", 0);
  expect(limiter.failed("b", WINDOW_MS)).toBe(0);
});
