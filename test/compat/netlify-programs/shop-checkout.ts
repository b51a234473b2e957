// A shop's checkout, as a Netlify site writes it: typed events, steps, a short sleep, a filter,
// custom retries and backoff, both error classes, sendEvent, and a client sending with delayUntil
// and priority. test/compat/netlify-programs.test.ts runs it on the local stack.
import {
  asyncWorkloadFn,
  AsyncWorkloadsClient,
  ErrorDoNotRetry,
  ErrorRetryAfterDelay,
  type AsyncWorkloadConfig,
  type AsyncWorkloadEvent,
} from "@netlify/async-workloads";

export type ShopEvents =
  | {
      eventName: "shop/checkout";
      eventData: { cartId: string; total: number; card: "ok" | "declined" | "flaky" };
    }
  | { eventName: "shop/receipt"; eventData: { orderId: string } };
type CheckoutEvent = Extract<ShopEvents, { eventName: "shop/checkout" }>;

/** What the shop's services were asked to do (a real site would call them). */
export const ledger: { what: string; eventId: string; attempt: number; at: number; orderId?: string }[] = [];

export default asyncWorkloadFn<CheckoutEvent>(async (event) => {
  const { cartId, card } = event.eventData;
  const note = (what: string, orderId?: string) =>
    ledger.push({
      what,
      eventId: event.eventId,
      attempt: event.attempt,
      at: Date.now(),
      ...(orderId ? { orderId } : {}),
    });

  const order = await event.step.run("create-order", () => {
    note("create-order");
    return { id: `order-${cartId}` };
  });

  await event.step.run("charge", async () => {
    note("charge");
    if (card === "declined") throw new ErrorDoNotRetry(`card declined for ${order.id}`);
    if (card === "flaky" && event.attempt === 0) {
      throw new ErrorRetryAfterDelay({
        message: "payment provider busy",
        retryDelay: 1500,
        forceDelayTime: true,
      });
    }
    return { chargeId: `ch-${order.id}` };
  });

  await event.step.sleep("settle", 500);

  const receipt: Awaited<ReturnType<AsyncWorkloadEvent["sendEvent"]>> = await event.step.run(
    "queue-receipt",
    () => event.sendEvent("shop/receipt", { data: { orderId: order.id } }),
  );
  if (receipt.sendStatus === "failed") throw new Error(`the receipt for ${order.id} was not queued`);
  note("done", order.id);
});

export const asyncWorkloadConfig: AsyncWorkloadConfig<CheckoutEvent> = {
  events: ["shop/checkout"],
  maxRetries: 2,
  // Free carts need no checkout.
  eventFilter: (event) => event.eventData.total > 0,
  backoffSchedule: (attempt) => attempt * 1000,
};

/** Orders placed from outside the site, e.g. by a storefront's server. */
export async function placeOrders(baseUrl: string, apiKey: string) {
  const client = new AsyncWorkloadsClient<ShopEvents>({ baseUrl, apiKey });
  return {
    paid: await client.send("shop/checkout", { data: { cartId: "c1", total: 20, card: "ok" }, priority: 10 }),
    later: await client.send("shop/checkout", {
      data: { cartId: "c2", total: 35, card: "flaky" },
      delayUntil: Date.now() + 1_000,
    }),
    declined: await client.send("shop/checkout", { data: { cartId: "c3", total: 5, card: "declined" } }),
    free: await client.send("shop/checkout", { data: { cartId: "c4", total: 0, card: "ok" } }),
  };
}
