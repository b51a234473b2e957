/**
 * The reconciler and runs waiting for a concurrency slot, on the real stack: a run parked in the
 * queue while its limit is full is left to the run that hands it the slot (no QStash message per
 * reconcile while it waits), and one whose slot came free without a hand-over (its holder's lease
 * expired) is still republished and completes.
 */
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { reconcile } from "../../client/src/engine/reconciler.ts";
import { sendEvents } from "../../client/src/engine/send.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { startHost, startStack, waitFor, type Host, type Stack } from "../helpers/stack.ts";

/** Outbox entries come due after this (60 s in production). */
const GRACE_MS = 200;

const inside = new Set<string>();
const done = new Set<string>();
const gates = new Map<string, () => void>();
const gated = asyncWorkload<{ id: string }>(
  async ({ data, step }) => {
    await step.run("call", async () => {
      inside.add(data.id);
      // The holders stay inside until the test lets them go; the others go straight through.
      if (data.id.startsWith("holder")) await new Promise<void>((resolve) => gates.set(data.id, resolve));
    });
    done.add(data.id);
  },
  { events: "gated", concurrency: { limit: 1 } },
);

let stack: Stack;
let host: Host;
beforeAll(async () => {
  stack = await startStack({ settings: { outboxGraceMs: GRACE_MS } });
  host = await startHost(stack, { gated });
});
// A failed test must not leave its holder inside, holding the slot the next test needs.
afterEach(() => {
  for (const open of gates.values()) open();
});
afterAll(async () => {
  await host?.close();
  await stack?.close();
});

const send = async (id: string) => {
  const [sent] = await sendEvents(host.runtime, [{ name: "gated", data: { id } }]);
  return sent!.eventId;
};

/** Waits until the event's run is parked: pending, its last attempt `waiting`. */
const parked = (eventId: string) =>
  waitFor(
    async () => {
      const event = await stack.runtime.store.getEvent(eventId);
      const run = event?.runs[0];
      const last = run?.attempts.at(-1);
      return run?.state === "pending" && last?.outcome === "waiting";
    },
    { what: `the run of ${eventId} to park for a slot` },
  );

/**
 * Reconciles each time the parked run's outbox entry comes due, until the reconciler has passed it
 * over (pushed the entry forward) `times` times: an observed outcome, not a span of time.
 */
async function reconcilePast(runId: string, times: number): Promise<{ runs: number; published: number }> {
  const publishedBefore = stack.qstash.stats().published;
  const dueAt = async () =>
    Number(await stack.connection.redis.zscore(`${stack.prefix}outbox`, `run:${runId}`));
  let runs = 0;
  for (let pass = 0; pass < times; pass++) {
    const before = await dueAt();
    await waitFor(async () => Date.now() >= before, { what: `the outbox entry of ${runId} to come due` });
    runs += (await reconcile(host.runtime)).runs;
    expect(await dueAt()).toBeGreaterThan(before);
  }
  return { runs, published: stack.qstash.stats().published - publishedBefore };
}

test("a run parked for a taken slot is not republished by the reconciler; the holder hands it over", async () => {
  await send("holder1");
  await waitFor(async () => inside.has("holder1"), { what: "holder1 inside its step" });
  const waiting = await send("b1");
  await parked(waiting);

  const reconciled = await reconcilePast(`${waiting}.gated`, 2);
  expect(reconciled).toEqual({ runs: 0, published: 0 });
  expect(inside.has("b1")).toBe(false);

  gates.get("holder1")!();
  await waitFor(async () => done.has("b1"), {
    what: "b1 to start once holder1 handed it the slot, and complete",
  });
  expect(done.has("holder1")).toBe(true);
});

test("a parked run whose slot came free without a hand-over is republished and completes", async () => {
  await send("holder2");
  await waitFor(async () => inside.has("holder2"), { what: "holder2 inside its step" });
  const waiting = await send("b2");
  await parked(waiting);
  // holder2's invocation "dies": its slot's lease is over, and nobody gives the slot back.
  const [holders] = await stack.connection.redis
    .keys(`${stack.prefix}slots:gated:*`)
    .then((keys) => keys.filter((key) => !key.endsWith(":wait")));
  expect(holders, "the limit's holders key").toBeDefined();
  await stack.connection.redis.zadd(
    holders!,
    "XX",
    1,
    (await stack.connection.redis.zrange(holders!, 0, 0))[0]!,
  );

  const republished = await waitFor(async () => (await reconcile(host.runtime)).runs, {
    intervalMs: GRACE_MS / 4,
    what: "the reconciler to republish the run whose slot came free",
  });
  expect(republished).toBeGreaterThanOrEqual(1);
  await waitFor(async () => done.has("b2"), { what: "b2 to start on the slot that came free, and complete" });
  gates.get("holder2")!();
  await waitFor(async () => done.has("holder2"), { what: "holder2 to complete" });
});
