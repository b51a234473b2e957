/**
 * Netlify-style workloads (`@awl/client/netlify`) on the local stack (awl dev's QStash and Redis
 * REST API, real Redis): the behaviour the compatibility entry adapts, end to end. Retries follow
 * `backoffSchedule` numbered as on Netlify, numbers in `step.sleep` and `delayUntil` mean what
 * they mean there, a filter that throws runs the workload, and `ErrorDoNotRetry()` dead-letters.
 */
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import {
  AsyncWorkloadsClient,
  ErrorDoNotRetry,
  asyncWorkloadFn,
  workloadFromModule,
  type AsyncWorkloadConfig,
} from "../../client/src/compat/netlify.ts";
import { API_KEY, startApiSite, type ApiSite } from "../api/serve-api.ts";
import { eventInState, waitFor } from "../helpers/stack.ts";

type CheckoutEvent = { eventName: "compat-checkout"; eventData: { cartId: string; boom?: boolean } };

const attempts = new Map<string, { attempt: number; at: number }[]>();
const finished = new Map<string, { order: string; at: number }>();

const checkoutConfig: AsyncWorkloadConfig<CheckoutEvent> = {
  events: ["compat-checkout"],
  maxRetries: 3,
  // On Netlify the first retry waits backoffSchedule(1): 1 s, then 2 s.
  backoffSchedule: (attempt) => attempt * 1000,
  eventFilter: (event) => {
    if (event.eventData.boom) throw new Error("a bug in the filter");
    return true;
  },
};

const checkout = workloadFromModule({
  default: asyncWorkloadFn<CheckoutEvent>(async (event) => {
    const seen = attempts.get(event.eventId) ?? [];
    attempts.set(event.eventId, [...seen, { attempt: event.attempt, at: Date.now() }]);
    const order = await event.step.run("create-order", () => `order-${event.eventData.cartId}`);
    if (event.eventData.cartId.startsWith("flaky") && event.attempt < 2) throw new Error("provider down");
    // A number later than a day ago is a time: wake half a second from the first time this is reached.
    await event.step.sleep("settle", Date.now() + 500);
    finished.set(event.eventId, { order, at: Date.now() });
  }),
  asyncWorkloadConfig: checkoutConfig,
});

const refuse = workloadFromModule({
  default: asyncWorkloadFn(() => {
    throw new ErrorDoNotRetry();
  }),
  asyncWorkloadConfig: { events: ["compat-refuse"], maxRetries: 4 },
});

let site: ApiSite;
let client: AsyncWorkloadsClient<CheckoutEvent>;

beforeAll(async () => {
  site = await startApiSite({ checkout, refuse });
  client = new AsyncWorkloadsClient<CheckoutEvent>({ baseUrl: `${site.api.url}/any/page`, apiKey: API_KEY });
});
afterAll(() => site?.close());

const done = (eventId: string) =>
  waitFor(async () => finished.get(eventId), { timeoutMs: 20_000, what: `${eventId} to finish` });

describe("Netlify-style workloads on the stack", () => {
  test("retries wait backoffSchedule(1), backoffSchedule(2), ... after attempts 0, 1, ...; an epoch-ms sleep wakes then", async () => {
    const sent = await client.send("compat-checkout", { data: { cartId: "flaky-1" } });
    expect(sent.sendStatus).toBe("succeeded");
    const end = await done(sent.eventId);
    const tries = attempts.get(sent.eventId) ?? [];
    expect(tries.map((t) => t.attempt)).toEqual([0, 1, 2, 2]); // the last one resumes after the sleep
    expect(tries[1]!.at - tries[0]!.at).toBeGreaterThanOrEqual(1000);
    expect(tries[2]!.at - tries[1]!.at).toBeGreaterThanOrEqual(2000);
    expect(end.at - tries[2]!.at).toBeGreaterThanOrEqual(500);
    expect(end.at - tries[2]!.at).toBeLessThan(5_000);
    expect(end.order).toBe("order-flaky-1");
    await eventInState(site.stack.runtime, sent.eventId, "completed");
  });

  test("an eventFilter that throws lets the workload run", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const sent = await client.send("compat-checkout", { data: { cartId: "c2", boom: true } });
      expect((await done(sent.eventId)).order).toBe("order-c2");
    } finally {
      error.mockRestore();
    }
  });

  test("delayUntil: a small number is a duration from now", async () => {
    const before = Date.now();
    const sent = await client.send("compat-checkout", { data: { cartId: "c3" }, delayUntil: 1500 });
    expect(sent.sendStatus).toBe("succeeded");
    await done(sent.eventId);
    expect(attempts.get(sent.eventId)![0]!.at - before).toBeGreaterThanOrEqual(1500);
  });

  test("new ErrorDoNotRetry() dead-letters at once", async () => {
    const sent = await new AsyncWorkloadsClient({ baseUrl: site.api.url, apiKey: API_KEY }).send(
      "compat-refuse",
    );
    const event = await eventInState(site.stack.runtime, sent.eventId, "dead-lettered");
    expect(event.runs?.[0]).toMatchObject({ attempt: 1 });
  });
});
