import { afterEach, describe, expect, test, vi } from "vitest";
import { z } from "zod";
import { defineEvents } from "../events/define-events.ts";
import { InvalidInputError } from "../engine/validation-error.ts";
import { AsyncWorkloadsClient, AsyncWorkloadsClientError } from "./async-workloads-client.ts";

const SITE = "https://shop.example";

/** Replaces fetch with one answering `status` and `body`, recording the requests. */
function stubFetch(status: number, body: unknown) {
  const requests: { url: string; init: RequestInit }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init: RequestInit) => {
      requests.push({ url, init });
      return new Response(JSON.stringify(body), { status });
    }),
  );
  return requests;
}

/** Outside a site: no Upstash environment, no site URL, no key. */
function outsideASite() {
  for (const name of [
    "UPSTASH_REDIS_REST_URL",
    "UPSTASH_REDIS_REST_TOKEN",
    "AWL_SITE_URL",
    "URL",
    "AWL_API_KEY",
  ]) {
    vi.stubEnv(name, "");
  }
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
});

describe("where events go", () => {
  test("outside a site, with no site URL, sending says what to configure", async () => {
    outsideASite();
    await expect(new AsyncWorkloadsClient().send("a")).rejects.toThrow(/AWL_SITE_URL/);
  });

  test("with a site URL but no key, sending says where the key comes from", async () => {
    outsideASite();
    vi.stubEnv("URL", SITE);
    await expect(new AsyncWorkloadsClient().send("a")).rejects.toThrow(/apiKey.*AWL_API_KEY/);
  });

  test("over HTTP: POSTs { events } with the Bearer key to <site>/awl/api/events", async () => {
    outsideASite();
    const requests = stubFetch(202, { events: [{ eventId: "evt_1", status: "accepted" }] });
    const client = new AsyncWorkloadsClient({ siteUrl: `${SITE}/`, apiKey: "k1" });
    const before = Date.now();
    await expect(
      client.send("checkout", { cartId: "c_1" }, { delayUntil: "1h", priority: 2 }),
    ).resolves.toEqual({
      eventId: "evt_1",
      status: "accepted",
    });
    expect(requests).toHaveLength(1);
    const [request] = requests;
    const url = request?.url;
    const init = request?.init ?? {};
    expect(url).toBe(`${SITE}/awl/api/events`);
    expect(init.headers).toMatchObject({ authorization: "Bearer k1" });
    const sent = JSON.parse(init.body as string) as { events: { delayUntil: number }[] };
    expect(sent.events).toEqual([
      { name: "checkout", data: { cartId: "c_1" }, priority: 2, delayUntil: expect.any(Number) },
    ]);
    // A relative delay is resolved where it was asked for, not after the request's transit.
    expect(sent.events[0]?.delayUntil).toBeGreaterThanOrEqual(before + 3_600_000);
  });
});

describe("errors", () => {
  const client = () => new AsyncWorkloadsClient({ siteUrl: SITE, apiKey: "k1" });

  test("invalid input is refused before any request", async () => {
    const requests = stubFetch(202, {});
    const error = (await client()
      .send("bad name", undefined, { priority: 99 })
      .catch((e: unknown) => e)) as InvalidInputError;
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.issues.map((issue) => issue.path)).toEqual([["name"], ["priority"]]);
    expect(requests).toEqual([]);
  });

  test("a typed client validates the data against its schema before any request", async () => {
    const requests = stubFetch(202, {});
    const typed = new AsyncWorkloadsClient({
      catalog: defineEvents({ signup: z.object({ email: z.email() }) }),
      siteUrl: SITE,
      apiKey: "k1",
    });
    await expect(typed.send("signup", { email: "not-an-email" })).rejects.toMatchObject({
      issues: [{ path: ["data", "email"] }],
    });
    expect(requests).toEqual([]);
  });

  test("the API's 400 becomes an InvalidInputError with the caller's paths", async () => {
    stubFetch(400, { error: "bad", issues: [{ path: ["events", 0, "data", "x"], message: "nope" }] });
    await expect(client().send("a", { x: 1 })).rejects.toMatchObject({
      issues: [{ path: ["data", "x"], message: "nope" }],
    });
    stubFetch(400, { error: "bad", issues: [{ path: ["events", 1, "name"], message: "nope" }] });
    await expect(client().sendMany([{ name: "a" }, { name: "b" }])).rejects.toMatchObject({
      issues: [{ path: [1, "name"] }],
    });
  });

  test("401 and other failures are AsyncWorkloadsClientErrors with the status", async () => {
    stubFetch(401, { error: "API key not accepted" });
    await expect(client().send("a")).rejects.toMatchObject({
      status: 401,
      message: expect.stringContaining("API key not accepted"),
    });
    stubFetch(503, { error: "Redis unavailable" });
    const error = await client()
      .send("a")
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AsyncWorkloadsClientError);
    expect(error).toMatchObject({ status: 503, message: expect.stringContaining("Redis unavailable") });
  });

  test("an unreachable site is an error naming the URL", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => Promise.reject(new TypeError("fetch failed"))),
    );
    await expect(client().send("a")).rejects.toThrow(
      `could not reach the events API at ${SITE}/awl/api/events: fetch failed`,
    );
  });
});
