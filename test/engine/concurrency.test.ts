/**
 * Concurrency limits on the real stack (awl dev over HTTP, real Redis): how many runs are inside a
 * step at once is measured from inside the steps themselves.
 */
import { setTimeout as work } from "node:timers/promises";
import { afterAll, beforeAll, expect, test } from "vitest";
import { sendEvents } from "../../client/src/engine/send.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { startHost, startStack, waitFor, type Host, type Stack } from "../helpers/stack.ts";

/** Runs inside a step right now, per key, and the most there ever were. */
class Gauge {
  readonly current = new Map<string, number>();
  readonly peak = new Map<string, number>();
  async inside(key: string, ms: number): Promise<void> {
    const now = (this.current.get(key) ?? 0) + 1;
    this.current.set(key, now);
    this.peak.set(key, Math.max(now, this.peak.get(key) ?? 0));
    try {
      await work(ms);
    } finally {
      this.current.set(key, (this.current.get(key) ?? 1) - 1);
    }
  }
}

const perTenant = new Gauge();
const completedPerTenant = new Map<string, number>();
const tenantWorkload = asyncWorkload<{ tenantId: string; n: number }>(
  async ({ data, step }) => {
    await step.run("call-api", () => perTenant.inside(data.tenantId, 15));
    await step.run("count", () => {
      completedPerTenant.set(data.tenantId, (completedPerTenant.get(data.tenantId) ?? 0) + 1);
    });
  },
  { events: "tenant-job", concurrency: { limit: 2, key: "data.tenantId" } },
);

const stacked = new Gauge();
const stackedDone: string[] = [];
/** `<tenant> <eventId> <step>` in the order the steps ran. */
const stackedSteps: string[] = [];
const stackedWorkload = asyncWorkload<{ tenantId: string }>(
  async ({ data, step, eventId }) => {
    // A step's result must be JSON: Promise.all's array of undefined is not, so answer nothing.
    const inside = async () => {
      await Promise.all([stacked.inside("all", 20), stacked.inside(data.tenantId, 20)]);
    };
    await step.run("first", async () => {
      stackedSteps.push(`${data.tenantId} ${eventId} first`);
      await inside();
    });
    await step.sleep("pause", "1s");
    await step.run("second", async () => {
      stackedSteps.push(`${data.tenantId} ${eventId} second`);
      await inside();
    });
    stackedDone.push(eventId);
  },
  {
    events: "stacked-job",
    concurrency: [{ limit: 3 }, { limit: 1, key: (event) => (event.data as { tenantId: string }).tenantId }],
  },
);

let openGate: () => void = () => undefined;
const gate = new Promise<void>((resolve) => (openGate = resolve));
const started: string[] = [];
const orderedWorkload = asyncWorkload<{ label: string }>(
  async ({ data, step }) => {
    await step.run("work", async () => {
      started.push(data.label);
      if (data.label === "blocker") await gate;
    });
  },
  { events: "ordered-job", concurrency: { limit: 1 } },
);

let stack: Stack;
let host: Host;

beforeAll(async () => {
  stack = await startStack();
  host = await startHost(stack, {
    tenants: tenantWorkload,
    stacked: stackedWorkload,
    ordered: orderedWorkload,
  });
});
afterAll(async () => {
  await host?.close();
  await stack?.close();
});

async function sendAll(inputs: { name: string; data: unknown; priority?: number }[]): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < inputs.length; i += 100) {
    const results = await sendEvents(host.runtime, inputs.slice(i, i + 100));
    ids.push(...results.map((result) => result.eventId));
  }
  return ids;
}

test("500 events for 5 tenants with a limit of 2 per tenant: never more than 2 in a step per tenant, all complete", async () => {
  const tenants = ["t1", "t2", "t3", "t4", "t5"];
  await sendAll(
    Array.from({ length: 500 }, (_, n) => ({ name: "tenant-job", data: { tenantId: tenants[n % 5]!, n } })),
  );
  await waitFor(async () => [...completedPerTenant.values()].reduce((sum, count) => sum + count, 0) === 500, {
    timeoutMs: 150_000,
    intervalMs: 200,
    what: "all 500 runs to complete",
  });
  for (const tenant of tenants) {
    expect(completedPerTenant.get(tenant)).toBe(100);
    // The limit is reached (the tenants' runs did overlap) and never passed.
    expect(perTenant.peak.get(tenant)).toBe(2);
  }
  // The count step ran; each run's outcome is recorded just after it.
  const stats = await waitFor(
    async () => {
      const now = await stack.runtime.store.stats();
      return now.states.completed === 500 ? now : undefined;
    },
    { what: "all 500 runs to be recorded completed" },
  );
  expect(stats.states.pending).toBe(0);
}, 180_000);

test("stacked limits (3 in all, 1 per tenant) hold together, and a sleeping run holds no slot", async () => {
  const ids = await sendAll(
    Array.from({ length: 12 }, (_, n) => ({ name: "stacked-job", data: { tenantId: `s${n % 4}` } })),
  );
  await waitFor(async () => stackedDone.length === 12, {
    timeoutMs: 60_000,
    intervalMs: 100,
    what: "the 12 stacked runs to complete",
  });
  expect(new Set(stackedDone)).toEqual(new Set(ids));
  expect(stacked.peak.get("all")).toBe(3);
  for (const tenant of ["s0", "s1", "s2", "s3"]) expect(stacked.peak.get(tenant)).toBe(1);
}, 90_000);

test("runs waiting for a slot start in priority order", async () => {
  await sendAll([{ name: "ordered-job", data: { label: "blocker" } }]);
  await waitFor(async () => started.includes("blocker"), { what: "the blocker to hold the slot" });
  const waiting = [
    { label: "low-1", priority: -5 },
    { label: "normal-1", priority: 0 },
    { label: "high", priority: 5 },
    { label: "normal-2", priority: 0 },
  ];
  const ids = await sendAll(
    waiting.map(({ label, priority }) => ({ name: "ordered-job", data: { label }, priority })),
  );
  await waitFor(
    async () => {
      const events = await Promise.all(ids.map((id) => stack.runtime.store.getEvent(id)));
      return events.every((event) => event?.runs[0]?.attempts.at(-1)?.outcome === "waiting");
    },
    { what: "the four runs to wait for the slot" },
  );
  openGate();
  await waitFor(async () => started.length === 5, { what: "every run to start" });
  // The two of priority 0 began waiting in whichever order their deliveries came.
  expect(started[1]).toBe("high");
  expect(new Set(started.slice(2, 4))).toEqual(new Set(["normal-1", "normal-2"]));
  expect(started[4]).toBe("low-1");
});
