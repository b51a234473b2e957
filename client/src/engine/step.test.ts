import { describe, expect, test } from "vitest";
import { DuplicateStepIdError, NonDeterminismError, StepResultError } from "./errors.ts";
import { StepInterrupt, StepRunner, failedStepOf, sendEventKey, type StepRunnerDeps } from "./step.ts";

function runner(overrides: Partial<StepRunnerDeps> = {}) {
  const written = new Map<string, string>();
  const deps: StepRunnerDeps = {
    runId: "evt_1.flow",
    attempt: 1,
    journal: new Map(),
    checkpoint: async (id, record) => {
      written.set(id, record);
      return true;
    },
    send: async () => ({ eventId: "evt_sent", status: "accepted" }),
    wait: async () => ({ status: "fenced" }),
    trigger: { eventId: "evt_1", name: "flow", data: {} },
    now: Date.now,
    startedAt: Date.now(),
    timeBudgetMs: 60_000,
    ...overrides,
  };
  return { runner: new StepRunner(deps), written };
}

describe("step.run", () => {
  test("replays a completed step from the journal without calling it", async () => {
    const journal = new Map([["charge", JSON.stringify({ status: "completed", result: { id: "ch_1" } })]]);
    const { runner: r } = runner({ journal });
    let calls = 0;
    const result = await r.api.run("charge", () => {
      calls++;
      return { id: "ch_2" };
    });
    expect(result).toEqual({ id: "ch_1" });
    expect(calls).toBe(0);
  });

  test("checkpoints a new step's JSON result and returns the stored form", async () => {
    const { runner: r, written } = runner();
    const when = new Date("2026-01-01T00:00:00Z");
    const result = await r.api.run("order", () => ({ when, n: 1 }));
    expect(result).toEqual({ when: "2026-01-01T00:00:00.000Z", n: 1 });
    expect(JSON.parse(written.get("order")!)).toMatchObject({ status: "completed", result: { n: 1 } });
  });

  test("a step id used twice in one run is an error naming the id", async () => {
    const { runner: r } = runner();
    await r.api.run("a", () => 1);
    await expect(r.api.run("a", () => 2)).rejects.toThrow(DuplicateStepIdError);
    await expect(r.api.run("a", () => 2)).rejects.toThrow(/"a"/);
  });

  test("a result that is not JSON or over 1 MB is refused, naming the step", async () => {
    const { runner: r } = runner();
    await expect(r.api.run("big", () => "x".repeat(1024 * 1024 + 1))).rejects.toThrow(StepResultError);
    await expect(r.api.run("bigint", () => 1n)).rejects.toThrow(
      /step "bigint" returned a value that is not JSON/,
    );
  });

  test.each([
    [
      "a Map",
      () => ({ users: new Map([["a", 1]]) }),
      /step "m" returned a Map at result\.users, which JSON would store as \{\}/,
    ],
    ["a Set", () => [new Set([1])], /step "m" returned a Set at result\[0\]/],
    ["NaN", () => ({ total: NaN }), /step "m" returned NaN at result\.total, which JSON would store as null/],
    ["Infinity", () => Infinity, /step "m" returned Infinity at result, which JSON would store as null/],
    [
      "undefined in an array",
      () => [1, undefined],
      /returned undefined at result\[1\], which JSON would store as null/,
    ],
    ["a hole in an array", () => new Array<number>(3).fill(1, 0, 1), /returned undefined at result\[1\]/],
    ["a function", () => ({ fn: () => 1 }), /returned a function at result\.fn, which JSON would leave out/],
    [
      "a class instance",
      () => ({
        at: new (class Point {
          x = 1;
        })(),
      }),
      /a Point at result\.at/,
    ],
    ["an Error", () => new Error("x"), /returned an Error at result, which JSON would store as \{\}/],
  ])("a result JSON would change (%s) is refused, naming the step and where", async (_, fn, message) => {
    const { runner: r, written } = runner();
    const error = await r.api.run("m", fn as () => unknown).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StepResultError);
    expect((error as Error).message).toMatch(message);
    expect(written.has("m")).toBe(false);
  });

  test("kept: a Date (as its ISO string), undefined fields (left out), no result at all", async () => {
    const { runner: r } = runner();
    const when = new Date(0);
    await expect(r.api.run("d", () => ({ when, note: undefined, n: -0 }))).resolves.toEqual({
      when: "1970-01-01T00:00:00.000Z",
      n: 0,
    });
    await expect(r.api.run("u", () => undefined)).resolves.toBeUndefined();
  });

  test("an error thrown by a step is tagged with the step's id", async () => {
    const { runner: r } = runner();
    const error = await r.api
      .run("pay", () => Promise.reject(new Error("card declined")))
      .catch((e: unknown) => e);
    expect(failedStepOf(error)).toBe("pay");
  });

  test("past the time budget, no new step starts and the runner asks to continue", async () => {
    let clock = 1000;
    const { runner: r } = runner({ now: () => clock, startedAt: 1000, timeBudgetMs: 100 });
    await r.api.run("one", () => (clock += 150));
    let ran = false;
    await expect(r.api.run("two", () => (ran = true))).rejects.toThrow(StepInterrupt);
    expect(ran).toBe(false);
    expect(r.interrupt).toEqual({ kind: "continue" });
  });

  test("a superseded invocation (fenced checkpoint) stops and remembers why", async () => {
    const { runner: r } = runner({ checkpoint: async () => false });
    await expect(r.api.run("a", () => 1)).rejects.toThrow(StepInterrupt);
    expect(r.interrupt).toEqual({ kind: "superseded" });
  });
});

describe("a step promise that is not awaited", () => {
  const fail = () => Promise.reject(new Error("nobody awaited me"));

  test("when it rejects, the runner reports its error after settling", async () => {
    const { runner: r } = runner();
    void r.api.run("background", fail); // not awaited: the point of the test
    await r.settle();
    expect(r.unobservedFailure()).toMatchObject({ message: "nobody awaited me" });
  });

  test("awaited, caught, or handed to Promise.allSettled, its rejection is the workload's to handle", async () => {
    const { runner: r } = runner();
    await r.api.run("caught", fail).catch(() => undefined);
    await Promise.allSettled([r.api.run("settled", fail)]);
    const chained = r.api.run("chained", fail).then(undefined, () => "handled");
    await r.settle();
    await expect(chained).resolves.toBe("handled");
    expect(r.unobservedFailure()).toBeUndefined();
  });
});

describe("step ids that differ between invocations", () => {
  const completed = JSON.stringify({ status: "completed", result: 1 });

  test("a new id while journaled ones were never reached is reported, naming both", async () => {
    const journal = new Map([
      ["stamp-1", completed],
      ["nap-1", JSON.stringify({ status: "sleeping", wakeAt: 1 })],
    ]);
    const { runner: r } = runner({ journal });
    await r.api.run("stamp-2", () => 2);
    const error = r.divergence();
    expect(error).toBeInstanceOf(NonDeterminismError);
    expect(error!.message).toMatch(/never reached: "stamp-1", "nap-1"; new this time: "stamp-2"/);
  });

  test("not when every journaled id was reached, or when nothing new was started", async () => {
    const journal = new Map([["a", completed]]);
    const all = runner({ journal }).runner;
    await all.api.run("a", () => 0);
    await all.api.run("b", () => 2);
    expect(all.divergence()).toBeUndefined();
    const stoppedEarly = runner({ journal }).runner;
    expect(stoppedEarly.divergence()).toBeUndefined();
  });
});

describe("step.sleep", () => {
  test("parks the run with its wake time and journal entry once nothing else runs; later calls throw", async () => {
    const { runner: r } = runner({ now: () => 10_000 });
    const sleeping = r.api.sleep("wait", "7 days");
    await r.parked();
    await expect(sleeping).rejects.toThrow(StepInterrupt);
    expect(r.interrupt).toEqual({ kind: "sleep", wakeAt: 10_000 + 7 * 86_400_000 });
    expect(r.newSleeps()).toEqual([
      {
        id: "wait",
        record: JSON.stringify({ status: "sleeping", startedAt: 10_000, wakeAt: 10_000 + 7 * 86_400_000 }),
      },
    ]);
    await expect(r.api.run("after", () => 1)).rejects.toThrow(StepInterrupt);
  });

  test("returns once its wake time has passed", async () => {
    const journal = new Map([["wait", JSON.stringify({ status: "sleeping", wakeAt: 5_000 })]]);
    const { runner: r } = runner({ journal, now: () => 6_000 });
    await expect(r.api.sleep("wait", "7 days")).resolves.toBeUndefined();
    expect(r.interrupt).toBeUndefined();
  });

  test("a wake delivered before its time parks the run again without a new journal entry", async () => {
    const journal = new Map([["wait", JSON.stringify({ status: "sleeping", wakeAt: 9_000 })]]);
    const { runner: r } = runner({ journal, now: () => 6_000 });
    const sleeping = r.api.sleep("wait", "7 days");
    await r.parked();
    await expect(sleeping).rejects.toThrow(StepInterrupt);
    expect(r.interrupt).toEqual({ kind: "sleep", wakeAt: 9_000 });
    expect(r.newSleeps()).toEqual([]);
  });
});

describe("sleeps and steps started together", () => {
  test("two sleeps: both journaled, the run wakes at the earliest", async () => {
    const { runner: r } = runner({ now: () => 1_000 });
    const both = Promise.all([r.api.sleep("a", "1s"), r.api.sleep("b", "2s")]);
    await r.parked();
    await expect(both).rejects.toThrow(StepInterrupt);
    expect(r.interrupt).toEqual({ kind: "sleep", wakeAt: 2_000 });
    expect(r.newSleeps().map((s) => [s.id, JSON.parse(s.record).wakeAt])).toEqual([
      ["a", 2_000],
      ["b", 3_000],
    ]);
  });

  test("a step next to a sleep runs at once, and the run parks after it is checkpointed", async () => {
    const { runner: r, written } = runner({ now: () => 1_000 });
    let ran = false;
    const both = Promise.all([r.api.sleep("w", "1s"), r.api.run("fetch", () => (ran = true))]);
    await r.parked();
    await expect(both).rejects.toThrow(StepInterrupt);
    expect(ran).toBe(true);
    expect(written.has("fetch")).toBe(true);
    expect(r.interrupt).toEqual({ kind: "sleep", wakeAt: 2_000 });
  });

  test("a sleep whose time comes while a step runs ends here, journaled first, and the code goes on", async () => {
    let clock = 1_000;
    const { runner: r, written } = runner({ now: () => clock });
    const flow = (async () => {
      await Promise.all([r.api.sleep("w", "1s"), r.api.run("slow", () => (clock += 2_000))]);
      return r.api.run("after", () => "done");
    })();
    const parked = r.parked();
    await expect(flow).resolves.toBe("done");
    r.close();
    await parked;
    expect(r.interrupt).toBeUndefined();
    expect(JSON.parse(written.get("w")!)).toMatchObject({ status: "sleeping", wakeAt: 2_000 });
    expect(r.newSleeps()).toEqual([]);
  });
});

describe("step.sleepUntil", () => {
  test("parks the run until the given date", async () => {
    const { runner: r } = runner({ now: () => 1_000 });
    void r.api.sleepUntil("until", new Date(61_000)).catch(() => undefined);
    await r.parked();
    expect(r.interrupt).toEqual({ kind: "sleep", wakeAt: 61_000 });
  });

  test("a date already past does not park the run", async () => {
    const { runner: r } = runner({ now: () => 5_000 });
    await r.api.sleepUntil("past", "1970-01-01T00:00:01.000Z");
    expect(r.interrupt).toBeUndefined();
  });
});

describe("step.sendEvent", () => {
  test("sends with an idempotency key derived from the run and step", async () => {
    const sent: unknown[] = [];
    const { runner: r } = runner({
      send: async (input) => {
        sent.push(input);
        return { eventId: "evt_x", status: "accepted" };
      },
    });
    await expect(r.api.sendEvent("notify", "shipped", { id: 1 })).resolves.toEqual({
      eventId: "evt_x",
      status: "accepted",
    });
    expect(sent).toEqual([{ name: "shipped", data: { id: 1 }, idempotencyKey: "evt_1.flow:notify" }]);
  });
});

test("the sendEvent key fits 256 characters for every valid step id, and is stable", () => {
  const runId = `evt_${"x".repeat(40)}.checkout`;
  expect(sendEventKey(runId, "notify")).toBe(`${runId}:notify`);
  const long = "s".repeat(256);
  expect(sendEventKey(runId, long).length).toBeLessThanOrEqual(256);
  expect(sendEventKey(runId, long)).toBe(sendEventKey(runId, long));
  expect(sendEventKey(runId, long)).not.toBe(sendEventKey(runId, `${"s".repeat(255)}t`));
});
