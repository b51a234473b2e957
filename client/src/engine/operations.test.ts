import { describe, expect, test } from "vitest";
import type { OutboundMessage } from "../transport/publish.ts";
import {
  deleteEventDataSchema,
  deleteEvents,
  deleteSelectorSchema,
  retryDeadLettered,
  retryEventDataSchema,
  retrySelectorSchema,
} from "./operations.ts";
import type { Runtime } from "./runtime.ts";

/** A runtime over an in-memory stand-in for the store's few calls these operations make. */
function fakeRuntime(options: { deadLettered: Record<string, string[]>; publishFails?: boolean }) {
  const published: OutboundMessage[][] = [];
  const logged: string[] = [];
  const deleted: string[][] = [];
  const store = {
    eventIdsIn: async ({ name }: { state?: string; name?: string }) =>
      Object.keys(options.deadLettered).filter((id) => !name || id.startsWith(name.toLowerCase())),
    runIdsOf: async (eventIds: string[]) => eventIds.flatMap((id) => options.deadLettered[id] ?? []),
    retryRuns: async (runIds: string[]) =>
      runIds.map((runId) => ({ runId, url: `http://site/w/${runId}`, generation: 1 })),
    settings: { outboxGraceMs: 60_000 },
    deleteEvents: async (eventIds: string[]) => {
      deleted.push(eventIds);
      return eventIds.length;
    },
    // Every run is its event's last one.
    deleteRuns: async (runIds: string[]) => {
      deleted.push(runIds);
      return { runs: runIds.length, events: runIds.length };
    },
    // Every event has one run in the selected states, and it is the event's last.
    deleteRunsInStates: async (eventIds: string[], states: string[]) => {
      deleted.push([...eventIds, `states: ${states.join()}`]);
      return { runs: eventIds.length, events: eventIds.length };
    },
  };
  const runtime = {
    store,
    publisher: {
      publish: async (messages: OutboundMessage[]) => {
        if (options.publishFails) throw new Error("QStash is down");
        published.push(messages);
      },
    },
    now: () => 1_000,
    log: (line: string) => logged.push(line),
    routerUrl: "http://site/router",
  } as unknown as Runtime;
  return { runtime, published, logged, deleted };
}

describe("selectors", () => {
  test("retry: ids, names, both (narrowing each other), or nothing (every dead-lettered event); run ids alone", () => {
    expect(retrySelectorSchema.parse({})).toEqual({});
    expect(retrySelectorSchema.parse({ eventIds: ["evt_1"] })).toEqual({ eventIds: ["evt_1"] });
    expect(retrySelectorSchema.safeParse({ eventIds: ["evt_1"], eventNames: ["a"] }).success).toBe(true);
    expect(retrySelectorSchema.safeParse({ runIds: ["evt_1.w"], eventNames: ["a"] }).success).toBe(false);
    expect(retrySelectorSchema.safeParse({ eventIds: [] }).success).toBe(false);
    expect(retrySelectorSchema.safeParse({ eventIds: ["a b"] }).error?.issues[0]?.path).toEqual([
      "eventIds",
      0,
    ]);
  });

  test("delete: exactly one of run ids, event ids or states, so an empty selector never deletes everything", () => {
    expect(deleteSelectorSchema.parse({ states: ["completed"] })).toEqual({ states: ["completed"] });
    expect(deleteSelectorSchema.parse({ runIds: ["evt_1.checkout"] })).toEqual({
      runIds: ["evt_1.checkout"],
    });
    expect(deleteSelectorSchema.safeParse({}).success).toBe(false);
    expect(deleteSelectorSchema.safeParse({ eventIds: ["e"], states: ["completed"] }).success).toBe(false);
    expect(deleteSelectorSchema.safeParse({ runIds: ["e.w"], eventIds: ["e"] }).success).toBe(false);
    expect(deleteSelectorSchema.safeParse({ runIds: ["e.w"], eventNames: ["a"] }).success).toBe(false);
    expect(deleteSelectorSchema.safeParse({ states: ["done"] }).error?.issues[0]?.message).toMatch(
      /must be one of pending/,
    );
  });
});

describe("the internal events' data: this engine's selectors, or Netlify's shapes", () => {
  test("awl:retry-failed-events: Netlify's empty lists mean not given", () => {
    expect(retryEventDataSchema.parse({ eventIds: [], eventNames: [] })).toEqual({});
    expect(retryEventDataSchema.parse({ eventIds: [], eventNames: ["orders/created"] })).toEqual({
      eventNames: ["orders/created"],
    });
    expect(retryEventDataSchema.parse({ runIds: ["evt_1.w"] })).toEqual({ runIds: ["evt_1.w"] });
  });

  test("awl:delete-events: ids first; Netlify's states read as this engine's; [] is all of Netlify's", () => {
    expect(deleteEventDataSchema.parse({ eventIds: ["e"], states: ["pending"] })).toEqual({
      eventIds: ["e"],
    });
    expect(deleteEventDataSchema.parse({ eventIds: [], states: ["hibernating"] })).toEqual({
      states: ["delayed", "sleeping"],
    });
    expect(deleteEventDataSchema.parse({ states: [] })).toEqual({
      states: ["processing", "pending", "delayed", "sleeping", "dead-lettered"],
    });
    expect(deleteEventDataSchema.parse({ states: ["completed"] })).toEqual({ states: ["completed"] });
    // Neither shape: the issues of this engine's, naming the field.
    expect(deleteEventDataSchema.safeParse({ states: ["done"] }).error?.issues[0]?.path).toEqual([
      "states",
      0,
    ]);
    expect(deleteEventDataSchema.safeParse({ eventIds: [] }).error?.issues[0]?.message).toMatch(
      /must name at least one event/,
    );
  });
});

describe("retryDeadLettered", () => {
  test("event ids and names together: the named events that have one of the names", async () => {
    const { runtime } = fakeRuntime({ deadLettered: { a1: ["a1.w"], a2: ["a2.w"], b1: ["b1.w"] } });
    const report = await retryDeadLettered(runtime, { eventIds: ["a1", "b1"], eventNames: ["a"] });
    expect(report.runIds).toEqual(["a1.w"]);
  });

  test("retries the selected runs and publishes each to its workload, in batches", async () => {
    const deadLettered = Object.fromEntries(
      Array.from({ length: 150 }, (_, i) => [`evt_${i}`, [`evt_${i}.w`]]),
    );
    const { runtime, published } = fakeRuntime({ deadLettered });
    const report = await retryDeadLettered(runtime, {});
    expect(report.runIds).toHaveLength(150);
    expect(published.map((batch) => batch.length)).toEqual([100, 50]);
    // With the generation the retry gave it, and QStash's report to the router if it is never delivered.
    expect(published[0]?.[0]).toMatchObject({
      url: "http://site/w/evt_0.w",
      body: { runId: "evt_0.w", generation: 1 },
      failureCallback: "http://site/router",
    });
  });

  test("by name: only those events' runs", async () => {
    const { runtime } = fakeRuntime({
      deadLettered: { "checkout-1": ["checkout-1.a"], "signup-1": ["signup-1.b"] },
    });
    expect(await retryDeadLettered(runtime, { eventNames: ["Checkout"] })).toEqual({
      runIds: ["checkout-1.a"],
    });
  });

  test("a failed publish is logged, not thrown: the runs are already saved as pending for the reconciler", async () => {
    const { runtime, logged } = fakeRuntime({ deadLettered: { e: ["e.w"] }, publishFails: true });
    await expect(retryDeadLettered(runtime, { eventIds: ["e"] })).resolves.toEqual({ runIds: ["e.w"] });
    expect(logged[0]).toMatch(/QStash is down.*reconciler/);
  });
});

describe("deleteEvents", () => {
  test("by state: the runs in those states, of every event listed in them, each event once", async () => {
    const { runtime, deleted } = fakeRuntime({ deadLettered: { a: [], b: [] } });
    expect(await deleteEvents(runtime, { states: ["dead-lettered", "completed"] })).toEqual({
      deleted: 2,
      deletedRuns: 2,
    });
    expect(deleted).toEqual([["a", "b", "states: dead-lettered,completed"]]);
  });

  test("by run: the runs in batches, counting runs and the events that went with their last run", async () => {
    const { runtime, deleted } = fakeRuntime({ deadLettered: {} });
    const runIds = Array.from({ length: 150 }, (_, i) => `evt_${i}.w`);
    expect(await deleteEvents(runtime, { runIds })).toEqual({ deleted: 150, deletedRuns: 150 });
    expect(deleted.map((batch) => batch.length)).toEqual([100, 50]);
  });
});
