/**
 * `AsyncWorkloadsClient` end to end on the local stack: over HTTP against the served events API,
 * directly inside a site (the Upstash environment present), typed with a catalog, and the
 * Netlify-compatible client and workload.
 */
import { afterAll, afterEach, beforeAll, describe, expect, expectTypeOf, test, vi } from "vitest";
import { z } from "zod";
import {
  AsyncWorkloadsClient,
  AsyncWorkloadsClientError,
} from "../../client/src/client/async-workloads-client.ts";
import {
  AsyncWorkloadsClient as NetlifyClient,
  asyncWorkloadFn,
  workloadFromModule,
  type AsyncWorkloadConfig,
} from "../../client/src/compat/netlify.ts";
import { defineEvents } from "../../client/src/events/define-events.ts";
import { InvalidInputError } from "../../client/src/engine/validation-error.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { waitFor } from "../helpers/stack.ts";
import { API_KEY, startApiSite, type ApiSite } from "./serve-api.ts";

const seen: { name: string; data: unknown; attempt?: number }[] = [];

const netlifyModule = {
  default: asyncWorkloadFn<{ eventName: "signup"; eventData: { plan: string } }>(async (event) => {
    const welcome = await event.step.run("welcome", () => `welcome to ${event.eventData.plan}`);
    seen.push({ name: event.eventName, data: { welcome }, attempt: event.attempt });
  }),
  asyncWorkloadConfig: {
    events: ["signup"],
    eventFilter: (event) => event.eventData.plan !== "spam",
  } satisfies AsyncWorkloadConfig<{ eventName: "signup"; eventData: { plan: string } }>,
};

const workloads = {
  record: asyncWorkload(
    ({ name, data }) => void seen.push({ name, data }),
    ["client-http", "client-direct", "client-env"],
  ),
  signup: workloadFromModule(netlifyModule),
};

let site: ApiSite;

beforeAll(async () => {
  site = await startApiSite(workloads);
});
afterAll(() => site?.close());
afterEach(() => {
  vi.unstubAllEnvs();
});

const stored = async (name: string) =>
  (await site.stack.runtime.store.listEvents({ name, limit: 100 })).events;
const ran = (name: string) =>
  waitFor(async () => seen.find((entry) => entry.name === name), { what: `${name} to run` });

describe("over HTTP (outside the site)", () => {
  test("send and sendMany reach the workloads through the site's events API", async () => {
    const client = new AsyncWorkloadsClient({ siteUrl: site.api.url, apiKey: API_KEY });
    const result = await client.send("client-http", { via: "http" }, { priority: 3 });
    expect(result).toEqual({ eventId: expect.stringMatching(/^evt_/), status: "accepted" });
    expect(await ran("client-http")).toEqual({ name: "client-http", data: { via: "http" } });
    expect((await stored("client-http"))[0]).toMatchObject({ id: result.eventId, priority: 3 });

    const many = await client.sendMany([
      { name: "client-http", data: 1, idempotencyKey: "once" },
      { name: "client-http", data: 2, idempotencyKey: "once" },
    ]);
    expect(many[1]).toEqual({ eventId: many[0]?.eventId, status: "duplicate" });
  });

  test("site URL and key come from AWL_SITE_URL and AWL_API_KEY", async () => {
    vi.stubEnv("AWL_SITE_URL", site.api.url);
    vi.stubEnv("AWL_API_KEY", API_KEY);
    const result = await new AsyncWorkloadsClient().send("client-http", "from env");
    expect(result.status).toBe("accepted");
  });

  test("a key the site does not accept is a clear 401 error", async () => {
    const client = new AsyncWorkloadsClient({ siteUrl: site.api.url, apiKey: "wrong" });
    const error = await client.send("client-http").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AsyncWorkloadsClientError);
    expect(error).toMatchObject({
      status: 401,
      message: expect.stringMatching(/API key not accepted.*AWL_API_KEY/),
    });
  });

  test("a 400 from the API becomes an InvalidInputError with the field's path", async () => {
    // The site validates internal events' data; the client knows nothing about them.
    const client = new AsyncWorkloadsClient({ siteUrl: site.api.url, apiKey: API_KEY });
    const error = (await client
      .send("awl:delete-events", { states: ["done"] })
      .catch((e: unknown) => e)) as InvalidInputError;
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.issues[0]?.path).toEqual(["data", "states", 0]);
  });
});

describe("directly (inside the site)", () => {
  test("with a runtime, events are enqueued without the API", async () => {
    const result = await new AsyncWorkloadsClient({ runtime: site.host.runtime }).send("client-direct", {
      via: "runtime",
    });
    expect(await ran("client-direct")).toEqual({ name: "client-direct", data: { via: "runtime" } });
    expect((await stored("client-direct"))[0]?.id).toBe(result.eventId);
  });

  test("where the Upstash environment is present, no site URL or API key is needed", async () => {
    vi.stubEnv("UPSTASH_REDIS_REST_URL", site.stack.redisRest.url);
    vi.stubEnv("UPSTASH_REDIS_REST_TOKEN", site.stack.redisRest.token);
    vi.stubEnv("QSTASH_URL", site.stack.qstash.url);
    vi.stubEnv("QSTASH_TOKEN", site.stack.qstash.token);
    vi.stubEnv("QSTASH_CURRENT_SIGNING_KEY", site.stack.qstash.currentSigningKey);
    vi.stubEnv("QSTASH_NEXT_SIGNING_KEY", site.stack.qstash.nextSigningKey);
    vi.stubEnv("AWL_ROUTER_URL", site.host.runtime.routerUrl);
    vi.stubEnv("AWL_PREFIX", site.stack.prefix);
    vi.stubEnv("AWL_API_KEY", "");
    vi.stubEnv("AWL_SITE_URL", "");
    vi.stubEnv("URL", "");
    const result = await new AsyncWorkloadsClient().send("client-env", { via: "env" });
    expect(await ran("client-env")).toEqual({ name: "client-env", data: { via: "env" } });
    expect((await stored("client-env"))[0]?.id).toBe(result.eventId);
  });
});

describe("typed with a catalog", () => {
  const events = defineEvents({
    order: z.object({ cartId: z.string().startsWith("c_"), quantity: z.number().int().min(1) }),
  });

  test("bad data is refused with zod's field paths, before anything is sent (HTTP and direct)", async () => {
    for (const client of [
      new AsyncWorkloadsClient({ catalog: events, siteUrl: site.api.url, apiKey: API_KEY }),
      new AsyncWorkloadsClient({ catalog: events, runtime: site.host.runtime }),
    ]) {
      // @ts-expect-error cartId must be a string: refused at compile time, and at run time below.
      const refused = client.send("order", { cartId: 42, quantity: 0 });
      const error = (await refused.catch((e: unknown) => e)) as InvalidInputError;
      expect(error).toBeInstanceOf(InvalidInputError);
      expect(error.issues.map((issue) => issue.path)).toEqual([
        ["data", "cartId"],
        ["data", "quantity"],
      ]);
      expectTypeOf(client.send).parameter(0).toEqualTypeOf<"order">();
    }
    expect(await stored("order")).toEqual([]);
  });

  test("good data is sent", async () => {
    const client = new AsyncWorkloadsClient({ catalog: events, runtime: site.host.runtime });
    const result = await client.send("order", { cartId: "c_9", quantity: 2 });
    expect((await stored("order"))[0]).toMatchObject({
      id: result.eventId,
      data: { cartId: "c_9", quantity: 2 },
    });
  });
});

describe("Netlify compatibility", () => {
  test("Netlify's client and an asyncWorkloadFn workload with its asyncWorkloadConfig work unchanged", async () => {
    const client = new NetlifyClient({ baseUrl: site.api.url, apiKey: API_KEY });
    const result = await client.send("signup", { data: { plan: "pro" }, priority: 5 });
    expect(result).toEqual({ sendStatus: "succeeded", eventId: expect.stringMatching(/^evt_/) });
    expect(await ran("signup")).toEqual({ name: "signup", data: { welcome: "welcome to pro" }, attempt: 0 });
    expect((await stored("signup"))[0]).toMatchObject({ priority: 5, state: "completed" });

    // The config's eventFilter applies: nothing runs for this one, and it shows as unmatched.
    const filtered = await client.send("signup", { data: { plan: "spam" } });
    const event = await waitFor(async () => {
      const detail = await site.stack.runtime.store.getEvent(filtered.eventId);
      return detail?.routedAt ? detail : undefined;
    });
    expect(event.state).toBe("unmatched");
  });
});
