/**
 * The talk's checkout flow, whole: create order, reserve inventory, charge, update order, send
 * receipt, then sleep and follow up. The receipt provider is down long enough to exhaust the
 * retries; once it is back, a retry through the events API finishes the run without creating,
 * reserving or charging again, and the follow-up sleep still happens.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { AsyncWorkloadsClient } from "../../client/src/client/async-workloads-client.ts";
import type { EventState } from "../../client/src/engine/types.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { startApiSite, type ApiSite } from "../api/serve-api.ts";
import { eventInState } from "../helpers/stack.ts";

const executions: string[] = [];
let receiptProviderUp = false;

const checkout = asyncWorkload<{ cartId: string }>(
  async ({ data, step }) => {
    const order = await step.run("create-order", () => {
      executions.push("create-order");
      return { orderId: `order-for-${data.cartId}` };
    });
    await step.run("reserve-inventory", () => executions.push("reserve-inventory"));
    const payment = await step.run("process-payment", () => {
      executions.push("process-payment");
      return { chargeId: `ch_${order.orderId}` };
    });
    await step.run("update-order", () => executions.push("update-order"));
    await step.run("send-receipt", () => {
      executions.push("send-receipt");
      if (!receiptProviderUp) throw new Error("receipt provider: 503 Service Unavailable");
      return { receiptFor: payment.chargeId };
    });
    await step.sleep("follow-up-delay", "2s");
    await step.run("follow-up", () => executions.push("follow-up"));
  },
  { events: "checkout", maxRetries: 2, backoffSchedule: () => 20 },
);

let site: ApiSite;

beforeAll(async () => {
  site = await startApiSite({ checkout });
});
afterAll(() => site?.close());

const inState = (eventId: string, state: EventState) => eventInState(site.stack.runtime, eventId, state);

test("a checkout whose receipt fails until dead-letter completes after a retry, charging once", async () => {
  const client = new AsyncWorkloadsClient({ runtime: site.host.runtime });
  const { eventId } = await client.send("checkout", { cartId: "c_123" });

  const dead = await inState(eventId, "dead-lettered");
  const run = dead.runs[0]!;
  expect(run.attempts.map((a) => a.outcome)).toEqual(["failed", "failed", "dead-lettered"]);
  expect(run.lastError).toMatchObject({
    step: "send-receipt",
    message: "receipt provider: 503 Service Unavailable",
  });
  expect(executions).toEqual([
    "create-order",
    "reserve-inventory",
    "process-payment",
    "update-order",
    "send-receipt",
    "send-receipt",
    "send-receipt",
  ]);

  receiptProviderUp = true;
  const retried = await site.api.call("POST", "/events/retry", { body: { eventIds: [eventId] } });
  expect(retried.status).toBe(200);

  const parked = await inState(eventId, "sleeping");
  expect(parked.runs[0]!.steps.find((s) => s.id === "send-receipt")?.result).toEqual({
    receiptFor: "ch_order-for-c_123",
  });
  const done = await inState(eventId, "completed");
  expect(executions.filter((e) => e === "process-payment")).toHaveLength(1);
  expect(executions.filter((e) => e === "create-order")).toHaveLength(1);
  expect(executions.slice(-2)).toEqual(["send-receipt", "follow-up"]);
  expect(done.runs[0]!.attempts.map((a) => a.outcome)).toEqual([
    "failed",
    "failed",
    "dead-lettered",
    "retried",
    "sleeping",
    "completed",
  ]);
});
