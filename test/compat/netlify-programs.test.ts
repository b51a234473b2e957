/**
 * The shop in ./netlify-programs (a Netlify site's checkout and receipt workloads and its
 * storefront's client), run unchanged on the local stack with its one import,
 * "@netlify/async-workloads", pointed at @awl/client/netlify: what a site does when it switches.
 * Each test asserts what Netlify documents for it.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { workloadFromModule } from "../../client/src/compat/netlify.ts";
import { API_KEY, startApiSite, type ApiSite } from "../api/serve-api.ts";
import { eventInState, qstashSettled, waitFor } from "../helpers/stack.ts";
import * as checkoutModule from "./netlify-programs/shop-checkout.ts";
import * as receiptModule from "./netlify-programs/shop-receipt.ts";

// The switch: the programs' import of Netlify's package is this project's drop-in.
vi.mock("@netlify/async-workloads", () => import("../../client/src/compat/netlify.ts"));

const { ledger, placeOrders } = checkoutModule;
let site: ApiSite;
let orders: Awaited<ReturnType<typeof placeOrders>>;
let sentAt = 0;

beforeAll(async () => {
  site = await startApiSite({
    checkout: workloadFromModule(checkoutModule),
    receipt: workloadFromModule(receiptModule),
  });
  sentAt = Date.now();
  orders = await placeOrders(`${site.api.url}/shop/cart`, API_KEY);
});
afterAll(() => site?.close());

const entries = (eventId: string, what: string) =>
  ledger.filter((entry) => entry.eventId === eventId && entry.what === what);

describe("the shop, switched by one import", () => {
  test("every send succeeds, and the priority is the event's", async () => {
    expect(Object.values(orders).map((sent) => sent.sendStatus)).toEqual(Array(4).fill("succeeded"));
    expect(await site.stack.runtime.store.getEvent(orders.paid.eventId)).toMatchObject({ priority: 10 });
  });

  test("a paid order: each step once, the sleep waited, one receipt sent with sendEvent and run", async () => {
    await eventInState(site.stack.runtime, orders.paid.eventId, "completed");
    expect(entries(orders.paid.eventId, "create-order")).toHaveLength(1);
    expect(entries(orders.paid.eventId, "charge")).toHaveLength(1);
    const [done] = entries(orders.paid.eventId, "done");
    expect(done!.at - entries(orders.paid.eventId, "charge")[0]!.at).toBeGreaterThanOrEqual(500);
    const receipt = await waitFor(
      async () => ledger.find((entry) => entry.what === "receipt" && entry.orderId === "order-c1"),
      { what: "the receipt of order-c1" },
    );
    await eventInState(site.stack.runtime, receipt.eventId, "completed");
  });

  test("delayUntil holds the order; ErrorRetryAfterDelay with forceDelayTime retries after retryDelay; completed steps replay", async () => {
    await eventInState(site.stack.runtime, orders.later.eventId, "completed");
    const charges = entries(orders.later.eventId, "charge");
    expect(charges.map((entry) => entry.attempt)).toEqual([0, 1]);
    expect(charges[0]!.at - sentAt).toBeGreaterThanOrEqual(1_000);
    expect(charges[1]!.at - charges[0]!.at).toBeGreaterThanOrEqual(1_500);
    expect(entries(orders.later.eventId, "create-order")).toHaveLength(1);
  });

  test("ErrorDoNotRetry dead-letters the order on its first attempt, and no receipt is sent", async () => {
    const event = await eventInState(site.stack.runtime, orders.declined.eventId, "dead-lettered");
    expect(event.runs?.[0]).toMatchObject({ attempt: 1 });
    expect(event.runs?.[0]?.lastError?.message).toMatch(/card declined for order-c3/);
    expect(ledger.some((entry) => entry.what === "receipt" && entry.orderId === "order-c3")).toBe(false);
  });

  test("the eventFilter keeps the checkout from running for a free cart", async () => {
    await qstashSettled(site.stack);
    expect(ledger.filter((entry) => entry.eventId === orders.free.eventId)).toEqual([]);
    const event = await site.stack.runtime.store.getEvent(orders.free.eventId);
    expect(event?.runs ?? []).toEqual([]);
  });
});
