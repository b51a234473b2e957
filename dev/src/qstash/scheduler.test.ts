import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Scheduler } from "./scheduler.ts";

describe("Scheduler", () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it("fires each id once at its time, earliest first, with a single timer", () => {
    const fired: string[] = [];
    const scheduler = new Scheduler((id) => fired.push(`${id}@${Date.now() - 1_000_000}`));
    scheduler.schedule("c", 1_000_300);
    scheduler.schedule("a", 1_000_100);
    scheduler.schedule("b", 1_000_200);
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(1_000);
    expect(fired).toEqual(["a@100", "b@200", "c@300"]);
    expect(scheduler.size).toBe(0);
  });

  it("re-arms for an earlier arrival and honours reschedules and unschedules", () => {
    const fired: string[] = [];
    const scheduler = new Scheduler((id) => fired.push(id));
    scheduler.schedule("late", 1_005_000);
    scheduler.schedule("moved", 1_001_000);
    scheduler.schedule("gone", 1_000_500);
    scheduler.schedule("moved", 1_004_000);
    scheduler.unschedule("gone");
    vi.advanceTimersByTime(3_999);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(["moved"]);
    vi.advanceTimersByTime(1_000);
    expect(fired).toEqual(["moved", "late"]);
  });

  it("waits out delays longer than one setTimeout allows", () => {
    const fired: string[] = [];
    const scheduler = new Scheduler((id) => fired.push(id));
    const thirtyDays = 30 * 86_400_000;
    scheduler.schedule("far", Date.now() + thirtyDays);
    vi.advanceTimersByTime(thirtyDays - 1);
    expect(fired).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(fired).toEqual(["far"]);
  });

  it("does nothing after stop()", () => {
    const fired: string[] = [];
    const scheduler = new Scheduler((id) => fired.push(id));
    scheduler.schedule("x", 1_000_010);
    scheduler.stop();
    scheduler.schedule("y", 1_000_010);
    vi.advanceTimersByTime(100);
    expect(fired).toEqual([]);
    expect(vi.getTimerCount()).toBe(0);
  });
});
