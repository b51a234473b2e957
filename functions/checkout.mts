/**
 * The checkout from the talk, as a workload: every stage is a step, so a failure in one (a payment
 * outage, a mail server down) retries from there and never repeats what already succeeded. A week
 * later it sends a follow-up; `CHECKOUT_FOLLOW_UP_DELAY` shortens the wait (the tests use seconds).
 * When a checkout is dead-lettered (a declined card, an outage that outlasts the retries), its
 * `onFailure` handler runs, durably, and tells the customer.
 *
 *   npx awl send checkout --data '{"cartId":"c_1","email":"ada@example.com","items":[{"sku":"tee","quantity":2}],"total":40}'
 */
import { asyncWorkload } from "@awl/client";
import { events } from "./_shared/events.ts";
import {
  createOrder,
  markOrderPaid,
  processPayment,
  reserveInventory,
  sendEmail,
} from "./_shared/providers.ts";

export default asyncWorkload(
  async ({ eventId, data, step }) => {
    const order = await step.run("create-order", () => createOrder(eventId, data));
    await step.run("reserve-inventory", () => reserveInventory(order));
    const payment = await step.run("process-payment", () => processPayment(order));
    await step.run("update-order", () => markOrderPaid(order, payment));
    await step.run("send-receipt", () => sendEmail(order.email, `Your receipt for ${order.orderId}`));
    await step.sleep("follow-up-delay", process.env.CHECKOUT_FOLLOW_UP_DELAY || "7 days");
    await step.run("send-follow-up", () => sendEmail(order.email, `How is your order ${order.orderId}?`));
  },
  {
    events: "checkout",
    catalog: events,
    onFailure: async ({ data, step }) => {
      const { email, cartId } = data.event.data as { email: string; cartId: string };
      await step.run("tell-customer", () =>
        sendEmail(email, `We could not complete your order for cart ${cartId}: ${data.error.message}`),
      );
    },
  },
);
