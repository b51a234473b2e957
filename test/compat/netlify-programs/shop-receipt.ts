// The shop's receipts, sent by the checkout with sendEvent; untyped, as Netlify's examples are.
import { asyncWorkloadFn, type AsyncWorkloadConfig } from "@netlify/async-workloads";
import { ledger } from "./shop-checkout.js";

export default asyncWorkloadFn(async (event) => {
  await event.step.run("email", () => {
    ledger.push({
      what: "receipt",
      eventId: event.eventId,
      attempt: event.attempt,
      at: Date.now(),
      orderId: event.eventData.orderId,
    });
  });
});

export const asyncWorkloadConfig: AsyncWorkloadConfig = { events: ["shop/receipt"] };
