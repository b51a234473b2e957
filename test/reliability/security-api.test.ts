/**
 * The events API's keys, over real HTTP against the site process: a missing, malformed, wrong
 * (prefix, suffix, case, padding) or revoked key is refused with 401 on every route and nothing
 * changes; after a rotation only the keys still configured work. Then errors are provoked (Redis
 * unreachable, QStash unreachable, refused keys) and every line the site, awl dev and the test's
 * engine logged, and every response body, is searched for every secret: API keys (accepted,
 * revoked, presented and wrong), the Redis REST token, the QStash token and signing keys.
 * The key comparison's timing is measured (SHA-256 digests with timingSafeEqual), not asserted.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { apiKeyChecker } from "../../client/src/api/auth.ts";
import { startFaultStack, API_KEY, type FaultStack } from "./support/fault-stack.ts";
import { startHost, type HostProcess } from "./support/host.ts";
import { freePort } from "./support/ports.ts";
import { report } from "./support/report.ts";
import { sign } from "./support/signatures.ts";

const NEW_KEY = `rel-new-${randomBytes(12).toString("hex")}`;
const WRONG_KEYS = [
  `rel-wrong-${randomBytes(12).toString("hex")}`,
  API_KEY.slice(0, -1),
  `${API_KEY}x`,
  API_KEY.toUpperCase(),
  `x${API_KEY}`,
];
let stack: FaultStack;
/** The site after a rotation that revoked API_KEY: AWL_API_KEY holds only NEW_KEY. */
let rotated: HostProcess;
/** The site with a QStash URL where nothing listens. */
let noQStash: HostProcess;
const bodies: string[] = [];

beforeAll(async () => {
  // A failing Redis or QStash call takes its client's retries (about 4 s) before it fails: give the
  // site the platform's own 30 s rather than the 2 s the fault tests use.
  stack = await startFaultStack({ restProxy: true, hostEnv: { PLATFORM_TIMEOUT_MS: "30000" } });
  rotated = await startHost({ ...stack.hostEnv, AWL_API_KEY: NEW_KEY });
  noQStash = await startHost({ ...stack.hostEnv, QSTASH_URL: `http://127.0.0.1:${await freePort()}` });
}, 60_000);
afterAll(async () => {
  await rotated?.close();
  await noQStash?.close();
  await stack?.close();
}, 60_000);

const ROUTES: { method: string; path: string; body?: unknown }[] = [
  { method: "POST", path: "/events", body: { name: "chain" } },
  { method: "GET", path: "/events" },
  { method: "GET", path: "/events/evt_doesnotexist" },
  { method: "POST", path: "/events/retry", body: {} },
  { method: "DELETE", path: "/events", body: { states: ["completed"] } },
  { method: "POST", path: "/reconcile" },
  { method: "GET", path: "/stats" },
];

async function call(site: string, route: (typeof ROUTES)[number], authorization?: string) {
  const response = await fetch(`${site}/awl/api${route.path}`, {
    method: route.method,
    headers: {
      ...(authorization === undefined ? {} : { authorization }),
      "content-type": "application/json",
    },
    ...(route.body === undefined ? {} : { body: JSON.stringify(route.body) }),
  });
  const text = await response.text();
  bodies.push(text);
  return { status: response.status, text };
}

test("missing, malformed, wrong and revoked keys: 401 on every route, nothing changes", async () => {
  const headers = [
    undefined,
    "",
    "Bearer",
    "Bearer ",
    `Basic ${Buffer.from(`user:${API_KEY}`).toString("base64")}`,
    `Token ${API_KEY}`,
    `Bearer ${API_KEY} ${API_KEY}`,
    ...WRONG_KEYS.map((key) => `Bearer ${key}`),
  ];
  const before = await stack.redis.quietDigest();
  for (const route of ROUTES) {
    for (const header of headers) {
      const answer = await call(stack.host.url, route, header);
      expect({ route: route.path, header, status: answer.status }).toEqual({
        route: route.path,
        header,
        status: 401,
      });
    }
    // Revoked by the rotation: the old key no longer opens the rotated site.
    expect((await call(rotated.url, route, `Bearer ${API_KEY}`)).status).toBe(401);
  }
  expect(await stack.redis.digest()).toBe(before);
  // Control: the keys configured on each site are accepted.
  expect((await call(stack.host.url, ROUTES[1]!, `Bearer ${API_KEY}`)).status).toBe(200);
  expect((await call(rotated.url, ROUTES[1]!, `Bearer ${NEW_KEY}`)).status).toBe(200);
  expect((await call(rotated.url, ROUTES[1]!, `bearer   ${NEW_KEY}  `)).status).toBe(200);
});

test("errors are logged without a secret: Redis down, QStash down, refused keys", async () => {
  // QStash unreachable: the send is accepted (persisted), its publish fails and is logged.
  expect((await call(noQStash.url, ROUTES[0]!, `Bearer ${API_KEY}`)).status).toBe(202);
  // Redis unreachable behind the REST API: the API, the router and a workload fail and log it.
  await stack.restProxy!.cut();
  try {
    // All at once: each waits out @upstash/redis's own retries (about 4 s) before it fails.
    const delivery = async (path: string, body: unknown) => {
      const url = `${stack.host.url}${path}`;
      const text = JSON.stringify(body);
      const response = await fetch(url, {
        method: "POST",
        body: text,
        headers: {
          "upstash-signature": await sign({ key: stack.dev.env.QSTASH_CURRENT_SIGNING_KEY, url, body: text }),
        },
      });
      bodies.push(await response.text());
      return response.status;
    };
    const statuses = await Promise.all([
      call(stack.host.url, ROUTES[1]!, `Bearer ${API_KEY}`).then((answer) => answer.status),
      call(stack.host.url, ROUTES[0]!, `Bearer ${API_KEY}`).then((answer) => answer.status),
      delivery("/router", { eventId: "evt_x", name: "chain" }),
      delivery("/workloads/chain", { runId: "evt_x.chain" }),
    ]);
    expect(statuses).toEqual([500, 500, 503, 503]);
  } finally {
    await stack.restProxy!.restore();
  }
  for (const key of WRONG_KEYS) await call(stack.host.url, ROUTES[1]!, `Bearer ${key}`);

  const logs = [stack.host.output(), rotated.output(), noQStash.output(), stack.logs.join("\n")].join("\n");
  expect(logs).toMatch(/events API GET \/awl\/api\/events failed/); // the errors were logged...
  expect(logs).toMatch(/publishing 1 event\(s\) failed/);
  const secrets = {
    API_KEY,
    NEW_KEY,
    ...Object.fromEntries(WRONG_KEYS.map((key, i) => [`wrong key ${i}`, key])),
    UPSTASH_REDIS_REST_TOKEN: stack.dev.env.UPSTASH_REDIS_REST_TOKEN,
    QSTASH_TOKEN: stack.dev.env.QSTASH_TOKEN,
    QSTASH_CURRENT_SIGNING_KEY: stack.dev.env.QSTASH_CURRENT_SIGNING_KEY,
    QSTASH_NEXT_SIGNING_KEY: stack.dev.env.QSTASH_NEXT_SIGNING_KEY,
  };
  const found = Object.entries(secrets).filter(
    ([, secret]) => logs.includes(secret) || bodies.some((b) => b.includes(secret)),
  );
  expect(found.map(([name]) => name)).toEqual([]); // ...and no secret was in them, nor in any response
  expect(logs).not.toMatch(/authorization|bearer/i);
  report("secrets-in-logs", {
    logLines: logs.split("\n").length,
    responses: bodies.length,
    secretsFound: found.length,
  });
}, 60_000);

test("key comparison time does not depend on how much of the key is right (measured)", () => {
  const key = randomBytes(24).toString("hex");
  const check = apiKeyChecker([key, NEW_KEY]);
  const timeOf = (candidate: string) => {
    const rounds = 20_000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < rounds; i++) check(`Bearer ${candidate}`);
    return Number(process.hrtime.bigint() - start) / rounds;
  };
  timeOf(key); // warm up
  const figures = {
    nsAllWrong: Math.round(timeOf("z".repeat(key.length))),
    nsAllButLastRight: Math.round(timeOf(`${key.slice(0, -1)}z`)),
    nsRight: Math.round(timeOf(key)),
  };
  report("api-key-timing", figures);
  expect(check(`Bearer ${key}`)).toEqual({ ok: true });
});
