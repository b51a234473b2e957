/**
 * Fake providers for the demo checkout: an order store, an inventory service, a payment provider and
 * an email service. Each logs what it does (so that you can see that a step ran once) and honours the
 * outage switches in outages.ts.
 */
import { ErrorDoNotRetry } from "@awl/client";
import { currentOutage, type Provider } from "./outages.ts";

export interface Order {
  orderId: string;
  cartId: string;
  email: string;
  items: { sku: string; quantity: number }[];
  total: number;
}

export interface Payment {
  paymentId: string;
  amount: number;
}

async function call(provider: Provider, action: string): Promise<void> {
  const outage = await currentOutage(provider);
  if (outage === "unauthorized") {
    // A refused API key does not fix itself: stop retrying and wait for a human.
    throw new ErrorDoNotRetry(
      `${provider}: 401 Unauthorized (the API key was refused) while trying to ${action}`,
    );
  }
  if (outage === "down") throw new Error(`${provider}: 503 Service Unavailable while trying to ${action}`);
}

const log = (provider: Provider, line: string) => console.log(`[demo:${provider}] ${line}`);

export async function createOrder(eventId: string, cart: Omit<Order, "orderId">): Promise<Order> {
  await call("orders", "create the order");
  const order = { orderId: `ord_${eventId.slice(-12)}`, ...cart };
  log("orders", `created order ${order.orderId} for cart ${cart.cartId}`);
  return order;
}

export async function reserveInventory(order: Order): Promise<void> {
  await call("inventory", "reserve stock");
  const units = order.items.reduce((sum, item) => sum + item.quantity, 0);
  log("inventory", `reserved ${units} units for order ${order.orderId}`);
}

export async function processPayment(order: Order): Promise<Payment> {
  await call("payment", "charge the card");
  // The order id doubles as the provider's idempotency key, should the step ever run twice.
  const payment = { paymentId: `pay_${order.orderId.slice(4)}`, amount: order.total };
  log("payment", `charged ${order.total.toFixed(2)} for order ${order.orderId} (${payment.paymentId})`);
  return payment;
}

export async function markOrderPaid(order: Order, payment: Payment): Promise<void> {
  await call("orders", "update the order");
  log("orders", `order ${order.orderId} is paid (${payment.paymentId})`);
}

export async function sendEmail(to: string, subject: string): Promise<void> {
  await call("email", `send "${subject}"`);
  log("email", `sent "${subject}" to ${to}`);
}
