/**
 * Dead letters and their way back, over real HTTP on the local stack: `POST /events/retry` (by id,
 * by name, or every dead-lettered event) and the internal events `awl:retry-failed-events` and
 * `awl:delete-events`. A retried run keeps its completed steps: the checkout below never charges twice.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, test } from "vitest";
import type { EventDetail, EventState } from "../../client/src/engine/types.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { ErrorDoNotRetry } from "../../client/src/engine/errors.ts";
import { eventInState } from "../helpers/stack.ts";
import { startApiSite, type ApiSite } from "./serve-api.ts";

const calls = { charge: 0, receipt: 0 };
let receiptServiceUp = false;

const workloads = {
  checkout: asyncWorkload(
    async ({ step }) => {
      const charge = await step.run("charge", () => {
        calls.charge++;
        return { chargeId: `ch_${calls.charge}` };
      });
      await step.run("send-receipt", () => {
        calls.receipt++;
        if (!receiptServiceUp) throw new ErrorDoNotRetry("receipt service rejected the request");
        return { sentFor: charge.chargeId };
      });
    },
    ["checkout", "checkout-by-name", "checkout-all", "checkout-by-run"],
  ),
};

let site: ApiSite;

beforeAll(async () => {
  site = await startApiSite(workloads);
});
afterAll(() => site?.close());
beforeEach(() => {
  calls.charge = 0;
  calls.receipt = 0;
  receiptServiceUp = false;
});

const inState = (eventId: string, state: EventState) => eventInState(site.stack.runtime, eventId, state);

async function deadLetteredCheckout(name = "checkout"): Promise<string> {
  const { body } = await site.api.call("POST", "/events", { body: { name, data: { cartId: "c_1" } } });
  const event = await inState(body.eventId, "dead-lettered");
  expect(event.runs[0]?.lastError).toMatchObject({ name: "ErrorDoNotRetry", step: "send-receipt" });
  return body.eventId;
}

function expectResumedWithoutRecharging(event: EventDetail) {
  const [run] = event.runs;
  expect(calls).toEqual({ charge: 1, receipt: 2 });
  expect(run?.steps.find((step) => step.id === "send-receipt")?.result).toEqual({ sentFor: "ch_1" });
  expect(run?.attempts.map((attempt) => attempt.outcome)).toEqual(["dead-lettered", "retried", "completed"]);
  expect(run?.manualRetries).toBe(1);
}

describe("POST /events/retry", () => {
  test("by id: the dead-lettered run completes, and its completed step does not run again", async () => {
    const eventId = await deadLetteredCheckout();
    receiptServiceUp = true;
    const response = await site.api.call("POST", "/events/retry", { body: { eventIds: [eventId] } });
    expect(response).toMatchObject({ status: 200, body: { retried: 1, runIds: [`${eventId}.checkout`] } });
    expectResumedWithoutRecharging(await inState(eventId, "completed"));
  });

  test("by run id: only that run is retried", async () => {
    const eventId = await deadLetteredCheckout("checkout-by-run");
    const other = await deadLetteredCheckout("checkout-by-run");
    receiptServiceUp = true;
    const response = await site.api.call("POST", "/events/retry", {
      body: { runIds: [`${eventId}.checkout`] },
    });
    expect(response.body).toEqual({ retried: 1, runIds: [`${eventId}.checkout`] });
    await inState(eventId, "completed");
    expect((await inState(other, "dead-lettered")).runs[0]?.manualRetries).toBe(0);
  });

  test("by event name", async () => {
    const eventId = await deadLetteredCheckout("checkout-by-name");
    receiptServiceUp = true;
    const response = await site.api.call("POST", "/events/retry", {
      body: { eventNames: ["Checkout-By-Name"] },
    });
    expect(response.body.runIds).toEqual([`${eventId}.checkout`]);
    expectResumedWithoutRecharging(await inState(eventId, "completed"));
  });

  test("with no selector, every dead-lettered event; a run that is not dead-lettered is left alone", async () => {
    const eventId = await deadLetteredCheckout("checkout-all");
    receiptServiceUp = true;
    const response = await site.api.call("POST", "/events/retry");
    expect(response.status).toBe(200);
    expect(response.body.runIds).toContain(`${eventId}.checkout`);
    await inState(eventId, "completed");
    const again = await site.api.call("POST", "/events/retry", { body: { eventIds: [eventId] } });
    expect(again.body).toEqual({ retried: 0, runIds: [] });
  });

  test("a bad selector is refused with 400 naming the field", async () => {
    const both = await site.api.call("POST", "/events/retry", {
      body: { runIds: ["evt_1.checkout"], eventNames: ["checkout"] },
    });
    expect(both.status).toBe(400);
    expect(both.body.error).toMatch(/runIds alone, or eventIds and\/or eventNames/);
    const badId = await site.api.call("POST", "/events/retry", { body: { eventIds: ["evt 1"] } });
    expect(badId.body.issues[0].path).toEqual(["eventIds", 0]);
    const badRun = await site.api.call("POST", "/events/retry", { body: { runIds: ["run 1"] } });
    expect(badRun.body.issues[0].path).toEqual(["runIds", 0]);
    const unknown = await site.api.call("POST", "/events/retry", { body: { runs: ["x"] } });
    expect(unknown.body.issues[0]).toEqual({ path: ["runs"], message: "is not a known field" });
  });
});

describe("internal events", () => {
  test("awl:retry-failed-events retries the named dead-lettered events, and itself shows as completed", async () => {
    const eventId = await deadLetteredCheckout();
    receiptServiceUp = true;
    const sent = await site.api.call("POST", "/events", {
      body: { name: "awl:retry-failed-events", data: { eventIds: [eventId] } },
    });
    expect(sent.status).toBe(202);
    expectResumedWithoutRecharging(await inState(eventId, "completed"));

    const internal = await inState(sent.body.eventId, "completed");
    expect(internal.runs).toHaveLength(1);
    expect(internal.runs[0]).toMatchObject({ workload: "awl-operations", state: "completed" });
    expect(internal.runs[0]?.steps).toEqual([
      expect.objectContaining({ id: "awl:retry-failed-events", result: { retried: 1 } }),
    ]);
  });

  test("awl:delete-events deletes the named events with their runs", async () => {
    const eventId = await deadLetteredCheckout();
    const sent = await site.api.call("POST", "/events", {
      body: { name: "AWL:Delete-Events", data: { eventIds: [eventId] } },
    });
    const internal = await inState(sent.body.eventId, "completed");
    expect(internal.runs[0]?.steps[0]).toMatchObject({ id: "awl:delete-events", result: { deleted: 1 } });
    expect(await site.stack.runtime.store.getEvent(eventId)).toBeNull();
  });

  test("bad data for an internal event is refused at send with the field's path", async () => {
    const response = await site.api.call("POST", "/events", {
      body: { name: "awl:delete-events", data: { states: ["done"] } },
    });
    expect(response.status).toBe(400);
    expect(response.body.issues[0].path).toEqual(["data", "states", 0]);
  });

  test("an unknown awl: event is refused at send, naming the known ones, and nothing is stored", async () => {
    const before = await site.stack.runtime.store.listEvents({ limit: 100 });
    const sent = await site.api.call("POST", "/events", { body: { name: "awl:reticulate-splines" } });
    expect(sent.status).toBe(400);
    expect(sent.body.issues[0].path).toEqual(["name"]);
    expect(sent.body.issues[0].message).toMatch(/reserved.*awl:retry-failed-events, awl:delete-events/);
    expect(await site.stack.runtime.store.listEvents({ limit: 100 })).toEqual(before);
  });
});
