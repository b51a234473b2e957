/**
 * Failure handlers over the real stack: a run that is dead-lettered (ErrorDoNotRetry, retries
 * exhausted, a delivery QStash gave up on, an invocation that died on its last attempt) emits one
 * `awl:run-failed` event in the script that dead-letters it, routed to the workload's onFailure
 * handler (a run of its own, `<workload>:on-failure`, retried like any) and to every workload that
 * subscribes to `awl:run-failed`. A run of an `awl:run-failed` event never emits another.
 */
import { expect, test } from "vitest";
import { ErrorDoNotRetry } from "../../client/src/engine/errors.ts";
import { newEventId } from "../../client/src/engine/ids.ts";
import { retryDeadLettered } from "../../client/src/engine/operations.ts";
import { reconcile } from "../../client/src/engine/reconciler.ts";
import { newFailureEvent, type RunFailedData } from "../../client/src/engine/run-failed.ts";
import { sendEvents } from "../../client/src/engine/send.ts";
import type { EventDetail } from "../../client/src/engine/types.ts";
import { recordUndelivered } from "../../client/src/engine/undelivered.ts";
import { InvalidInputError } from "../../client/src/engine/validation-error.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { eventInState, siteForFile, waitFor, type Host, type Stack } from "../helpers/stack.ts";

const fast = { maxRetries: 1, backoffSchedule: () => 20 };
/** What each handler was called with, by the id of the run that failed. */
const handled = new Map<string, RunFailedData[]>();
const alerted = new Map<string, RunFailedData[]>();
const record = (into: Map<string, RunFailedData[]>, data: RunFailedData) =>
  into.set(data.runId, [...(into.get(data.runId) ?? []), data]);

const workloads = {
  payment: asyncWorkload<{ mode: string }>(
    async ({ step, data }) => {
      await step.run("reserve", () => "reserved");
      await step.run("charge", () => {
        if (data.mode === "declined") throw new ErrorDoNotRetry("card declined");
        throw new Error("gateway down");
      });
    },
    {
      events: "pay",
      ...fast,
      onFailure: async ({ data, step }) => {
        record(handled, data);
        return step.run("release", () => `released after ${data.error.message}`);
      },
    },
  ),
  // Its onFailure handler fails its first attempt: the handler's run is retried.
  shipping: asyncWorkload(
    () => {
      throw new ErrorDoNotRetry("no courier");
    },
    {
      events: "ship",
      ...fast,
      onFailure: async ({ data, attempt, step }) => {
        record(handled, data);
        if (attempt === 1) throw new Error("the pager is down");
        return step.run("page", () => "paged");
      },
    },
  ),
  // Its onFailure handler always fails: dead-lettered, and it starts nothing more.
  invoice: asyncWorkload(
    () => {
      throw new ErrorDoNotRetry("no invoice template");
    },
    {
      events: "invoice",
      ...fast,
      onFailure: ({ data }) => {
        record(handled, data);
        throw new Error("the handler is broken too");
      },
    },
  ),
  // A workload with no onFailure handler: its failures reach the subscribers only.
  email: asyncWorkload(
    ({ data }) => {
      throw new ErrorDoNotRetry(`no mailbox for ${String((data as { to?: string }).to)}`);
    },
    { events: "email", ...fast },
  ),
  alerts: asyncWorkload<RunFailedData>(
    ({ data }) => {
      record(alerted, data);
      // The subscriber fails for this one: its own failure must not come back to it.
      if (data.workload === "email" && (data.event.data as { to?: string }).to === "alert-breaker") {
        throw new ErrorDoNotRetry("the alert channel refused it");
      }
    },
    { events: "awl:run-failed", ...fast },
  ),
};

let stack: Stack;
let host: Host;
siteForFile(workloads, (site) => ({ stack, host } = site));

async function send(name: string, data: unknown): Promise<string> {
  const [result] = await sendEvents(host.runtime, [{ name, data }]);
  return result!.eventId;
}

/** The failed event's run once dead-lettered, and the awl:run-failed event it emitted once its runs ended. */
async function failure(eventId: string, settled: "completed" | "dead-lettered" = "completed") {
  const event = await eventInState(host.runtime, eventId, "dead-lettered");
  const run = event.runs[0]!;
  expect(run.failureEventId).toBeDefined();
  const failed = await eventInState(host.runtime, run.failureEventId!, settled);
  return { run, failed };
}

const runOf = (event: EventDetail, workload: string) => event.runs.find((run) => run.workload === workload);

test("ErrorDoNotRetry: onFailure runs once, with the error, the failed step and the event", async () => {
  const eventId = await send("pay", { mode: "declined", orderId: 7 });
  const { run, failed } = await failure(eventId);
  expect(run.attempts.map((attempt) => attempt.outcome)).toEqual(["dead-lettered"]);
  expect(failed.name).toBe("awl:run-failed");
  const data = failed.data as unknown as RunFailedData;
  expect(data).toMatchObject({
    runId: run.id,
    workload: "payment",
    attempt: 1,
    error: { name: "ErrorDoNotRetry", message: "card declined", step: "charge" },
    failedStep: "charge",
    event: { id: eventId, name: "pay", data: { mode: "declined", orderId: 7 } },
  });
  expect(data.error.stack).toContain("card declined");
  // The handler is a run of its own, on the failure event, with the step API.
  const handler = runOf(failed, "payment:on-failure")!;
  expect(handler).toMatchObject({ id: `${failed.id}.payment:on-failure`, state: "completed" });
  expect(handler.steps.find((step) => step.id === "release")?.result).toBe("released after card declined");
  expect(handled.get(run.id)).toEqual([data]);
});

test("retries exhausted: onFailure runs with the last attempt's error", async () => {
  const { run, failed } = await failure(await send("pay", { mode: "flaky" }));
  expect(run.attempts.map((attempt) => attempt.outcome)).toEqual(["failed", "dead-lettered"]);
  expect(failed.data).toMatchObject({ attempt: 2, error: { message: "gateway down" }, failedStep: "charge" });
  expect(runOf(failed, "payment:on-failure")?.state).toBe("completed");
  expect(handled.get(run.id)).toHaveLength(1);
});

test("an onFailure handler that fails is retried like any run, and succeeds", async () => {
  const { run, failed } = await failure(await send("ship", {}));
  const handler = runOf(failed, "shipping:on-failure")!;
  expect(handler.attempts.map((attempt) => attempt.outcome)).toEqual(["failed", "completed"]);
  expect(handler.attempts[0]!.error?.message).toBe("the pager is down");
  expect(handler.steps.find((step) => step.id === "page")?.result).toBe("paged");
  expect(handled.get(run.id)).toHaveLength(2);
});

test("an onFailure handler that always fails is dead-lettered and emits no awl:run-failed of its own", async () => {
  const { run, failed } = await failure(await send("invoice", {}), "dead-lettered");
  const handler = runOf(failed, "invoice:on-failure")!;
  expect(handler.state).toBe("dead-lettered");
  expect(handler.attempts.map((attempt) => attempt.outcome)).toEqual(["failed", "dead-lettered"]);
  // The script that dead-lettered it would have recorded the event with the outcome: there is none.
  expect(handler.failureEventId).toBeUndefined();
  expect(handled.get(run.id)).toHaveLength(2);
  expect(alerted.has(handler.id)).toBe(false);
  const runFailed = await stack.runtime.store.listEvents({ name: "awl:run-failed", limit: 200 });
  expect(runFailed.events.filter((event) => (event.data as { runId?: string }).runId === handler.id)).toEqual(
    [],
  );
});

test("a workload subscribed to awl:run-failed gets one event per dead-lettered run, across workloads", async () => {
  const [pay, email] = await Promise.all([send("pay", { mode: "declined" }), send("email", { to: "ann" })]);
  const paid = await failure(pay);
  const emailed = await failure(email);
  for (const { run, failed } of [paid, emailed]) {
    expect(runOf(failed, "alerts")?.state).toBe("completed");
    expect(alerted.get(run.id)).toEqual([failed.data]);
  }
  // email has no onFailure handler: the subscriber's run is the event's only one.
  expect(emailed.failed.runs.map((run) => run.workload)).toEqual(["alerts"]);
  expect(paid.failed.runs.map((run) => run.workload).sort()).toEqual(["alerts", "payment:on-failure"]);
});

test("a subscriber of awl:run-failed that fails is dead-lettered without emitting another", async () => {
  const { failed } = await failure(await send("email", { to: "alert-breaker" }), "dead-lettered");
  const subscriber = runOf(failed, "alerts")!;
  expect(subscriber.state).toBe("dead-lettered");
  expect(subscriber.failureEventId).toBeUndefined();
  expect(alerted.has(subscriber.id)).toBe(false);
});

test("sending awl:run-failed is refused with a clear error", async () => {
  const refused = sendEvents(host.runtime, [{ name: "AWL:Run-Failed", data: { runId: "evt_x.payment" } }]);
  await expect(refused).rejects.toThrow(InvalidInputError);
  await expect(refused).rejects.toThrow(
    '"AWL:Run-Failed" is emitted by the engine when a run is dead-lettered; it cannot be sent',
  );
});

test("a dead-lettered run retried through the API that fails again triggers onFailure again", async () => {
  const eventId = await send("pay", { mode: "declined", again: true });
  const first = await failure(eventId);
  await retryDeadLettered(host.runtime, { runIds: [first.run.id] });
  const second = await waitFor(
    async () => {
      const event = await host.runtime.store.getEvent(eventId);
      const run = event?.runs[0];
      return run?.state === "dead-lettered" && run.failureEventId !== first.failed.id ? run : undefined;
    },
    { what: "the retried run to be dead-lettered again" },
  );
  const failedAgain = await eventInState(host.runtime, second.failureEventId!, "completed");
  expect(runOf(failedAgain, "payment:on-failure")?.state).toBe("completed");
  expect(handled.get(first.run.id)).toHaveLength(2);
  expect(second.attempts.map((attempt) => attempt.outcome)).toEqual([
    "dead-lettered",
    "retried",
    "dead-lettered",
  ]);
});

/** A run of `payment` that no delivery has reached: its event persisted and routed, nothing published. */
async function unpublishedRun(maxRetries: number): Promise<string> {
  const { store } = stack.runtime;
  const now = Date.now();
  const eventId = newEventId(now);
  await store.enqueue(
    [{ id: eventId, name: "pay", data: '{"mode":"declined"}', priority: 0, createdAt: now }],
    now,
  );
  const url = new URL("/workloads/payment", host.url).toString();
  await store.route(eventId, [{ name: "payment", url, maxRetries }], now);
  return `${eventId}.payment`;
}

test("a delivery QStash gave up on that dead-letters the run emits awl:run-failed too", async () => {
  const runId = await unpublishedRun(0);
  const callback = {
    sourceBody: Buffer.from(JSON.stringify({ runId, generation: 0 })).toString("base64"),
    status: 500,
    body: Buffer.from("the function crashed").toString("base64"),
  };
  const report = await recordUndelivered(host.runtime, callback);
  expect(report).toMatchObject({ runId, status: "dead-lettered", failureEventId: expect.any(String) });
  const failureEventId = (report as { failureEventId?: string }).failureEventId!;
  const failed = await eventInState(host.runtime, failureEventId, "completed");
  expect(failed.data).toMatchObject({ runId, error: { name: "DeliveryFailed" }, failedStep: null });
  expect(runOf(failed, "payment:on-failure")?.state).toBe("completed");
  expect(handled.get(runId)?.[0]?.error.message).toContain("HTTP 500");
});

test("a run whose last invocation died is dead-lettered by the next claim, which emits awl:run-failed", async () => {
  const runId = await unpublishedRun(0);
  const { store } = stack.runtime;
  const now = Date.now();
  expect((await store.claim(runId, now, now + 1)).status).toBe("claimed");
  const failureEvent = newFailureEvent(now + 10);
  const claim = await store.claim(runId, now + 10, now + 60_000, undefined, failureEvent);
  expect(claim).toEqual({ status: "dead-lettered", failureEventId: failureEvent.id });
  // Its publish is "lost" (never made here): the outbox entry written with it lets the reconciler
  // publish it once the grace period has passed.
  const later = {
    ...host.runtime,
    now: () => Date.now() + stack.runtime.store.settings.outboxGraceMs + 1000,
  };
  expect(await reconcile(later)).toMatchObject({ events: 1 });
  const failed = await eventInState(host.runtime, failureEvent.id, "completed");
  expect(failed.data).toMatchObject({ runId, attempt: 1, error: { name: "LeaseExpired" } });
  expect(runOf(failed, "payment:on-failure")?.state).toBe("completed");
});
