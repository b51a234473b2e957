/**
 * Netlify behaviours beyond the types, on the local stack (awl dev's QStash and Redis REST API, real
 * Redis under this file's own prefix, the events API over real HTTP): event names with `/`, whose
 * idempotency keys stay apart from other names'; sleeps and steps in separate id namespaces; and
 * Netlify's `AWL_API_KEY_P<n>` key rotation beside `AWL_API_KEY`; the event chain limit.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { generateApiKey } from "../../client/src/api/auth.ts";
import {
  AsyncWorkloadsClient,
  asyncWorkloadFn,
  workloadFromModule,
} from "../../client/src/compat/netlify.ts";
import { engineKeys } from "../../client/src/engine/keys.ts";
import { serveApi, startApiSite, type ApiSite } from "../api/serve-api.ts";
import { eventInState, waitFor } from "../helpers/stack.ts";

const ran = new Map<string, string[]>();

const orders = workloadFromModule({
  default: asyncWorkloadFn(async (event) => {
    const log = ran.get(event.eventId) ?? [];
    ran.set(event.eventId, log);
    // A step and a sleep with one id: two entries, as on Netlify.
    const first = await event.step.run("wait", () => {
      log.push("step wait");
      return `${event.eventName}:${event.eventData?.id}`;
    });
    await event.step.sleep("wait", 300);
    log.push(`after sleep ${first}`);
  }),
  asyncWorkloadConfig: { events: ["orders/created"] },
});

/** Each event of the loop by its place in the chain (1: sent from outside). */
const loops = new Map<number, string>();
const loop = workloadFromModule({
  default: asyncWorkloadFn(async (event) => {
    const n: number = event.eventData.n;
    loops.set(n, event.eventId);
    await event.sendEvent("compat/loop", { data: { n: n + 1 } });
  }),
  asyncWorkloadConfig: { events: ["compat/loop"], maxRetries: 0 },
});

let site: ApiSite;

beforeAll(async () => {
  site = await startApiSite({ orders, loop });
});
afterAll(() => site?.close());
afterEach(() => vi.unstubAllEnvs());

describe("event names with '/'", () => {
  test("`orders/created` is sent, routed, run and listed by name", async () => {
    const sent = await site.api.call("POST", "/events", {
      body: { name: "orders/created", data: { id: 7 } },
    });
    expect(sent.status).toBe(202);
    await eventInState(site.stack.runtime, sent.body.eventId, "completed");
    expect(ran.get(sent.body.eventId)).toEqual(["step wait", "after sleep orders/created:7"]);

    const listed = await site.api.call("GET", `/events?name=${encodeURIComponent("orders/created")}`);
    expect(listed.status).toBe(200);
    expect(listed.body.events.map((e: { id: string }) => e.id)).toContain(sent.body.eventId);
  });

  test("an idempotency key of `orders/created` is not one of `orders` (key layout: keys.ts)", async () => {
    // With the name and key joined by '/', both of these would be `idem:orders/created/k`.
    const send = (name: string, idempotencyKey: string) =>
      site.api.call("POST", "/events", { body: { name, idempotencyKey } });
    const a = await send("orders/created", "k");
    const b = await send("orders", "created/k");
    expect([a.status, b.status]).toEqual([202, 202]);
    expect(a.body.eventId).not.toBe(b.body.eventId);
    expect((await send("orders/created", "k")).body.eventId).toBe(a.body.eventId);

    const keys = engineKeys(site.stack.prefix);
    expect(await site.stack.redis.get(keys.idempotency("orders/created", "k"))).toBe(a.body.eventId);
    expect(await site.stack.redis.get(keys.idempotency("orders", "created/k"))).toBe(b.body.eventId);
  });
});

describe("sleep ids", () => {
  test("a sleep and a step with the same id are two journal entries; the step does not run again", async () => {
    const sent = await site.api.call("POST", "/events", {
      body: { name: "orders/created", data: { id: 8 } },
    });
    const event = await eventInState(site.stack.runtime, sent.body.eventId, "completed");
    const steps = event.runs?.[0]?.steps.map((s) => s.id);
    expect(steps).toEqual(expect.arrayContaining(["wait", "awl:sleep:wait"]));
    // The run parked on the sleep and resumed: the step ran once, its result replayed.
    expect(ran.get(sent.body.eventId)).toEqual(["step wait", "after sleep orders/created:8"]);
  });
});

describe("AWL_API_KEY_P<n> rotation", () => {
  test("the events API accepts every AWL_API_KEY_P<n> and AWL_API_KEY; the client sends with the highest n", async () => {
    const [p1, p2, plain] = [generateApiKey(), generateApiKey(), generateApiKey()];
    vi.stubEnv("AWL_API_KEY", plain);
    vi.stubEnv("AWL_API_KEY_P1", p1);
    vi.stubEnv("AWL_API_KEY_P2", p2);
    const api = await serveApi(site.host.runtime, "env");
    try {
      for (const key of [p1, p2, plain]) expect((await api.call("GET", "/stats", { key })).status).toBe(200);
      expect((await api.call("GET", "/stats", { key: generateApiKey() })).status).toBe(401);

      // Without apiKey, the client takes the site's newest key; retire P2 and it fails.
      const client = new AsyncWorkloadsClient({ baseUrl: api.url });
      const sent = await client.send("orders/created", { data: { id: 9 } });
      expect(sent.sendStatus).toBe("succeeded");
      await waitFor(async () => (await site.stack.runtime.store.getEvent(sent.eventId)) ?? undefined, {
        what: "the event sent with AWL_API_KEY_P2",
      });
    } finally {
      await api.close();
    }
  });

  test("a client holding only a retired key is refused: its send is failed, not thrown", async () => {
    const [p1, p2] = [generateApiKey(), generateApiKey()];
    vi.stubEnv("AWL_API_KEY_P1", p1);
    const api = await serveApi(site.host.runtime, [p2]);
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const sent = await new AsyncWorkloadsClient({ baseUrl: api.url }).send("orders/created");
      expect(sent.sendStatus).toBe("failed");
    } finally {
      error.mockRestore();
      await api.close();
    }
  });
});

describe("the event chain limit", () => {
  test("workloads sending each other events stop before 20 events; the refused send throws, naming the chain", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const sent = await site.api.call("POST", "/events", { body: { name: "compat/loop", data: { n: 1 } } });
      expect(sent.status).toBe(202);
      // Event 19 is the last a chain may hold: its run's send is refused and, with no retries, it dead-letters.
      const last = await waitFor(async () => loops.get(19), { what: "the 19th event of the chain" });
      const event = await eventInState(site.stack.runtime, last, "dead-lettered");
      expect(event.runs?.[0]?.lastError?.message).toMatch(/event 20 of a chain .*\(AWL_EVENT_CHAIN_LIMIT\)/);
      expect([...loops.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 19 }, (_, i) => i + 1));
    } finally {
      error.mockRestore();
    }
  });
});
