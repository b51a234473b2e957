// A multi-step checkout: typed event data, steps, a sleep, a follow-up event, a filter and a custom backoff.
import {
  asyncWorkloadFn,
  ErrorDoNotRetry,
  ErrorRetryAfterDelay,
  type AsyncWorkloadConfig,
  type AsyncWorkloadEvent,
  type CustomAsyncWorkloadEvent,
} from "@netlify/async-workloads";

interface CheckoutEvent extends CustomAsyncWorkloadEvent {
  eventName: "checkout";
  eventData: { cartId: string; email: string; total: number };
}

interface Order {
  id: string;
  total: number;
}

async function createOrder(cartId: string, total: number): Promise<Order> {
  return { id: `order-${cartId}`, total };
}

async function charge(
  order: Order,
): Promise<{ chargeId: string; status: "ok" | "rate-limited" | "declined" }> {
  return { chargeId: `ch-${order.id}`, status: "ok" };
}

export default asyncWorkloadFn<CheckoutEvent>(async (event) => {
  const name: "checkout" = event.eventName;
  const { cartId, email, total } = event.eventData;
  console.log(name, event.eventId, event.attempt, new URL(event.request.url).pathname);

  const order = await event.step.run("create-order", () => createOrder(cartId, total));
  const id: string = order.id;

  const payment = await event.step.run("charge", async () => {
    const result = await charge(order);
    if (result.status === "rate-limited") {
      throw new ErrorRetryAfterDelay({ message: "payment provider rate limit", retryDelay: "2m" });
    }
    if (result.status === "declined") throw new ErrorDoNotRetry(`card declined for ${id}`);
    return result;
  });
  const chargeId: string = payment.chargeId;

  const receiptSent: boolean = await event.step.run("send-receipt", () => email.includes("@"));
  if (!receiptSent) return;

  await event.step.sleep("wait-a-day", "1d");
  await event.step.sleep("until-tomorrow-noon", Date.now() + 24 * 60 * 60 * 1000);
  await event.step.sleep("short-pause", 5_000);

  const followUp = await event.sendEvent("checkout-follow-up", {
    data: { orderId: id, chargeId },
    delayUntil: Date.now() + 60_000,
    priority: 10,
  });
  if (followUp.sendStatus === "failed") {
    throw new Error(`could not schedule the follow-up (event ${followUp.eventId})`);
  }
});

export const asyncWorkloadConfig: AsyncWorkloadConfig<CheckoutEvent> = {
  name: "checkout-flow",
  events: ["checkout"],
  maxRetries: 6,
  eventFilter: (event) =>
    event.eventData.total > 0 && event.request.method === "POST" && event.eventId !== "",
  backoffSchedule: (attempt) => attempt * 1000,
};

// A handler written on its own, the event type inferred from its parameter.
export async function handleCheckout(event: AsyncWorkloadEvent<CheckoutEvent>): Promise<void> {
  await event.step.run("log", () => console.log(event.eventData.cartId));
}
export const fromHandler = asyncWorkloadFn(handleCheckout);
