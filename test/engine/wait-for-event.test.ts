/**
 * step.waitForEvent over the real stack (events API over HTTP, awl dev's QStash, real Redis): the
 * awaited event sent before the run reaches the wait (looked back for), after (the parked run is
 * woken), or never (null at the timeout); an event sent before the run was created is outside the
 * look back; a retry returns the same event; 100 runs waiting on one event name with distinct match
 * keys are each woken once, by their own event.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import type { EventDetail } from "../../client/src/engine/types.ts";
import type { WaitedEvent } from "../../client/src/engine/step.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { eventInState, waitFor } from "../helpers/stack.ts";
import { startApiSite, type ApiSite } from "../api/serve-api.ts";

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
};

let site: ApiSite;
beforeAll(async () => {
  site = await startApiSite(workloads);
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
const waitingStep = async (id: string) =>
  (await event(id))?.runs[0]?.steps.find((step) => step.id === "approved" && step.status === "waiting");

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
  await send("order.approved", { orderId: "someone-else" });
  const approval = await send("order.approved", { orderId: "during" });
  const done = await eventInState(site.stack.runtime, placed, "completed");
  expect(got.during).toEqual([expect.objectContaining({ eventId: approval })]);
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
});

test("100 runs waiting on one event name with distinct keys are each woken once, by their own event", async () => {
  const keys = Array.from({ length: 100 }, (_, i) => `bulk-${i}`);
  const { body } = await site.api.call("POST", "/events", {
    body: { events: keys.map((orderId) => ({ name: "order.placed", data: { orderId } })) },
  });
  const placed: string[] = body.events.map((e: { eventId: string }) => e.eventId);
  await waitFor(async () => (await Promise.all(placed.map(waitingStep))).every(Boolean), {
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
