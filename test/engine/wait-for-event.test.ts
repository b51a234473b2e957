/**
 * step.waitForEvent over the real stack (events API over HTTP, awl dev's QStash, real Redis): the
 * awaited event sent before the run reaches the wait (looked back for), after (the parked run is
 * woken, by a delivery its next claim fences), or never (null at the timeout); an event sent before
 * the run was created is outside the look back; a retry returns the same event; 100 runs waiting on
 * one event name with distinct match keys are each woken once, by their own event. An `if` condition
 * passes over the events that do not meet it, before and after the wait is reached; a bad one
 * dead-letters the run. With a catalog, an awaited event's data and a sent event's data are checked
 * against their schemas. A cancelled waiting run's step shows as cancelled and leaves no waiter, and
 * a waiter's keys expire after its timeout.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { z } from "zod";
import type { EventDetail } from "../../client/src/engine/types.ts";
import type { WaitedEvent } from "../../client/src/engine/step.ts";
import { engineKeys } from "../../client/src/engine/keys.ts";
import type { OutboundMessage } from "../../client/src/transport/publish.ts";
import { defineEvents } from "../../client/src/events/define-events.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { eventInState, waitFor } from "../helpers/stack.ts";
import { startApiSite, type ApiSite } from "../api/serve-api.ts";

const catalog = defineEvents({
  "typed.placed": z.object({ orderId: z.string() }),
  "typed.approved": z.object({ orderId: z.string(), by: z.string(), level: z.number().default(1) }),
  "typed.shipped": z.object({ orderId: z.string() }),
});

const gates = new Map<string, { open: () => void; opened: Promise<void>; reached: boolean }>();
function gate(key: string) {
  let open: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const entry = { open, opened, reached: false };
  gates.set(key, entry);
  return entry;
}
const got: Record<string, (WaitedEvent<{ orderId: string; note?: string }> | null)[]> = {};

const workloads = {
  beside: asyncWorkload<{ orderId: string }>(
    async ({ data, step }) => {
      const entry = gates.get(data.orderId)!;
      const [approval] = await Promise.all([
        step.waitForEvent<{ orderId: string }>("approved", {
          event: "order.approved",
          match: "data.orderId",
          timeout: "1h",
        }),
        step.run("slow", async () => {
          entry.reached = true;
          await entry.opened;
        }),
      ]);
      (got[data.orderId] ??= []).push(approval);
    },
    { events: "order.placed-beside" },
  ),
  approval: asyncWorkload<{ orderId: string; timeout?: string }>(
    async ({ data, step, attempt }) => {
      await step.run("prepare", async () => {
        const entry = gates.get(data.orderId);
        if (entry) {
          entry.reached = true;
          await entry.opened;
        }
      });
      const approval = await step.waitForEvent<{ orderId: string; note?: string }>("approved", {
        event: "order.approved",
        match: "data.orderId",
        timeout: data.timeout ?? "1h",
      });
      (got[data.orderId] ??= []).push(approval);
      // The first attempt fails after the wait: the retry must see the same event.
      if (data.orderId.startsWith("retry") && attempt === 1) throw new Error("fails once after the wait");
      await step.run("record", () => approval?.eventId ?? null);
    },
    { events: "order.placed", backoffSchedule: () => 20 },
  ),
  conditional: asyncWorkload<{ orderId: string; total: number }>(
    async ({ data, step }) => {
      await step.run("prepare", async () => {
        const entry = gates.get(data.orderId)!;
        entry.reached = true;
        await entry.opened;
      });
      const payment = await step.waitForEvent<{ orderId: string; amount: number; currency: string }>("paid", {
        event: "payment.received",
        match: "data.orderId",
        if: "event.data.amount >= async.data.total && event.data.currency == 'EUR'",
        timeout: "1h",
      });
      (got[data.orderId] ??= []).push(payment as WaitedEvent<{ orderId: string }>);
    },
    { events: "order.placed-if" },
  ),
  badCondition: asyncWorkload(
    async ({ step }) => {
      await step.waitForEvent("paid", {
        event: "payment.received",
        if: "event.data.amount + 1 > 2",
        timeout: "1h",
      });
    },
    { events: "order.placed-bad-if" },
  ),
  typed: asyncWorkload(
    async ({ data, step }) => {
      const approval = await step.waitForEvent("approval", {
        event: "typed.approved",
        match: "data.orderId",
        timeout: "1h",
      });
      typedApprovals.push(approval?.data ?? null);
      // A send whose data fails its schema, which the types would refuse: as a JavaScript caller could.
      const shipped = data.orderId.startsWith("badsend")
        ? ({ orderId: 42 } as unknown as { orderId: string })
        : data;
      await step.sendEvent("ship", "typed.shipped", { orderId: shipped.orderId });
    },
    { events: "typed.placed", catalog },
  ),
};
const typedApprovals: ({ orderId: string; by: string; level: number } | null)[] = [];

let site: ApiSite;
/** Every message the site publishes (the router's and the events API's, at send). */
const published: OutboundMessage[] = [];
beforeAll(async () => {
  site = await startApiSite(workloads);
  const publisher = site.host.runtime.publisher;
  site.host.runtime.publisher = {
    publish: (messages) => {
      published.push(...messages);
      return publisher.publish(messages);
    },
  };
});
afterAll(async () => {
  for (const entry of gates.values()) entry.open();
  await site?.close();
});

async function send(name: string, data: unknown): Promise<string> {
  const { status, body } = await site.api.call("POST", "/events", { body: { name, data } });
  expect(status).toBe(202);
  return body.eventId;
}
const event = (id: string) => site.stack.runtime.store.getEvent(id);
const waitingStep = async (id: string, stepId = "approved") =>
  (await event(id))?.runs[0]?.steps.find((step) => step.id === stepId && step.status === "waiting");
const keys = () => engineKeys(site.stack.prefix);

test("an event sent after the run started but before it reached the wait is not lost", async () => {
  const entry = gate("early");
  const placed = await send("order.placed", { orderId: "early" });
  await waitFor(async () => entry.reached, { what: "the run to start" });
  const approval = await send("order.approved", { orderId: "early", note: "sent before the wait" });
  entry.open();
  const done = await eventInState(site.stack.runtime, placed, "completed");
  expect(got.early).toEqual([
    expect.objectContaining({ eventId: approval, data: { orderId: "early", note: "sent before the wait" } }),
  ]);
  // Found by the look back: the run never parked.
  expect(done.runs[0]!.attempts.map((a) => a.outcome)).toEqual(["completed"]);
});

test("a run waiting for an event parks, shows what it waits for, and is woken by it", async () => {
  const placed = await send("order.placed", { orderId: "during" });
  const waiting = await waitFor(() => waitingStep(placed), { what: "the step to wait" });
  expect(waiting).toMatchObject({
    waitFor: { event: "order.approved", match: "data.orderId", value: "during" },
  });
  expect(waiting.timeoutAt).toBeGreaterThan(Date.now() + 3_000_000);
  expect((await event(placed))?.state).toBe("sleeping");
  // The waiter's keys expire an hour after the wait's timeout (an hour from now).
  const waiterKey = keys().waiters("order.approved", "data.orderId", '"during"');
  for (const key of [waiterKey, keys().waitPaths("order.approved")]) {
    const ttl = await site.stack.redis.pttl(key);
    expect(ttl, key).toBeGreaterThan(7_200_000 - 600_000);
    expect(ttl, key).toBeLessThanOrEqual(7_200_000);
  }
  const runId = (await event(placed))!.runs[0]!.id;
  const parkedGeneration = Number(
    await site.stack.redis.hget(`${site.stack.prefix}run:${runId}`, "generation"),
  );
  await send("order.approved", { orderId: "someone-else" });
  const approval = await send("order.approved", { orderId: "during" });
  const done = await eventInState(site.stack.runtime, placed, "completed");
  expect(got.during).toEqual([expect.objectContaining({ eventId: approval })]);
  // The wake is published with the generation the run parked at, which its next claim fences (and a
  // QStash failure callback for that delivery is recorded against), not as a new run's 0.
  // (Its own wake at the timeout, an hour away, is left out.)
  const deliveries = published.filter(
    (message) => (message.body as { runId: string }).runId === runId && message.notBefore === undefined,
  );
  expect(deliveries.map((message) => (message.body as { generation: number }).generation)).toEqual([
    0,
    parkedGeneration,
  ]);
  expect(parkedGeneration).toBeGreaterThan(0);
  expect(done.runs[0]!.attempts.map((a) => a.outcome)).toEqual(["sleeping", "completed"]);
  expect(done.runs[0]!.steps.find((s) => s.id === "approved")).toMatchObject({
    status: "completed",
    eventId: approval,
  });
});

test("without its event the wait ends with null at the timeout; one sent before the run was created is outside the look back", async () => {
  await send("order.approved", { orderId: "late" });
  const placed = await send("order.placed", { orderId: "late", timeout: "1s" });
  await eventInState(site.stack.runtime, placed, "completed");
  expect(got.late).toEqual([null]);
});

test("a retry after the wait returns the same event", async () => {
  const placed = await send("order.placed", { orderId: "retry-1" });
  await waitFor(() => waitingStep(placed), { what: "the step to wait" });
  const approval = await send("order.approved", { orderId: "retry-1" });
  const done: EventDetail = await eventInState(site.stack.runtime, placed, "completed");
  expect(got["retry-1"]!.map((e) => e?.eventId)).toEqual([approval, approval]);
  expect(done.runs[0]!.steps.find((s) => s.id === "record")?.result).toBe(approval);
});

test("an event that comes while the waiting step's invocation still runs wakes the run as that invocation ends", async () => {
  const entry = gate("beside");
  const placed = await send("order.placed-beside", { orderId: "beside" });
  await waitFor(async () => entry.reached && (await waitingStep(placed)), {
    what: "the wait beside a running step",
  });
  const approval = await send("order.approved", { orderId: "beside" });
  entry.open();
  const done = await eventInState(site.stack.runtime, placed, "completed");
  expect(got.beside).toEqual([expect.objectContaining({ eventId: approval })]);
  // The invocation would have parked for an hour; it went on at once instead.
  expect(done.runs[0]!.attempts.map((a) => a.outcome)).toEqual(["sleeping", "completed"]);
});

test("a waiting run that is cancelled stays cancelled when its event comes", async () => {
  const placed = await send("order.placed", { orderId: "cancelled" });
  await waitFor(() => waitingStep(placed), { what: "the step to wait" });
  const { body } = await site.api.call("POST", "/events/cancel", { body: { eventIds: [placed] } });
  expect(body.cancelled).toBe(1);
  const approval = await send("order.approved", { orderId: "cancelled" });
  await eventInState(site.stack.runtime, approval, "unmatched");
  const after = await event(placed);
  expect(after?.state).toBe("cancelled");
  expect(after?.runs[0]!.attempts.map((a) => a.outcome)).toEqual(["sleeping", "cancelled"]);
  expect(got.cancelled).toBeUndefined();
  // Its step no longer shows as waiting, and it left no waiter behind.
  expect(after?.runs[0]!.steps.find((s) => s.id === "approved")).toMatchObject({
    status: "cancelled",
    waitFor: { event: "order.approved", value: "cancelled" },
  });
  expect(
    await site.stack.redis.smembers(keys().waiters("order.approved", "data.orderId", '"cancelled"')),
  ).toEqual([]);
});

test("a wait with an `if` passes over events that do not meet it, before and after it is reached", async () => {
  const entry = gate("if-1");
  const placed = await send("order.placed-if", { orderId: "if-1", total: 100 });
  await waitFor(async () => entry.reached, { what: "the run to start" });
  // Sent before the wait is reached: too small, so the look back passes over it.
  await send("payment.received", { orderId: "if-1", amount: 50, currency: "EUR" });
  entry.open();
  const waiting = await waitFor(() => waitingStep(placed, "paid"), { what: "the step to wait" });
  expect(waiting.waitFor).toEqual({
    event: "payment.received",
    match: "data.orderId",
    value: "if-1",
    if: "event.data.amount >= async.data.total && event.data.currency == 'EUR'",
  });
  // Sent while it waits: the wrong currency, so it keeps waiting (and is still a waiter for the next).
  const dollars = await send("payment.received", { orderId: "if-1", amount: 200, currency: "USD" });
  await eventInState(site.stack.runtime, dollars, "unmatched");
  const paid = await send("payment.received", { orderId: "if-1", amount: 150, currency: "EUR" });
  const done = await eventInState(site.stack.runtime, placed, "completed");
  expect(got["if-1"]).toEqual([
    expect.objectContaining({ eventId: paid, data: { orderId: "if-1", amount: 150, currency: "EUR" } }),
  ]);
  expect(done.runs[0]!.steps.find((s) => s.id === "paid")).toMatchObject({
    status: "completed",
    eventId: paid,
  });
});

test("a wait whose `if` is not a condition dead-letters the run, naming the problem", async () => {
  const placed = await send("order.placed-bad-if", {});
  const dead = await eventInState(site.stack.runtime, placed, "dead-lettered");
  expect(dead.runs[0]!.lastError).toMatchObject({
    name: "InvalidStepError",
    message: expect.stringContaining('step.waitForEvent("paid") if: operator "+" is not supported'),
  });
  expect(dead.runs[0]!.attempts).toHaveLength(1);
});

test("with a catalog, the awaited event's data is parsed by its schema, and data failing a schema fails the run", async () => {
  const ok = await send("typed.placed", { orderId: "typed-ok" });
  await waitFor(() => waitingStep(ok, "approval"), { what: "the typed step to wait" });
  await send("typed.approved", { orderId: "typed-ok", by: "ada" });
  const done = await eventInState(site.stack.runtime, ok, "completed");
  // The schema's output: its default filled in.
  expect(typedApprovals).toEqual([{ orderId: "typed-ok", by: "ada", level: 1 }]);
  expect(done.runs[0]!.steps.map((s) => s.id)).toEqual(["approval", "ship"]);

  // The events API knows no catalog: an awaited event with the wrong data reaches the wait.
  const badWait = await send("typed.placed", { orderId: "typed-badwait" });
  await waitFor(() => waitingStep(badWait, "approval"), { what: "the typed step to wait" });
  const wrong = await send("typed.approved", { orderId: "typed-badwait", by: 42 });
  const deadWait = await eventInState(site.stack.runtime, badWait, "dead-lettered");
  expect(deadWait.runs[0]!.lastError).toMatchObject({
    name: "InvalidInputError",
    step: "approval",
    message: `step.waitForEvent("approval") received typed.approved ${wrong}, which does not match its schema: data.by: Invalid input: expected string, received number`,
  });
  expect(deadWait.runs[0]!.attempts.map((a) => a.outcome)).toEqual(["sleeping", "dead-lettered"]);

  const badSend = await send("typed.placed", { orderId: "badsend" });
  await waitFor(() => waitingStep(badSend, "approval"), { what: "the typed step to wait" });
  await send("typed.approved", { orderId: "badsend", by: "ada" });
  const deadSend = await eventInState(site.stack.runtime, badSend, "dead-lettered");
  expect(deadSend.runs[0]!.lastError).toMatchObject({
    name: "InvalidInputError",
    step: "ship",
    message: expect.stringMatching(/^data\.orderId: Invalid input: expected string, received number/),
  });
  // Neither is retried: one attempt parked at the wait, one failed.
  expect(deadSend.runs[0]!.attempts.map((a) => a.outcome)).toEqual(["sleeping", "dead-lettered"]);
});

test("100 runs waiting on one event name with distinct keys are each woken once, by their own event", async () => {
  const keys = Array.from({ length: 100 }, (_, i) => `bulk-${i}`);
  const { body } = await site.api.call("POST", "/events", {
    body: { events: keys.map((orderId) => ({ name: "order.placed", data: { orderId } })) },
  });
  const placed: string[] = body.events.map((e: { eventId: string }) => e.eventId);
  await waitFor(async () => (await Promise.all(placed.map((id) => waitingStep(id)))).every(Boolean), {
    what: "100 steps to wait",
    timeoutMs: 60_000,
  });
  const approvals = await site.api.call("POST", "/events", {
    body: { events: [...keys].reverse().map((orderId) => ({ name: "order.approved", data: { orderId } })) },
  });
  const approvalOf = new Map<string, string>(
    [...keys].reverse().map((key, i) => [key, approvals.body.events[i].eventId as string]),
  );
  await waitFor(async () => (await Promise.all(placed.map(event))).every((e) => e?.state === "completed"), {
    what: "100 runs to complete",
    timeoutMs: 60_000,
  });
  for (const key of keys) {
    expect(got[key]).toEqual([
      expect.objectContaining({ eventId: approvalOf.get(key), data: { orderId: key } }),
    ]);
  }
});
