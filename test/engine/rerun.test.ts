/**
 * Re-running runs over the real stack (events API over HTTP, awl dev's QStash, real Redis): a
 * completed run re-run from its third step runs that step and the ones after it again and not the
 * ones before (their stored results are replayed); from the start it runs everything again; a
 * dead-lettered run re-run after its bug is fixed completes, with a fresh set of attempts; a
 * cancelled run waiting for an event waits again. A run that has not ended, or a step it does not
 * have, is refused and nothing changes; deliveries of the old series change nothing; a sleep after
 * the chosen step sleeps again; a step.sendEvent after it sends again.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import type { EventDetail, RunRecord } from "../../client/src/engine/types.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { runDelivery } from "../../client/src/engine/undelivered.ts";
import { rerunRun } from "../../client/src/engine/operations.ts";
import { reconcile } from "../../client/src/engine/reconciler.ts";
import type { Runtime } from "../../client/src/engine/runtime.ts";
import { eventInState, waitFor } from "../helpers/stack.ts";
import { startApiSite, type ApiSite } from "../api/serve-api.ts";

/** How many times each step's code ran, per event: `${eventId}:${stepId}`. */
const ran = new Map<string, number>();
const count = (eventId: string, stepId: string): void => {
  ran.set(`${eventId}:${stepId}`, times(eventId, stepId) + 1);
};
const times = (eventId: string, stepId: string) => ran.get(`${eventId}:${stepId}`) ?? 0;

/** The receipt step's bug, which a test "fixes" by flipping it. */
let receiptBroken = false;
let releaseSlow: () => void = () => undefined;
const slowGate = new Promise<void>((resolve) => (releaseSlow = resolve));

const workloads = {
  checkout: asyncWorkload<{ orderId: string }>(
    async ({ eventId, data, step }) => {
      await step.run("reserve", () => count(eventId, "reserve"));
      const charge = await step.run("charge", () => {
        count(eventId, "charge");
        return { chargeId: `ch_${Math.random().toString(36).slice(2)}` };
      });
      const receipt = await step.run("send-receipt", () => {
        count(eventId, "send-receipt");
        if (receiptBroken) throw new Error("receipt template is broken");
        return `receipt for ${charge.chargeId}`;
      });
      await step.run("archive", () => {
        count(eventId, "archive");
        return receipt;
      });
      await step.sendEvent("announce", "checkout.done", { orderId: data.orderId });
    },
    { events: "checkout", maxRetries: 1, backoffSchedule: () => "50ms" },
  ),
  drip: asyncWorkload(async ({ eventId, step }) => {
    await step.run("first", () => count(eventId, "first"));
    await step.sleep("pause", "300ms");
    await step.run("second", () => count(eventId, "second"));
  }, "drip"),
  approval: asyncWorkload<{ orderId: string }>(async ({ eventId, step }) => {
    await step.run("prepare", () => count(eventId, "prepare"));
    const approved = await step.waitForEvent("approved", {
      event: "order.approved",
      match: "data.orderId",
      timeout: "1h",
    });
    await step.run("ship", () => {
      count(eventId, "ship");
      return approved?.eventId ?? null;
    });
  }, "order.placed"),
  napper: asyncWorkload(async ({ step }) => {
    await step.run("prepare", () => "ready");
    await step.sleep("nap", "1h");
  }, "nap"),
  slow: asyncWorkload(async ({ step }) => {
    await step.run("slow", () => slowGate);
  }, "slow"),
};

let site: ApiSite;
beforeAll(async () => {
  site = await startApiSite(workloads);
});
afterAll(async () => {
  releaseSlow();
  await site?.close();
});

async function send(name: string, data: unknown = {}): Promise<string> {
  const { status, body } = await site.api.call("POST", "/events", { body: { name, data } });
  expect(status).toBe(202);
  return body.eventId;
}
const inState = (eventId: string, state: Parameters<typeof eventInState>[2]) =>
  eventInState(site.stack.runtime, eventId, state);
const rerun = (body: unknown) => site.api.call("POST", "/events/rerun", { body });
const runOf = (event: EventDetail): RunRecord => event.runs[0]!;
const outcomes = (run: RunRecord) => run.attempts.map((attempt) => attempt.outcome);
const stepIds = (run: RunRecord) => run.steps.map((step) => step.id);
const generationOf = async (runId: string) =>
  Number(await site.stack.redis.hget<string>(`${site.stack.prefix}run:${runId}`, "generation"));
async function announced(orderId: string): Promise<number> {
  const page = await site.stack.runtime.store.listEvents({ name: "checkout.done", limit: 100 });
  return page.events.filter((event) => (event.data as { orderId: string }).orderId === orderId).length;
}

test("a completed run re-run from its third step runs it and the next again, and replays the two before", async () => {
  const eventId = await send("checkout", { orderId: "o-1" });
  const first = runOf(await inState(eventId, "completed"));
  const runId = first.id;
  const charged = first.steps.find((step) => step.id === "charge")!;

  const { status, body } = await rerun({ runId, fromStep: "send-receipt", by: "alice" });
  expect(status).toBe(200);
  expect(body).toEqual({
    runId,
    series: 1,
    fromStep: "send-receipt",
    rerun: ["send-receipt", "archive", "announce"],
    kept: ["reserve", "charge"],
  });
  const run = runOf(await inState(eventId, "completed"));
  expect(["reserve", "charge", "send-receipt", "archive"].map((step) => times(eventId, step))).toEqual([
    1, 1, 2, 2,
  ]);
  // The charge was replayed, not made again: the receipt names the first charge.
  expect(run.steps.find((step) => step.id === "charge")).toEqual(charged);
  expect(run.steps.find((step) => step.id === "send-receipt")?.result).toBe(
    `receipt for ${(charged.result as { chargeId: string }).chargeId}`,
  );
  // Both series are in the history; the new one says who asked, when and from where.
  expect(outcomes(run)).toEqual(["completed", "rerun", "completed"]);
  expect(run.attempts[1]).toMatchObject({
    outcome: "rerun",
    by: "alice",
    fromStep: "send-receipt",
    series: 1,
    runAgain: ["send-receipt", "archive", "announce"],
  });
  expect(run.attempts[1]!.endedAt).toBeGreaterThanOrEqual(first.finishedAt!);
  expect(run.attempts[2]).toMatchObject({ attempt: 1, steps: ["send-receipt", "archive", "announce"] });
  expect(run.attempt).toBe(1);
  // step.sendEvent ran again, and sent again (its idempotency key was the old series').
  await waitFor(async () => (await announced("o-1")) === 2, { what: "a second checkout.done" });
});

test("re-run from the start (by event id) runs every step again", async () => {
  const eventId = await send("checkout", { orderId: "o-2" });
  await inState(eventId, "completed");
  const { status, body } = await rerun({ eventId });
  expect(status).toBe(200);
  expect(body).toMatchObject({ fromStep: null, kept: [], series: 1 });
  expect(body.rerun).toEqual(["reserve", "charge", "send-receipt", "archive", "announce"]);
  const run = runOf(await inState(eventId, "completed"));
  expect(["reserve", "charge", "send-receipt", "archive"].map((step) => times(eventId, step))).toEqual([
    2, 2, 2, 2,
  ]);
  expect(run.attempts[1]).toMatchObject({ outcome: "rerun", by: "events API", series: 1 });
  expect(run.attempts[1]).not.toHaveProperty("fromStep");
});

test("a dead-lettered run re-run gets a fresh set of attempts; once its bug is fixed, re-run from the failed step it completes without charging again", async () => {
  receiptBroken = true;
  const eventId = await send("checkout", { orderId: "o-3" });
  const dead = runOf(await inState(eventId, "dead-lettered"));
  const runId = dead.id;
  expect(dead.attempt).toBe(2);
  expect(stepIds(dead).sort()).toEqual(["charge", "reserve"]);

  // Still broken: the new series has its own two attempts (the counter started again at 1).
  expect((await rerun({ runId, fromStep: "charge" })).status).toBe(200);
  const again = await waitFor(
    async () => {
      const run = runOf((await site.stack.runtime.store.getEvent(eventId))!);
      return run.state === "dead-lettered" && run.attempts.length === 5 ? run : undefined;
    },
    { what: "the re-run to dead-letter again" },
  );
  expect(again.attempts.map((attempt) => [attempt.outcome, attempt.attempt])).toEqual([
    ["failed", 1],
    ["dead-lettered", 2],
    ["rerun", undefined],
    ["failed", 1],
    ["dead-lettered", 2],
  ]);
  expect(times(eventId, "charge")).toBe(2);

  // The failed step is never stored, but it can be chosen: it is the one the error names.
  const typo = await rerun({ runId, fromStep: "archive" });
  expect(typo.body.issues[0].message).toBe(
    `run ${runId} has no step "archive"; its steps: reserve, charge; or send-receipt, the step that failed`,
  );
  receiptBroken = false;
  const { body } = await rerun({ runId, fromStep: "send-receipt" });
  expect(body).toMatchObject({ series: 2, rerun: ["send-receipt"], kept: ["reserve", "charge"] });
  const done = runOf(await inState(eventId, "completed"));
  expect(times(eventId, "reserve")).toBe(1);
  expect(times(eventId, "charge")).toBe(2);
  expect(done.lastError).toBeUndefined();
  expect(outcomes(done).slice(-2)).toEqual(["rerun", "completed"]);
});

test("a cancelled run re-run from the start waits for its event again and completes when it comes", async () => {
  const eventId = await send("order.placed", { orderId: "p-1" });
  await waitFor(
    async () => {
      const run = (await site.stack.runtime.store.getEvent(eventId))?.runs[0];
      return run?.steps.some((step) => step.status === "waiting");
    },
    { what: "the run to wait for its approval" },
  );
  expect((await site.api.call("POST", "/events/cancel", { body: { eventIds: [eventId] } })).status).toBe(200);
  const cancelled = runOf(await inState(eventId, "cancelled"));

  const { status } = await rerun({ runId: cancelled.id, by: "bob" });
  expect(status).toBe(200);
  const waiting = await waitFor(
    async () => {
      const run = (await site.stack.runtime.store.getEvent(eventId))?.runs[0];
      return run?.state === "sleeping" && run.steps.some((step) => step.status === "waiting")
        ? run
        : undefined;
    },
    { what: "the re-run to wait again" },
  );
  expect(waiting.cancellation).toBeUndefined();
  expect(times(eventId, "prepare")).toBe(2);
  // While it waits it is not ended: a re-run is refused, naming why.
  const refused = await rerun({ runId: cancelled.id });
  expect(refused.status).toBe(409);
  expect(refused.body.error).toContain("waiting for an event");

  const approval = await send("order.approved", { orderId: "p-1" });
  const run = runOf(await inState(eventId, "completed"));
  expect(run.steps.find((step) => step.id === "ship")?.result).toBe(approval);
  expect(times(eventId, "ship")).toBe(1);
  expect(outcomes(run)).toContain("cancelled");
  expect(run.attempts.find((attempt) => attempt.outcome === "rerun")).toMatchObject({ by: "bob" });
});

test("a run that has not ended, an unknown step, run or event are refused, and nothing changes", async () => {
  const napping = await send("nap");
  const sleeping = await inState(napping, "sleeping");
  const asleep = await rerun({ runId: sleeping.runs[0]!.id });
  expect(asleep.status).toBe(409);
  expect(asleep.body.error).toBe(
    `run ${sleeping.runs[0]!.id} is sleeping (step.sleep): only a completed, dead-lettered or cancelled run can be re-run; cancel it first, or wait for it to end`,
  );
  expect(await site.stack.runtime.store.getEvent(napping)).toEqual(sleeping);

  const slow = await send("slow");
  const processing = await inState(slow, "processing");
  const busy = await rerun({ eventId: slow, fromStep: "slow" });
  expect(busy.status).toBe(409);
  expect(busy.body.error).toContain("is processing (an invocation is running it)");

  const eventId = await send("checkout", { orderId: "o-4" });
  const completed = await inState(eventId, "completed");
  const unknown = await rerun({ runId: completed.runs[0]!.id, fromStep: "send-recept" });
  expect(unknown.status).toBe(400);
  expect(unknown.body.issues).toEqual([
    {
      path: ["fromStep"],
      message: `run ${completed.runs[0]!.id} has no step "send-recept"; its steps: reserve, charge, send-receipt, archive, announce`,
    },
  ]);
  expect(await site.stack.runtime.store.getEvent(eventId)).toEqual(completed);

  expect((await rerun({ runId: `${eventId}.nobody` })).status).toBe(404);
  expect((await rerun({ eventId: "evt_nothing_here" })).body.error).toBe("event evt_nothing_here not found");
  const neither = await rerun({ fromStep: "charge" });
  expect(neither.status).toBe(400);
  expect(neither.body.error).toContain("give runId, or eventId");
  expect((await site.api.call("GET", "/events/rerun")).status).toBe(405);

  releaseSlow();
  await inState(slow, "completed");
  expect(processing.runs[0]!.state).toBe("processing");
});

test("a re-run whose publish fails is published by the reconciler; nothing of the old series reaches the new one", async () => {
  const eventId = await send("checkout", { orderId: "o-5" });
  const first = runOf(await inState(eventId, "completed"));
  const runId = first.id;
  const oldGeneration = await generationOf(runId);

  // QStash is down as the re-run is published: it is persisted as pending all the same.
  const logged: string[] = [];
  const qstashDown: Runtime = {
    ...site.host.runtime,
    publisher: {
      publish: async () => {
        throw new Error("QStash is down");
      },
    },
    log: (line) => logged.push(line),
  };
  const report = await rerunRun(qstashDown, { runId, fromStep: "archive", by: "ops" });
  expect(report).toEqual({
    runId,
    series: 1,
    fromStep: "archive",
    rerun: ["archive", "announce"],
    kept: ["reserve", "charge", "send-receipt"],
  });
  expect(logged.join("\n")).toContain("the reconciler will publish it");
  const pending = await inState(eventId, "pending");

  // Nothing delivers it yet, so these are the old series' own: a late failure callback and a late outcome.
  const stale = await site.stack.runtime.store.failDelivery(
    runId,
    oldGeneration,
    { name: "DeliveryFailed", message: "a late callback of the old series" },
    Date.now(),
    () => 1,
  );
  expect(stale).toEqual({ status: "stale" });
  expect(
    await site.stack.runtime.store.finish(runId, oldGeneration, { kind: "dead-lettered", now: Date.now() }),
  ).toBe(false);
  expect(await site.stack.runtime.store.getEvent(eventId)).toEqual(pending);

  // Once its outbox entry is due, the reconciler publishes it.
  const later: Runtime = { ...site.host.runtime, now: () => Date.now() + 61_000 };
  expect((await reconcile(later)).runs).toBeGreaterThanOrEqual(1);
  const done = runOf(await inState(eventId, "completed"));
  expect(outcomes(done)).toEqual(["completed", "rerun", "completed"]);
  expect(["reserve", "charge", "send-receipt", "archive"].map((step) => times(eventId, step))).toEqual([
    1, 1, 1, 2,
  ]);

  // A duplicate of the old series' delivery comes after the new series completed: it finds the run ended.
  // (Other tests leave wakes an hour away pending: count this delivery's answer, not an idle QStash.)
  const before = site.stack.qstash.stats().delivered;
  const url = (await site.stack.redis.hget<string>(`${site.stack.prefix}run:${runId}`, "url"))!;
  await site.host.runtime.publisher.publish([
    runDelivery(site.host.runtime, { runId, url, generation: oldGeneration }),
  ]);
  await waitFor(async () => site.stack.qstash.stats().delivered > before, {
    what: "the stale delivery's answer",
  });
  expect(runOf((await site.stack.runtime.store.getEvent(eventId))!)).toEqual(done);
  expect(times(eventId, "archive")).toBe(2);
});

test("a sleep after the chosen step sleeps again; one before it is not slept again", async () => {
  const eventId = await send("drip");
  const first = runOf(await inState(eventId, "completed"));

  const from = Date.now();
  expect((await rerun({ runId: first.id, fromStep: "first" })).body.rerun).toEqual([
    "first",
    "pause",
    "second",
  ]);
  const again = runOf(await inState(eventId, "completed"));
  expect(outcomes(again)).toEqual(["sleeping", "completed", "rerun", "sleeping", "completed"]);
  const pause = again.steps.find((step) => step.id === "pause")!;
  expect(pause.wakeAt).toBeGreaterThanOrEqual(from + 300);
  expect([times(eventId, "first"), times(eventId, "second")]).toEqual([2, 2]);

  expect((await rerun({ runId: first.id, fromStep: "second" })).body.kept).toEqual(["first", "pause"]);
  const last = runOf(await inState(eventId, "completed"));
  expect(outcomes(last).slice(5)).toEqual(["rerun", "completed"]);
  expect(last.steps.find((step) => step.id === "pause")).toEqual(pause);
  expect([times(eventId, "first"), times(eventId, "second")]).toEqual([2, 3]);
});
