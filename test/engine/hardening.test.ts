/**
 * What a careless or hostile workload cannot do to the engine, end to end over real HTTP (issue 12):
 * throw values that cannot be printed, give a backoff schedule that returns nothing, return values JSON
 * would change, leave failing steps un-awaited, change step ids between invocations. Each ends the run
 * the normal way (a retry or the dead letters) with a readable error, instead of a 503 and a lost error.
 */
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { defineEvents } from "../../client/src/events/define-events.ts";
import { sendEvents } from "../../client/src/engine/send.ts";
import type { EventDetail } from "../../client/src/engine/types.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { siteForFile, waitFor, type Host, type Stack } from "../helpers/stack.ts";

const once = { maxRetries: 0 };
const catalog = defineEvents({ "h-typed": z.object({ id: z.string() }) });

const workloads = {
  "throws-bare": asyncWorkload(
    async () => {
      throw Object.assign(Object.create(null) as object, { reason: "bare" });
    },
    { events: "h-bare", maxRetries: 1, backoffSchedule: () => 10 },
  ),
  "throws-hostile": asyncWorkload(
    async () => {
      throw {
        code: "E_HOSTILE",
        toString() {
          throw new Error("not printable");
        },
      };
    },
    { events: "h-hostile", ...once },
  ),
  "throws-symbol": asyncWorkload(
    async () => {
      throw Symbol("boom");
    },
    { events: "h-symbol", ...once },
  ),
  "huge-message": asyncWorkload(
    async () => {
      throw new Error("m".repeat(2 * 1024 * 1024));
    },
    { events: "h-huge", ...once },
  ),
  "bad-schedule": asyncWorkload(
    async ({ attempt }) => {
      if (attempt === 1) throw new Error("the real error");
    },
    { events: "h-schedule", backoffSchedule: () => undefined as unknown as number },
  ),
  "map-result": asyncWorkload(
    async ({ step }) => {
      await step.run("load-users", () => new Map([["ada", 1]]));
    },
    { events: "h-map", backoffSchedule: () => 10 },
  ),
  "unawaited-step": asyncWorkload(
    async ({ step }) => {
      // Not awaited: the bug this test is about.
      void step.run("background", async () => {
        throw new Error("nobody awaited me");
      });
    },
    { events: "h-unawaited", ...once },
  ),
  "changing-ids": asyncWorkload(
    async ({ step }) => {
      const stamp = `${Date.now()}-${Math.random().toString(36).slice(2, 6)}`;
      await step.run(`fetch-${stamp}`, () => stamp);
      await step.sleep(`nap-${stamp}`, "1s");
    },
    { events: "h-changing" },
  ),
  "parallel-sleeps": asyncWorkload(async ({ step }) => {
    await Promise.all([step.sleep("a", "1s"), step.sleep("b", "2s")]);
  }, "h-sleeps"),
  "sleep-beside-step": asyncWorkload(async ({ step }) => {
    await Promise.all([step.sleep("w", "1s"), step.run("fetch", () => Date.now())]);
  }, "h-beside"),
  "truthy-filter": asyncWorkload(async () => undefined, {
    events: "h-filter",
    eventFilter: (event) => (event.data as { userId?: string }).userId,
  }),
  "sends-bad-data": asyncWorkload(
    async ({ step }) => {
      await step.sendEvent("notify", "h-typed", { id: 5 });
    },
    { events: "h-send-bad", catalog, backoffSchedule: () => 10 },
  ),
  "bad-sleep": asyncWorkload(
    async ({ step }) => {
      await step.sleep("nap", "a while");
    },
    { events: "h-bad-sleep", backoffSchedule: () => 10 },
  ),
};

let stack: Stack;
let host: Host;
siteForFile(workloads, (site) => ({ stack, host } = site));

async function send(name: string, data?: unknown) {
  const [result] = await sendEvents(host.runtime, [{ name, data }]);
  return result!.eventId;
}

async function settled(eventId: string, state: string, timeoutMs = 15_000): Promise<EventDetail> {
  return waitFor(
    async () => {
      const event = await stack.runtime.store.getEvent(eventId);
      return event && event.runs.length > 0 && event.runs.every((run) => run.state === state)
        ? event
        : undefined;
    },
    { what: `event ${eventId} to reach ${state}`, timeoutMs },
  );
}

describe("recording a failure never fails", () => {
  test("a thrown null-prototype object is retried, then dead-lettered with its content", async () => {
    const event = await settled(await send("h-bare"), "dead-lettered");
    const run = event.runs[0]!;
    expect(run.attempts.map((a) => [a.outcome, a.error?.message])).toEqual([
      ["failed", '{"reason":"bare"}'],
      ["dead-lettered", '{"reason":"bare"}'],
    ]);
    expect(run.lastError).toEqual({ name: "NonError", message: '{"reason":"bare"}' });
  });

  test("an object whose toString throws, and a Symbol, are recorded readably", async () => {
    const hostile = await settled(await send("h-hostile"), "dead-lettered");
    expect(hostile.runs[0]!.lastError).toEqual({ name: "NonError", message: '{"code":"E_HOSTILE"}' });
    const symbol = await settled(await send("h-symbol"), "dead-lettered");
    expect(symbol.runs[0]!.lastError).toEqual({ name: "NonError", message: "Symbol(boom)" });
  });

  test("a 2 MB message is stored capped, in the attempt and as the last error", async () => {
    const event = await settled(await send("h-huge"), "dead-lettered");
    const run = event.runs[0]!;
    expect(run.lastError!.message.length).toBeLessThan(4200);
    expect(run.lastError!.message).toMatch(/more characters\)$/);
    expect(run.lastError!.stack!.length).toBeLessThan(16_500);
    expect(run.attempts[0]!.error).toEqual(run.lastError);
  });

  test("a backoffSchedule returning undefined: the default backoff, the real error kept, the problem noted", async () => {
    const event = await settled(await send("h-schedule"), "completed", 25_000);
    const [failed, completed] = event.runs[0]!.attempts;
    expect(failed).toMatchObject({ outcome: "failed", error: { message: "the real error" } });
    expect(failed!.warning).toMatch(/backoffSchedule\(1\) returned undefined/);
    expect(failed!.nextAt! - failed!.endedAt).toBeGreaterThanOrEqual(4_500);
    expect(completed!.outcome).toBe("completed");
  }, 30_000);
});

describe("step results JSON would change", () => {
  test("a Map is refused, naming the step: dead-lettered at once, nothing stored for the step", async () => {
    const event = await settled(await send("h-map"), "dead-lettered");
    const run = event.runs[0]!;
    expect(run.attempts).toHaveLength(1);
    expect(run.lastError).toMatchObject({ name: "StepResultError", step: "load-users" });
    expect(run.lastError!.message).toMatch(
      /^step "load-users" returned a Map at result, which JSON would store as \{\}/,
    );
    expect(run.steps).toEqual([]);
  });
});

describe("a step promise nobody awaited", () => {
  test("rejecting fails the attempt with the step's error, instead of the run completing", async () => {
    const event = await settled(await send("h-unawaited"), "dead-lettered");
    expect(event.runs[0]!.lastError).toMatchObject({ message: "nobody awaited me", step: "background" });
  });
});

describe("step ids that change between invocations", () => {
  test("are reported as non-determinism naming the ids, instead of sleeping forever", async () => {
    const event = await settled(await send("h-changing"), "dead-lettered");
    const run = event.runs[0]!;
    expect(run.attempts.map((a) => a.outcome)).toEqual(["sleeping", "dead-lettered"]);
    expect(run.lastError!.name).toBe("NonDeterminismError");
    const [journaled, fresh] = [run.attempts[0]!.steps, run.attempts[1]!.steps];
    expect(run.lastError!.message).toContain(`"${journaled![0]}"`);
    expect(run.lastError!.message).toContain(`"${fresh![0]}"`);
  });
});

describe("sleeps and steps started together run together", () => {
  test("two parallel sleeps of 1 s and 2 s take about 2 s, not 3", async () => {
    const event = await settled(await send("h-sleeps"), "completed");
    const run = event.runs[0]!;
    expect(run.finishedAt! - run.createdAt).toBeGreaterThanOrEqual(2_000);
    expect(run.finishedAt! - run.createdAt).toBeLessThan(2_800);
    const [a, b] = ["a", "b"].map((id) => run.steps.find((step) => step.id === id)!.wakeAt!);
    // Each sleep's wake time is taken when it starts: the two start together, a millisecond or so apart.
    expect(b! - a!).toBeGreaterThanOrEqual(1_000);
    expect(b! - a!).toBeLessThan(1_050);
    // The first park wakes at the earlier sleep.
    expect(run.attempts[0]).toMatchObject({ outcome: "sleeping", nextAt: a });
  });

  test("a step beside a sleep runs in the first invocation, without waiting for the sleep", async () => {
    const event = await settled(await send("h-beside"), "completed");
    const run = event.runs[0]!;
    expect(run.attempts.map((a) => [a.outcome, a.steps])).toEqual([
      ["sleeping", ["fetch"]],
      ["completed", []],
    ]);
    const fetch = run.steps.find((step) => step.id === "fetch")!;
    const wait = run.steps.find((step) => step.id === "w")!;
    expect(fetch.result as number).toBeLessThan(wait.wakeAt!);
  });
});

describe("eventFilter", () => {
  test("a filter returning a truthy non-boolean matches, a falsy one skips", async () => {
    const skippedId = send("h-filter", { userId: "" });
    const matched = await settled(await send("h-filter", { userId: "u_1" }), "completed");
    expect(matched.runs.map((run) => run.workload)).toEqual(["truthy-filter"]);
    const skipped = await waitFor(async () => {
      const event = await stack.runtime.store.getEvent(await skippedId);
      return event?.state === "unmatched" ? event : undefined;
    });
    expect(skipped.runs).toEqual([]);
  });
});

describe("deterministic input errors dead-letter at once", () => {
  test("step.sendEvent with data failing the catalog's schema: one attempt, the field named", async () => {
    const event = await settled(await send("h-send-bad"), "dead-lettered");
    const run = event.runs[0]!;
    expect(run.attempts).toHaveLength(1);
    expect(run.lastError).toMatchObject({ name: "InvalidInputError", step: "notify" });
    expect(run.lastError!.message).toMatch(/^data\.id: /);
  });

  test("a sleep with a duration that is not one: one attempt, the step named", async () => {
    const event = await settled(await send("h-bad-sleep"), "dead-lettered");
    const run = event.runs[0]!;
    expect(run.attempts).toHaveLength(1);
    expect(run.lastError!.message).toMatch(/step\.sleep\("nap"\): "a while" is not a duration/);
  });
});
