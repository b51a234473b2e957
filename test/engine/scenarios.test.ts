/**
 * The talk's scenarios, end to end over real HTTP: events sent through the engine's send path,
 * routed by QStash (awl dev) to a router, runs delivered to workloads on a local host, state in
 * Redis through the Upstash REST API.
 */
import { describe, expect, test } from "vitest";
import { z } from "zod";
import { defineEvents } from "../../client/src/events/define-events.ts";
import { InvalidInputError } from "../../client/src/engine/validation-error.ts";
import { sendEvents } from "../../client/src/engine/send.ts";
import type { EventDetail } from "../../client/src/engine/types.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { ErrorDoNotRetry, RetryAfterError } from "../../client/src/engine/errors.ts";
import { siteForFile, waitFor, type Host, type Stack } from "../helpers/stack.ts";

const fast = { backoffSchedule: () => 20 };
const calls: Record<string, number> = {};
const count = (key: string) => (calls[key] = (calls[key] ?? 0) + 1);
const seen: Record<string, unknown[]> = {};
const record = (key: string, value: unknown) => (seen[key] ??= []).push(value);

const catalog = defineEvents({
  "typed-order": z.object({ orderId: z.string(), quantity: z.number().int().positive() }),
});

const workloads = {
  hello: asyncWorkload(async (ctx) => {
    record("hello", {
      name: ctx.name,
      data: ctx.data,
      attempt: ctx.attempt,
      runId: ctx.runId,
      eventId: ctx.eventId,
    });
  }, "AWL1"),

  flaky: asyncWorkload(
    async ({ attempt }) => {
      record("flaky", attempt);
      if (attempt < 3) throw new Error(`error ${attempt}`);
    },
    { events: "awl2", ...fast },
  ),

  parallel: asyncWorkload(async ({ step }) => {
    const one = await step.run("step-1", async () => {
      record("parallel", "1:start");
      return "one return value";
    });
    const two = await step.run("step-2", async () => `${one} -> two`);
    const [three, four] = await Promise.all([
      step.run("step-3", async () => {
        record("parallel", "3:start");
        await new Promise((r) => setTimeout(r, 50));
        record("parallel", "3:end");
        return 3;
      }),
      step.run("step-4", async () => {
        record("parallel", "4:start");
        await new Promise((r) => setTimeout(r, 50));
        record("parallel", "4:end");
        return 4;
      }),
    ]);
    record("parallel", { two, three, four });
  }, "awl3"),

  "step-retry": asyncWorkload(
    async ({ step, attempt }) => {
      const first = await step.run("first", () => {
        count("step-retry:first");
        return { value: "kept" };
      });
      await step.run("second", () => {
        count("step-retry:second");
        record("step-retry", { attempt, first });
        if (attempt < 3) throw new Error("second fails");
      });
    },
    { events: "awl4", ...fast },
  ),

  sleeper: asyncWorkload(async ({ step }) => {
    await step.run("before", () => count("sleeper:before"));
    await step.sleep("nap", "3s");
    await step.run("after", () => {
      count("sleeper:after");
      record("sleeper", Date.now());
    });
  }, "awl5"),

  typed: asyncWorkload(
    async ({ data }) => {
      record("typed", data.orderId);
    },
    { events: "typed-order", catalog },
  ),

  "retry-after": asyncWorkload(
    async ({ attempt }) => {
      record("retry-after", { attempt, at: Date.now() });
      if (attempt === 1) throw new RetryAfterError("rate limited", 1500, { force: true });
    },
    { events: "awl6", backoffSchedule: () => 10 },
  ),

  "do-not-retry": asyncWorkload(
    async ({ step }) => {
      await step.run("only", () => count("do-not-retry"));
      throw new ErrorDoNotRetry("the card was declined");
    },
    { events: "awl7", ...fast },
  ),

  filtered: asyncWorkload(async ({ data }) => record("filtered", data), {
    events: "plan-event",
    eventFilter: (event) => (event.data as { plan?: string }).plan === "enterprise",
  }),

  "send-once": asyncWorkload(
    async ({ step, attempt }) => {
      const sent = await step.sendEvent("notify", "order-shipped", { attempt });
      record("send-once", sent.eventId);
      if (attempt < 3) throw new Error("fails after sending");
    },
    { events: "awl9", ...fast },
  ),

  budget: asyncWorkload(
    async ({ step }) => {
      for (let i = 0; i < 5; i++) await step.run(`s${i}`, () => count(`budget:${i}`));
    },
    { events: "awl8", timeBudget: 1 },
  ),
};

let stack: Stack;
let host: Host;
siteForFile(workloads, (site) => ({ stack, host } = site));

async function send(name: string, data?: unknown) {
  const [result] = await sendEvents(host.runtime, [{ name, data }]);
  return result!.eventId;
}

async function settled(eventId: string, state = "completed"): Promise<EventDetail> {
  return waitFor(
    async () => {
      const event = await stack.runtime.store.getEvent(eventId);
      return event && event.runs.length > 0 && event.runs.every((run) => run.state === state)
        ? event
        : undefined;
    },
    { what: `event ${eventId} to reach ${state}` },
  );
}

describe("a hello workload", () => {
  test("runs once with the event's name, data and ids; names match case-insensitively", async () => {
    const eventId = await send("awl1", { greeting: "hi" });
    const event = await settled(eventId);
    expect(event.state).toBe("completed");
    expect(seen.hello).toEqual([
      { name: "awl1", data: { greeting: "hi" }, attempt: 1, runId: `${eventId}.hello`, eventId },
    ]);
  });
});

describe("retries", () => {
  test("a workload that throws twice then succeeds runs attempts 1, 2, 3 and keeps each error", async () => {
    const eventId = await send("awl2");
    const event = await settled(eventId);
    expect(seen.flaky).toEqual([1, 2, 3]);
    const outcomes = event.runs[0]!.attempts.map((a) => [a.attempt, a.outcome, a.error?.message]);
    expect(outcomes).toEqual([
      [1, "failed", "error 1"],
      [2, "failed", "error 2"],
      [3, "completed", undefined],
    ]);
  });

  test("a failing step is retried without re-running or losing the step before it", async () => {
    const eventId = await send("awl4");
    await settled(eventId);
    expect(calls["step-retry:first"]).toBe(1);
    expect(calls["step-retry:second"]).toBe(3);
    expect(seen["step-retry"]).toEqual([1, 2, 3].map((attempt) => ({ attempt, first: { value: "kept" } })));
  });

  test("RetryAfterError with force retries at the requested time, not on the backoff schedule", async () => {
    const eventId = await send("awl6");
    await settled(eventId);
    const [first, second] = seen["retry-after"] as { attempt: number; at: number }[];
    expect(second!.attempt).toBe(2);
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(1500);
  });

  test("ErrorDoNotRetry dead-letters at once with its error and the step that completed kept", async () => {
    const eventId = await send("awl7");
    const event = await settled(eventId, "dead-lettered");
    const run = event.runs[0]!;
    expect(event.state).toBe("dead-lettered");
    expect(run.attempts).toHaveLength(1);
    expect(run.lastError).toMatchObject({ name: "ErrorDoNotRetry", message: "the card was declined" });
    expect(run.steps.map((s) => s.id)).toEqual(["only"]);
    expect(calls["do-not-retry"]).toBe(1);
  });
});

describe("steps", () => {
  test("four steps, two in parallel: each runs once, results flow on, parallel steps overlap", async () => {
    const eventId = await send("awl3");
    const event = await settled(eventId);
    const log = seen.parallel!;
    expect(log.filter((entry) => entry === "1:start")).toHaveLength(1);
    expect(log.at(-1)).toEqual({ two: "one return value -> two", three: 3, four: 4 });
    // Both parallel steps started before either ended.
    expect(log.indexOf("4:start")).toBeLessThan(log.indexOf("3:end"));
    expect(event.runs[0]!.steps.map((s) => s.id).sort()).toEqual(["step-1", "step-2", "step-3", "step-4"]);
  });

  test("a workload past its time budget continues in fresh invocations and runs every step once", async () => {
    const eventId = await send("awl8");
    const event = await settled(eventId);
    for (let i = 0; i < 5; i++) expect(calls[`budget:${i}`]).toBe(1);
    const outcomes = event.runs[0]!.attempts.map((a) => a.outcome);
    expect(outcomes.filter((o) => o === "continued").length).toBeGreaterThan(0);
    expect(outcomes.at(-1)).toBe("completed");
  });
});

describe("step.sendEvent", () => {
  test("sends once per run although the run is retried twice after sending", async () => {
    const eventId = await send("awl9");
    await settled(eventId);
    const ids = seen["send-once"] as string[];
    expect(ids).toHaveLength(3);
    expect(new Set(ids).size).toBe(1);
    const shipped = await stack.runtime.store.listEvents({ name: "order-shipped", limit: 10 });
    expect(shipped.events.map((event) => event.id)).toEqual([ids[0]]);
    expect(shipped.events[0]!.data).toEqual({ attempt: 1 });
  });
});

describe("sleeps", () => {
  test("a run sleeps in Redis (not in memory), shows its wake time, then continues after it", async () => {
    const sentAt = Date.now();
    const eventId = await send("awl5");
    const parked = await settled(eventId, "sleeping");
    const nap = parked.runs[0]!.steps.find((s) => s.id === "nap")!;
    expect(nap.status).toBe("sleeping");
    expect(parked.runs[0]!.nextAt).toBe(nap.wakeAt);
    await settled(eventId);
    expect(calls["sleeper:before"]).toBe(1);
    expect(calls["sleeper:after"]).toBe(1);
    expect((seen.sleeper![0] as number) - sentAt).toBeGreaterThanOrEqual(3000);
    expect(seen.sleeper![0] as number).toBeGreaterThanOrEqual(nap.wakeAt!);
  });
});

describe("typed events and filters", () => {
  test("a send with bad data is refused with zod's field paths and stores nothing", async () => {
    const before = await stack.runtime.store.listEvents({ limit: 100 });
    const refused = await sendEvents(
      host.runtime,
      [{ name: "typed-order", data: { orderId: 5 } }],
      catalog,
    ).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(InvalidInputError);
    expect((refused as InvalidInputError).issues.map((i) => i.path.join("."))).toEqual([
      "data.orderId",
      "data.quantity",
    ]);
    const after = await stack.runtime.store.listEvents({ limit: 100 });
    expect(after.events.length).toBe(before.events.length);
  });

  test("a run whose data fails its schema is dead-lettered with the reason instead of crashing", async () => {
    const eventId = await send("typed-order", { orderId: "o1", quantity: -1 });
    const event = await settled(eventId, "dead-lettered");
    expect(event.runs[0]!.lastError?.message).toMatch(/does not match the "typed-order" schema: quantity/);
    expect(seen.typed).toBeUndefined();
  });

  test("eventFilter decides in the router; an event nothing matches is kept, visible as unmatched", async () => {
    const matched = await send("plan-event", { plan: "enterprise" });
    const skipped = await send("plan-event", { plan: "free" });
    await settled(matched);
    const unmatched = await waitFor(async () => {
      const event = await stack.runtime.store.getEvent(skipped);
      return event?.state === "unmatched" ? event : undefined;
    });
    expect(unmatched.runs).toEqual([]);
    expect(seen.filtered).toEqual([{ plan: "enterprise" }]);
  });
});
