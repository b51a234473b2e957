import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { FlowLimiter, parseFlowControlValue } from "./flow-control.ts";

describe("Upstash-Flow-Control-Value", () => {
  it.each([
    ["parallelism=5", { parallelism: 5, period: 1 }],
    ["rate=10", { rate: 10, period: 1 }],
    ["parallelism=5, rate=10, period=1m", { parallelism: 5, rate: 10, period: 60 }],
    ["rate=3,period=2d", { rate: 3, period: 172_800 }],
    ["rate=3, period=30", { rate: 3, period: 30 }],
    ["  Parallelism = 2 ,", { parallelism: 2, period: 1 }],
  ])("%j", (value, limits) => {
    expect(parseFlowControlValue(value)).toEqual(limits);
  });

  it.each([
    ["", /at least one of parallelism or rate/],
    ["period=1m", /at least one of parallelism or rate/],
    ["parallelism=0", /parallelism must be a positive integer/],
    ["rate=two", /rate must be a positive integer/],
    ["rate=1, period=soon", /period: time: invalid duration "soon"/],
    ["rate=1, period=500ms", /at least 1s/],
    ["burst=3", /unknown setting "burst"/],
    ["parallelism", /expected name=value/],
  ])("rejects %j", (value, message) => {
    expect(() => parseFlowControlValue(value)).toThrow(message);
  });
});

describe("FlowLimiter", () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it("never admits more than `parallelism` of a key at once, in arrival order", () => {
    const admitted: number[] = [];
    const limiter = new FlowLimiter<number>((item) => admitted.push(item));
    for (const item of [1, 2, 3, 4]) limiter.enter("k", { parallelism: 2, period: 1 }, item);
    limiter.enter("other", { parallelism: 1, period: 1 }, 100);
    expect(admitted).toEqual([1, 2, 100]);
    limiter.leave("k");
    expect(admitted).toEqual([1, 2, 100, 3]);
    limiter.leave("k");
    limiter.leave("k");
    expect(admitted).toEqual([1, 2, 100, 3, 4]);
  });

  it("starts at most `rate` per period and admits the rest when the window rolls over", () => {
    const admitted: number[] = [];
    const limiter = new FlowLimiter<number>((item) => admitted.push(item), Date.now);
    for (const item of [1, 2, 3, 4, 5]) limiter.enter("k", { rate: 2, period: 10 }, item);
    for (let i = 0; i < 5; i += 1) limiter.leave("k");
    expect(admitted).toEqual([1, 2]);
    vi.advanceTimersByTime(9_999);
    expect(admitted).toEqual([1, 2]);
    vi.advanceTimersByTime(1);
    expect(admitted).toEqual([1, 2, 3, 4]);
    vi.advanceTimersByTime(10_000);
    expect(admitted).toEqual([1, 2, 3, 4, 5]);
    limiter.stop();
  });

  it("takes the limits of the latest message of a key", () => {
    const admitted: number[] = [];
    const limiter = new FlowLimiter<number>((item) => admitted.push(item));
    limiter.enter("k", { parallelism: 1, period: 1 }, 1);
    limiter.enter("k", { parallelism: 1, period: 1 }, 2);
    limiter.enter("k", { parallelism: 3, period: 1 }, 3);
    expect(admitted).toEqual([1, 2, 3]);
  });
});
