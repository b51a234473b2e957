// Sending events: an untyped and a typed client, every option, the result, and the internal events.
import {
  AsyncWorkloadsClient,
  type CustomAsyncWorkloadEvent,
  type InternalEvents,
} from "@netlify/async-workloads";

type ShopEvents =
  | { eventName: "checkout"; eventData: { cartId: string } }
  | { eventName: "account.signup"; eventData: { email: string; plan?: "free" | "pro" } };

export async function sendAll(): Promise<string[]> {
  const client = new AsyncWorkloadsClient();
  const first = await client.send("anything");
  const second = await client.send("anything-else", { data: { nested: [1, 2, 3] } });

  const remote = new AsyncWorkloadsClient({ baseUrl: "https://shop.netlify.app/some/page", apiKey: "key" });
  const origin: string = remote.baseUrl;
  const later = await remote.send("checkout", { data: { cartId: "c1" }, delayUntil: Date.now() + 60_000 });
  const inAMinute = await remote.send("checkout", { delayUntil: "1m", priority: -5 });

  const typed = new AsyncWorkloadsClient<ShopEvents>({ baseUrl: origin });
  const signup = await typed.send("account.signup", { data: { email: "a@b.c", plan: "pro" }, priority: 50 });

  const ids: string[] = [];
  for (const result of [first, second, later, inAMinute, signup]) {
    if (result.sendStatus === "failed") console.error("not sent", result.eventId);
    else if (result.sendStatus === "succeeded") ids.push(result.eventId);
  }
  return ids;
}

// The internal events, typed from Netlify's InternalEvents.
type InternalEvent = {
  [N in keyof InternalEvents]: { eventName: N; eventData: InternalEvents[N] };
}[keyof InternalEvents];

export async function manage(failedEventIds: string[]): Promise<boolean> {
  const admin = new AsyncWorkloadsClient<InternalEvent>();
  const retried = await admin.send("awl:retry-failed-events", { data: { eventNames: ["checkout"] } });
  const retriedById = await admin.send("awl:retry-failed-events", { data: { eventIds: failedEventIds } });
  const deleteData: InternalEvents["awl:delete-events"] = { eventIds: failedEventIds };
  const deleted = await admin.send("awl:delete-events", { data: deleteData });
  return [retried, retriedById, deleted].every((r) => r.sendStatus === "succeeded");
}

// A generic helper over any client, as a site's own wrapper might write it.
export function sender<T extends CustomAsyncWorkloadEvent>(client: AsyncWorkloadsClient<T>) {
  return (name: T["eventName"], data: T["eventData"]) => client.send(name, { data });
}
