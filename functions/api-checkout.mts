/**
 * POST /api/checkout: a normal function, the front of the checkout. It checks the cart, hands the
 * work to the `checkout` workload with one `client.send`, and answers at once: the order is
 * submitted, and the workload sees it through whatever happens next.
 */
import { AsyncWorkloadsClient } from "@awl/client";
import { events } from "./_shared/events.ts";

const client = new AsyncWorkloadsClient({ catalog: events });

export default async function checkout(request: Request): Promise<Response> {
  if (request.method !== "POST") {
    return Response.json(
      { error: "POST a cart: { cartId, email, items: [{ sku, quantity }], total }" },
      { status: 405, headers: { allow: "POST" } },
    );
  }
  const body: unknown = await request.json().catch(() => undefined);
  const cart = events.schemas.checkout.safeParse(body);
  if (!cart.success) {
    const issues = cart.error.issues.map((issue) => ({ path: issue.path.join("."), message: issue.message }));
    return Response.json({ error: "invalid checkout", issues }, { status: 400 });
  }
  const { eventId } = await client.send("checkout", cart.data);
  return Response.json({ status: "submitted", eventId }, { status: 202 });
}

export const config = { path: "/api/checkout" };
