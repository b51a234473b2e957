/**
 * Cancellation over the real stack (events API over HTTP, awl dev's QStash, real Redis): a run is
 * cancelled during a sleep, a retry's backoff and a step, by id, by event and in bulk by name and
 * state, and by a workload's cancelOn rule. A cancelled run keeps its steps and attempts and says
 * who cancelled it and why; a running step finishes and nothing after it starts; a wake that was
 * already scheduled finds the run closed and changes nothing.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import type { EventDetail } from "../../client/src/engine/types.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { eventInState, qstashSettled, waitFor } from "../helpers/stack.ts";
import { startApiSite, type ApiSite } from "../api/serve-api.ts";

const ran: string[] = [];
let releaseSlowStep: () => void = () => undefined;
const slowStepGate = new Promise<void>((resolve) => (releaseSlowStep = resolve));
let slowStepStarted = false;

const workloads = {
  napper: asyncWorkload(
    async ({ step, data }) => {
      const { nap } = data as { nap: string };
      await step.run("before", () => "done before the nap");
      await step.sleep("nap", nap);
      await step.run("after", () => ran.push("napper:after"));
    },
    ["nap", "nap-other"],
  ),
  failing: asyncWorkload(
    async () => {
      throw new Error("not yet");
    },
    { events: "fail-slowly", backoffSchedule: () => "1h" },
  ),
  slow: asyncWorkload(async ({ step }) => {
    await step.run("slow", async () => {
      slowStepStarted = true;
      await slowStepGate;
      return "finished";
    });
    await step.run("next", () => ran.push("slow:next"));
  }, "slow-steps"),
  single: asyncWorkload<{ id: string }>(
    async ({ step, data }) => {
      await step.run("work", async () => {
        ran.push(`single:${data.id}`);
        if (data.id === "first") await singleGate;
      });
    },
    { events: "one-at-a-time", concurrency: { limit: 1 } },
  ),
  fulfil: asyncWorkload(
    async ({ step }) => {
      await step.run("reserve", () => "reserved");
      await step.sleep("wait-for-shipping", "1h");
      await step.run("ship", () => ran.push("fulfil:ship"));
    },
    {
      events: "order.placed",
      cancelOn: [
        { event: "order.cancelled", match: "data.orderId" },
        {
          event: "store.closed",
          if: ({ event, trigger }) => event.data === (trigger.data as { store: string }).store,
        },
        // The same as an expression, as step.waitForEvent's `if` takes it.
        { event: "region.closed", if: "event.data.region == async.data.store" },
      ],
    },
  ),
};

let releaseSingle: () => void = () => undefined;
const singleGate = new Promise<void>((resolve) => (releaseSingle = resolve));

let site: ApiSite;
beforeAll(async () => {
  site = await startApiSite(workloads);
});
afterAll(async () => {
  releaseSlowStep();
  releaseSingle();
  await site?.close();
});

async function send(name: string, data: unknown): Promise<string> {
  const { status, body } = await site.api.call("POST", "/events", { body: { name, data } });
  expect(status).toBe(202);
  return body.eventId;
}
const inState = (eventId: string, state: Parameters<typeof eventInState>[2]) =>
  eventInState(site.stack.runtime, eventId, state);
const cancel = (body: unknown) => site.api.call("POST", "/events/cancel", { body });
const historyOf = (event: EventDetail) => event.runs[0]!.attempts.map((attempt) => attempt.outcome);

test("a sleeping run cancelled by id is closed with its history, and its scheduled wake changes nothing", async () => {
  const eventId = await send("nap", { nap: "1500ms" });
  await inState(eventId, "sleeping");
  const { status, body } = await cancel({ eventIds: [eventId], by: "alice", reason: "customer asked" });
  expect(status).toBe(200);
  expect(body).toEqual({ cancelled: 1, cancelling: 0, runIds: [`${eventId}.napper`], cancellingRunIds: [] });

  const event = await inState(eventId, "cancelled");
  const run = event.runs[0]!;
  expect(run.cancellation).toMatchObject({ by: "alice", reason: "customer asked" });
  expect(historyOf(event)).toEqual(["sleeping", "cancelled"]);
  expect(run.attempts.at(-1)).toMatchObject({ by: "alice", reason: "customer asked" });
  expect(run.steps.map((step) => step.id).sort()).toEqual(["before", "nap"]);
  // The wake published before the cancel is delivered, and finds the run closed. (First in this file:
  // later tests leave wakes an hour away pending.)
  await qstashSettled(site.stack);
  const after = await site.stack.runtime.store.getEvent(eventId);
  expect(after?.state).toBe("cancelled");
  expect(historyOf(after!)).toEqual(["sleeping", "cancelled"]);
  expect(ran).not.toContain("napper:after");
});

test("a run waiting for a retry is cancelled by its run id; cancelling it again changes nothing", async () => {
  const eventId = await send("fail-slowly", {});
  await inState(eventId, "delayed");
  const runId = `${eventId}.failing`;
  const first = await cancel({ runIds: [runId] });
  expect(first.body).toMatchObject({ cancelled: 1, runIds: [runId] });
  const event = await inState(eventId, "cancelled");
  expect(historyOf(event)).toEqual(["failed", "cancelled"]);
  expect(event.runs[0]!.cancellation).toMatchObject({ by: "events API" });
  expect(event.runs[0]!.lastError?.message).toBe("not yet");
  const again = await cancel({ runIds: [runId] });
  expect(again.body).toMatchObject({ cancelled: 0, cancelling: 0 });
});

test("a run cancelled during a step finishes that step, and the step after it never starts", async () => {
  const eventId = await send("slow-steps", {});
  await waitFor(async () => slowStepStarted, { what: "the slow step to start" });
  const { body } = await cancel({ eventIds: [eventId], reason: "too slow" });
  expect(body).toMatchObject({ cancelled: 0, cancelling: 1, cancellingRunIds: [`${eventId}.slow`] });
  const during = await site.stack.runtime.store.getEvent(eventId);
  expect(during?.runs[0]).toMatchObject({ state: "processing", cancellation: { reason: "too slow" } });
  releaseSlowStep();

  const event = await inState(eventId, "cancelled");
  const run = event.runs[0]!;
  expect(run.steps.map((step) => [step.id, step.result])).toEqual([["slow", "finished"]]);
  expect(historyOf(event)).toEqual(["stopped", "cancelled"]);
  expect(run.attempts[0]!.steps).toEqual(["slow"]);
  // The invocation recorded its outcome (the run is closed) without starting the next step.
  expect(ran).not.toContain("slow:next");
});

test("bulk cancel by name and state cancels only those runs", async () => {
  const mine = [await send("nap", { nap: "1h" }), await send("nap", { nap: "1h" })];
  const other = await send("nap-other", { nap: "1h" });
  for (const id of [...mine, other]) await inState(id, "sleeping");
  const { body } = await cancel({ eventNames: ["nap"], states: ["sleeping"], by: "ops" });
  expect(body.cancelled).toBe(2);
  expect(body.runIds.sort()).toEqual(mine.map((id) => `${id}.napper`).sort());
  for (const id of mine) await inState(id, "cancelled");
  expect((await site.stack.runtime.store.getEvent(other))?.state).toBe("sleeping");
  await cancel({ eventIds: [other] });
});

test("cancelOn cancels the runs whose event matches, and only those", async () => {
  const orderA = await send("order.placed", { orderId: "A", store: "north" });
  const orderB = await send("order.placed", { orderId: "B", store: "south" });
  const noId = await send("order.placed", { store: "east" });
  for (const id of [orderA, orderB, noId]) await inState(id, "sleeping");

  const cancelling = await send("order.cancelled", { orderId: "A" });
  const a = await inState(orderA, "cancelled");
  expect(a.runs[0]!.cancellation?.by).toBe(`cancelOn order.cancelled (${cancelling})`);
  expect(a.runs[0]!.steps.map((step) => step.id).sort()).toEqual(["reserve", "wait-for-shipping"]);
  // One script cancels every run the event selects: with A's closed, B's and the id-less one's fate is
  // decided. A trigger without the matched field is not "equal".
  expect((await site.stack.runtime.store.getEvent(orderB))?.state).toBe("sleeping");
  expect((await site.stack.runtime.store.getEvent(noId))?.state).toBe("sleeping");

  await send("store.closed", "south");
  await inState(orderB, "cancelled");
  expect((await site.stack.runtime.store.getEvent(noId))?.state).toBe("sleeping");

  await send("region.closed", { region: "west" });
  const east = await send("region.closed", { region: "east" });
  const closed = await inState(noId, "cancelled");
  expect(closed.runs[0]!.cancellation?.by).toBe(`cancelOn region.closed (${east})`);

  expect(ran).not.toContain("fulfil:ship");
  await cancel({ eventNames: ["order.placed"] });
});

test("a cancel without a selector, or with a state no run can be cancelled in, is refused and changes nothing", async () => {
  const eventId = await send("nap", { nap: "1h" });
  await inState(eventId, "sleeping");
  const empty = await cancel({ reason: "everything" });
  expect(empty.status).toBe(400);
  expect(empty.body.error).toContain("give one of runIds, eventIds, or eventNames and/or states");
  const ended = await cancel({ states: ["completed"] });
  expect(ended.status).toBe(400);
  expect(JSON.stringify(ended.body.issues)).toContain(
    "must be one of pending, processing, delayed, sleeping",
  );
  expect((await site.stack.runtime.store.getEvent(eventId))?.state).toBe("sleeping");
  await cancel({ eventIds: [eventId] });
});

test("a run cancelled while it waits for a concurrency slot leaves the queue: the next run gets the slot", async () => {
  const first = await send("one-at-a-time", { id: "first" });
  await waitFor(async () => ran.includes("single:first"), { what: "the first run to hold the slot" });
  const second = await send("one-at-a-time", { id: "second" });
  const third = await send("one-at-a-time", { id: "third" });
  // Both wait in the slot queue (slots-acquire.lua's slots-waiting hash) before the cancel.
  const queued = (eventId: string) =>
    site.stack.redis.hexists(`${site.stack.prefix}slots-waiting`, `${eventId}.single`);
  await waitFor(async () => (await queued(second)) && (await queued(third)), { what: "the queued runs" });
  expect((await cancel({ eventIds: [second] })).body.cancelled).toBe(1);
  releaseSingle();
  await inState(first, "completed");
  // Well before the slot a queued run is handed would expire (a lease, 38 s by default).
  await inState(third, "completed");
  expect(ran).not.toContain("single:second");
  expect(await queued(second)).toBe(0);
});
