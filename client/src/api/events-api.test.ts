import { randomBytes } from "node:crypto";
import { afterEach, describe, expect, test, vi } from "vitest";
import type { Runtime } from "../engine/runtime.ts";
import { createEventsApi } from "./events-api.ts";

/** A runtime whose services throw when touched: proves a refused request reads and writes nothing. */
function untouchableRuntime(): Runtime {
  const untouchable = new Proxy(
    {},
    {
      get: (_, property) => {
        throw new Error(`state was touched (${String(property)})`);
      },
    },
  );
  return {
    store: untouchable,
    publisher: untouchable,
    verifier: untouchable,
    routerUrl: "http://site/router",
    now: Date.now,
    log: () => undefined,
  } as unknown as Runtime;
}

/** Keys strong enough for the API's policy (auth.ts). */
const key = (name: string) => `${name}-${randomBytes(16).toString("hex")}`;
const K1 = key("k1");
const api = createEventsApi({ runtime: untouchableRuntime(), apiKeys: [K1] });
const request = (method: string, path: string, init: { key?: string | null; body?: string } = {}) =>
  new Request(`http://site${path}`, {
    method,
    headers: init.key === null ? {} : { authorization: `Bearer ${init.key ?? K1}` },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });
const call = async (...args: Parameters<typeof request>) => {
  const response = await api(request(...args));
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
};

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("authentication comes before anything else", () => {
  test("no key, a wrong key: 401 naming the problem, and no state read", async () => {
    const missing = await call("GET", "/awl/api/events", { key: null });
    expect(missing.status).toBe(401);
    expect(missing.body.error).toMatch(/no API key/);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const wrong = await call("POST", "/awl/api/events", { key: "k2", body: '{"name":"x"}' });
    expect(wrong).toMatchObject({ status: 401, body: { error: "API key not accepted" } });
  });

  test("an unknown route under the API needs a key too, so routes are not discoverable", async () => {
    expect((await call("GET", "/awl/api/secret", { key: null })).status).toBe(401);
  });

  test("without options, the keys come from AWL_API_KEY (several at once, comma-separated)", async () => {
    const [oldKey, newKey] = [key("old"), key("new")];
    vi.stubEnv("AWL_API_KEY", `${oldKey}, ${newKey}`);
    const fromEnv = createEventsApi({ runtime: untouchableRuntime() });
    for (const accepted of [oldKey, newKey]) {
      const response = await fromEnv(request("GET", "/awl/api/nowhere", { key: accepted }));
      expect(response.status).toBe(404);
    }
    expect((await fromEnv(request("GET", "/awl/api/nowhere", { key: K1 }))).status).toBe(401);
  });
});

describe("routing", () => {
  test("unknown routes are 404, also outside the base path", async () => {
    expect((await call("GET", "/awl/api/nothing")).status).toBe(404);
    expect((await call("GET", "/elsewhere")).status).toBe(404);
  });

  test("a wrong method is 405 with the allowed methods", async () => {
    const put = await call("PUT", "/awl/api/events");
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")).toBe("GET, POST, DELETE");
    const getRetry = await call("GET", "/awl/api/events/retry");
    expect(getRetry.status).toBe(405);
    expect(getRetry.headers.get("allow")).toBe("POST");
    expect((await call("DELETE", "/awl/api/events/evt_1")).status).toBe(405);
    expect((await call("GET", "/awl/api/reconcile")).status).toBe(405);
  });

  test("honours a custom base path", async () => {
    const custom = createEventsApi({ runtime: untouchableRuntime(), apiKeys: [K1], basePath: "/api/awl" });
    expect((await custom(request("PUT", "/api/awl/events"))).status).toBe(405);
    expect((await custom(request("PUT", "/awl/api/events"))).status).toBe(404);
  });
});

describe("bad input changes nothing", () => {
  test("invalid events are refused with 400 naming the field before the store is touched", async () => {
    const response = await call("POST", "/awl/api/events", {
      body: JSON.stringify({ name: "has space", priority: 51 }),
    });
    expect(response.status).toBe(400);
    expect(response.body.issues).toEqual([
      { path: ["name"], message: expect.stringContaining("may contain only") },
      { path: ["priority"], message: "must be between -50 and 50" },
    ]);
  });

  test("bad list parameters are refused with 400 naming the parameter", async () => {
    const cases: [string, string][] = [
      ["state=bogus", "state"],
      ["limit=0", "limit"],
      ["limit=101", "limit"],
      ["limit=ten", "limit"],
      ["cursor=abc", "cursor"],
      ["name=bad%20name", "name"],
      ["colour=red", "colour"],
    ];
    for (const [query, field] of cases) {
      const response = await call("GET", `/awl/api/events?${query}`);
      expect(response.status, query).toBe(400);
      expect((response.body.issues as { path: string[] }[])[0]?.path, query).toEqual([field]);
    }
  });

  test("empty list parameters count as not given", async () => {
    const list = createEventsApi({
      runtime: {
        ...untouchableRuntime(),
        store: { listEvents: async () => ({ events: [], cursor: null }) },
      } as unknown as Runtime,
      apiKeys: [K1],
    });
    const response = await list(request("GET", "/awl/api/events?state=&name=&cursor=&limit="));
    expect(response.status).toBe(200);
  });

  test("DELETE needs a selector: an empty one is refused rather than deleting everything", async () => {
    const response = await call("DELETE", "/awl/api/events", { body: "{}" });
    expect(response.status).toBe(400);
    expect(response.body.error).toMatch(/eventIds or states/);
  });
});

describe("configuration errors", () => {
  test("without the Upstash environment, an authenticated request gets 500 naming the missing variables", async () => {
    vi.stubEnv("UPSTASH_REDIS_REST_URL", "");
    vi.stubEnv("UPSTASH_REDIS_REST_TOKEN", "");
    const unconfigured = createEventsApi({ apiKeys: [K1] });
    const response = await unconfigured(request("GET", "/awl/api/events"));
    expect(response.status).toBe(500);
    expect(((await response.json()) as { error: string }).error).toMatch(/UPSTASH_REDIS_REST_URL/);
  });
});
