/**
 * The events API's keys over real HTTP: a configured key too weak to be one (short, a few characters,
 * a repeated word) is refused with a 500 naming AWL_API_KEY rather than accepted, and a flood of
 * wrong keys from one client is slowed down (delayed 401s, then 429 with Retry-After for requests
 * sent while one is held) while correct keys, and other clients, are answered as before.
 */
import { randomBytes } from "node:crypto";
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { FREE_FAILURES } from "../../client/src/api/failure-limiter.ts";
import { apiKeyWeakness, generateApiKey } from "../../client/src/api/auth.ts";
import { newApiKey } from "../../extension/src/install/on-install.ts";
import { startStack, type Stack } from "../helpers/stack.ts";
import { serveApi, API_KEY, type ServedApi } from "./serve-api.ts";

let stack: Stack;
const served: ServedApi[] = [];

beforeAll(async () => {
  stack = await startStack();
});
afterEach(() => {
  vi.unstubAllEnvs();
});
afterAll(async () => {
  for (const api of served) await api.close();
  await stack?.close();
});

async function serve(apiKeys?: string[] | "env"): Promise<ServedApi> {
  const api = await serveApi(stack.runtime, apiKeys);
  served.push(api);
  return api;
}

describe("a configured key too weak to be one", () => {
  test("a short AWL_API_KEY answers every request with 500 naming AWL_API_KEY, even with that key", async () => {
    vi.stubEnv("AWL_API_KEY", "k");
    const api = await serve("env");
    const answer = await api.call("GET", "/stats", { key: "k" });
    expect(answer.status).toBe(500);
    expect(answer.body.error).toMatch(/^AWL_API_KEY is too weak: key 1 of 1 has 1 character; at least 32/);
    expect(answer.body.error).toMatch(/openssl rand -base64 32/);
  });

  test("a long key that repeats a word is refused too, and named by its position only", async () => {
    const repeated = "password1password1password1password1";
    vi.stubEnv("AWL_API_KEY", `${generateApiKey()},${repeated}`);
    const api = await serve("env");
    const answer = await api.call("GET", "/stats", { key: repeated });
    expect(answer.status).toBe(500);
    expect(answer.body.error).toMatch(/^AWL_API_KEY is too weak: key 2 of 2 repeats a run of 8 characters/);
    expect(answer.body.error).not.toContain(repeated);
  });

  test("generated keys, and random ones of 32 hex characters, are accepted", async () => {
    // Where keys are created: the extension (install, create, rotate) and scripts/dev.ts.
    for (let i = 0; i < 100; i++) expect(apiKeyWeakness(newApiKey())).toBeUndefined();
    const hex = randomBytes(16).toString("hex");
    const api = await serve([generateApiKey(), hex]);
    expect((await api.call("GET", "/stats", { key: hex })).status).toBe(200);
  });
});

describe("a flood of wrong keys from one client", () => {
  const from = (ip: string) => ({ "x-nf-client-connection-ip": ip });
  const wrong = () => `wrong-${randomBytes(16).toString("hex")}`;

  test("is slowed down, while correct keys and other clients are answered as before", async () => {
    const api = await serve();
    const attacker = from(`203.0.113.${1 + (randomBytes(1)[0]! % 200)}`);
    for (let i = 0; i < FREE_FAILURES; i++) {
      const answer = await api.call("GET", "/stats", { key: wrong(), headers: attacker });
      expect(answer.status).toBe(401);
    }
    // Past the free failures, a wrong key's 401 is held back, and whatever the same client sends
    // meanwhile is refused unchecked: a flood cannot run its guesses in parallel.
    const started = Date.now();
    const burst = await Promise.all(
      Array.from({ length: 5 }, () => api.call("GET", "/stats", { key: wrong(), headers: attacker })),
    );
    const statuses = burst.map((answer) => answer.status).sort();
    expect(statuses).toContain(429);
    expect(statuses.every((status) => status === 401 || status === 429)).toBe(true);
    const limited = burst.find((answer) => answer.status === 429)!;
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(limited.body.error).toMatch(/too many wrong API keys from this client/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);

    // Another client, at the same time: a correct key is answered, a wrong one gets a plain 401.
    const other = from("198.51.100.7");
    const held = api.call("GET", "/stats", { key: wrong(), headers: attacker });
    expect((await api.call("GET", "/stats", { headers: other })).status).toBe(200);
    const otherWrong = await api.call("GET", "/stats", { key: wrong(), headers: other });
    expect(otherWrong.status).toBe(401);
    expect(otherWrong.headers.get("retry-after")).toBeNull();
    expect((await held).status).toBe(401);

    // Once its held answers are out, the client's correct key works at once, and clears its record.
    expect((await api.call("GET", "/stats", { headers: attacker })).status).toBe(200);
    expect((await api.call("GET", "/stats", { key: wrong(), headers: attacker })).status).toBe(401);
  });

  test("after a client's wrong keys, its correct key is answered", async () => {
    const api = await serve();
    const client = from("192.0.2.44");
    for (let i = 0; i <= FREE_FAILURES; i++)
      await api.call("GET", "/stats", { key: wrong(), headers: client });
    const answer = await api.call("GET", "/stats", { key: API_KEY, headers: client });
    expect(answer.status).toBe(200);
  });
});
