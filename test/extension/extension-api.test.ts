/**
 * The extension's own endpoints (extension/src/endpoints), served the way Netlify serves them:
 * `withNetlifySDKContext(createExtensionApi())` over real HTTP, called with the `Nf-UIExt-*` headers
 * the configuration UI's authenticated fetch sends, its SDK client pointed at the Netlify API
 * stand-in. Upstash is `awl dev`'s Redis REST API and QStash server (real Redis); the site is a
 * local host serving the events API with the keys currently in the stand-in's AWL_API_KEY.
 */
import { serve, type ServerType } from "@hono/node-server";
import { withNetlifySDKContext } from "@netlify/sdk/ui/functions";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { apiKeysFromEnv, generateApiKey } from "../../client/src/api/auth.ts";
import { createEventsApi } from "../../client/src/api/events-api.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { ErrorDoNotRetry } from "../../client/src/engine/errors.ts";
import { startNetlifyApiStandIn, type NetlifyApiStandIn } from "../../extension/harness/netlify-api.ts";
import { createExtensionApi } from "../../extension/src/endpoints/app.ts";
import { eventInState, startHost, startStack, type Host, type Stack } from "../helpers/stack.ts";

const TOKEN = "nf-test-token";
const TEAM = "team_1";
const SITE = "site_1";
const SLUG = "async-workloads-upstash";

// Responses are JSON; tests read the fields they assert on.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Body = any;

let stack: Stack;
let host: Host;
let standIn: NetlifyApiStandIn;
let siteUrl = "";
let extensionUrl = "";
const servers: ServerType[] = [];
const savedEnv = { api: process.env.NETLIFY_API_BASE_URL, jigsaw: process.env.NETLIFY_JIGSAW_URL };

const workloads = {
  failing: asyncWorkload(async () => {
    throw new ErrorDoNotRetry("always fails");
  }, ["doomed"]),
};

function listen(fetchHandler: (request: Request) => Promise<Response> | Response): Promise<string> {
  return new Promise((resolve) => {
    const server = serve({ hostname: "127.0.0.1", port: 0, fetch: fetchHandler }, (info) =>
      resolve(`http://127.0.0.1:${info.port}`),
    );
    servers.push(server);
  });
}

beforeAll(async () => {
  stack = await startStack();
  host = await startHost(stack, workloads);
  // The site's events API accepts the keys the stand-in holds now, as a redeployed site would.
  siteUrl = await listen((request) =>
    createEventsApi({
      runtime: host.runtime,
      apiKeys: apiKeysFromEnv(
        Object.fromEntries(Object.entries(standIn.env(TEAM, SITE)).map(([name, { value }]) => [name, value])),
      ),
    })(request),
  );
  standIn = await startNetlifyApiStandIn({
    token: TOKEN,
    sites: [{ id: SITE, accountId: TEAM, url: siteUrl }],
  });
  process.env.NETLIFY_API_BASE_URL = standIn.url;
  process.env.NETLIFY_JIGSAW_URL = standIn.jigsawUrl;
  const handler = createExtensionApi({ checkTimeoutMs: 3_000 });
  const served = withNetlifySDKContext((request, context) => handler(request, context));
  // The Netlify function context; the endpoints use only what the SDK adds to it.
  extensionUrl = await listen((request) => served(request, {} as Parameters<typeof served>[1]));
});

afterAll(async () => {
  process.env.NETLIFY_API_BASE_URL = savedEnv.api;
  process.env.NETLIFY_JIGSAW_URL = savedEnv.jigsaw;
  if (savedEnv.api === undefined) delete process.env.NETLIFY_API_BASE_URL;
  if (savedEnv.jigsaw === undefined) delete process.env.NETLIFY_JIGSAW_URL;
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await standIn?.close();
  await host?.close();
  await stack?.close();
});

async function call(
  method: string,
  path: string,
  { body, headers }: { body?: unknown; headers?: Record<string, string | null> } = {},
): Promise<{ status: number; body: Body; text: string }> {
  const all: Record<string, string | null> = {
    "Nf-UIExt-Netlify-Token": TOKEN,
    "Nf-UIExt-Site-Id": SITE,
    "Nf-UIExt-Team-Id": TEAM,
    "Nf-UIExt-Extension-Slug": SLUG,
    ...(body === undefined ? {} : { "content-type": "application/json" }),
    ...headers,
  };
  const response = await fetch(`${extensionUrl}${path}`, {
    method,
    headers: Object.fromEntries(
      Object.entries(all).filter((entry): entry is [string, string] => entry[1] !== null),
    ),
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  expect(response.headers.get("content-type")).toMatch(/application\/json/);
  return { status: response.status, body: text ? JSON.parse(text) : undefined, text };
}

const credentials = () => ({
  redisRestUrl: stack.redisRest.url,
  redisRestToken: stack.redisRest.token,
  qstashUrl: stack.qstash.url,
  qstashToken: stack.qstash.token,
  qstashCurrentSigningKey: stack.qstash.currentSigningKey,
  qstashNextSigningKey: stack.qstash.nextSigningKey,
});

const siteCall = (method: string, path: string, key: string) =>
  fetch(`${siteUrl}/awl/api${path}`, { method, headers: { authorization: `Bearer ${key}` } });

describe("the SDK context", () => {
  test("no Netlify token → 401; no site or team → 400 naming the header", async () => {
    expect((await call("GET", "/api/settings", { headers: { "Nf-UIExt-Netlify-Token": null } })).status).toBe(
      401,
    );
    const noSite = await call("GET", "/api/settings", { headers: { "Nf-UIExt-Site-Id": null } });
    expect(noSite.status).toBe(400);
    expect(noSite.body.issues).toEqual([{ path: ["Nf-UIExt-Site-Id"], message: "is required" }]);
    const noTeam = await call("GET", "/api/settings", { headers: { "Nf-UIExt-Team-Id": null } });
    expect(noTeam.body.error).toMatch(/Nf-UIExt-Team-Id/);
  });

  test("a token the Netlify API refuses → 401", async () => {
    const refused = await call("GET", "/api/settings", { headers: { "Nf-UIExt-Netlify-Token": "wrong" } });
    expect(refused.status).toBe(401);
    expect(refused.body.error).toMatch(/Netlify API refused the token/);
  });
});

describe("events proxy without a key", () => {
  test("no AWL_API_KEY yet → 409", async () => {
    const response = await call("GET", "/api/events/events");
    expect(response.status).toBe(409);
    expect(response.body).toEqual({ error: "this site has no AWL_API_KEY yet: create one under API keys" });
  });

  test("a site keeping Netlify's AWL_API_KEY_P<n> (no AWL_API_KEY) is reached with its highest key", async () => {
    const stored = { isSecret: false, scopes: ["functions" as const] };
    standIn.setEnv(TEAM, SITE, "AWL_API_KEY_P1", { ...stored, value: generateApiKey() });
    standIn.setEnv(TEAM, SITE, "AWL_API_KEY_P2", { ...stored, value: generateApiKey() });
    try {
      expect((await call("GET", "/api/events/events")).status).toBe(200);
    } finally {
      // Removed as the Netlify CLI would, through the API, so later tests see the site's variables as before.
      for (const key of ["AWL_API_KEY_P1", "AWL_API_KEY_P2"]) {
        const removed = await fetch(`${standIn.url}/accounts/${TEAM}/env/${key}?site_id=${SITE}`, {
          method: "DELETE",
          headers: { authorization: `Bearer ${TOKEN}` },
        });
        expect(removed.status).toBe(204);
      }
    }
  });
});

describe("Upstash credentials", () => {
  test("defaults before anything is set", async () => {
    const { status, body } = await call("GET", "/api/settings");
    expect(status).toBe(200);
    expect(body).toEqual({
      siteUrl,
      upstash: {
        redisRestUrl: null,
        qstashUrl: null,
        secrets: {
          redisRestToken: { set: false, last4: null },
          qstashToken: { set: false, last4: null },
          qstashCurrentSigningKey: { set: false, last4: null },
          qstashNextSigningKey: { set: false, last4: null },
        },
      },
      defaults: { retentionCompleted: "7 days", retentionDeadLettered: "30 days", maxRetries: 4 },
      apiKeys: [],
    });
  });

  test("schema: bad URL, empty token, unknown field → 400 naming each field", async () => {
    const { status, body } = await call("POST", "/api/settings/upstash/test", {
      body: { ...credentials(), redisRestUrl: "ftp://x", qstashToken: "  ", extra: 1 },
    });
    expect(status).toBe(400);
    const paths = body.issues.map((issue: { path: string[] }) => issue.path.join("."));
    expect(paths.sort()).toEqual(["extra", "qstashToken", "redisRestUrl"]);
  });

  test("a bad Redis token → 400 naming redisRestToken, and nothing is stored", async () => {
    const before = standIn.env(TEAM, SITE);
    const tested = await call("POST", "/api/settings/upstash/test", {
      body: { ...credentials(), redisRestToken: "nope" },
    });
    expect(tested.status).toBe(200);
    expect(tested.body.redis).toEqual({
      ok: false,
      field: "redisRestToken",
      error: expect.stringMatching(/refused the token.*WRONGPASS/),
    });
    expect(tested.body.qstash.ok).toBe(true);
    const put = await call("PUT", "/api/settings/upstash", {
      body: { ...credentials(), redisRestToken: "nope" },
    });
    expect(put.status).toBe(400);
    expect(put.body.issues).toEqual([
      { path: ["redisRestToken"], message: expect.stringMatching(/WRONGPASS/) },
    ]);
    expect(standIn.env(TEAM, SITE)).toEqual(before);
  });

  test("an unreachable Redis URL, or something that is not Upstash → redisRestUrl", async () => {
    const unreachable = await call("POST", "/api/settings/upstash/test", {
      body: { ...credentials(), redisRestUrl: "http://127.0.0.1:1" },
    });
    expect(unreachable.body.redis).toEqual({
      ok: false,
      field: "redisRestUrl",
      error: expect.stringMatching(/could not reach 127.0.0.1:1/),
    });
    const notUpstash = await call("POST", "/api/settings/upstash/test", {
      body: { ...credentials(), redisRestUrl: siteUrl },
    });
    expect(notUpstash.body.redis).toMatchObject({ ok: false, field: "redisRestUrl" });
    expect(notUpstash.body.redis.error).toMatch(/not an Upstash Redis REST/);
  });

  test("QStash: a wrong token, wrong or swapped signing keys → named", async () => {
    const wrongToken = await call("POST", "/api/settings/upstash/test", {
      body: { ...credentials(), qstashToken: "x" },
    });
    expect(wrongToken.body.qstash).toMatchObject({ ok: false, field: "qstashToken" });
    const wrongKey = await call("PUT", "/api/settings/upstash", {
      body: { ...credentials(), qstashNextSigningKey: "sig_wrong" },
    });
    expect(wrongKey.status).toBe(400);
    expect(wrongKey.body.issues).toEqual([
      {
        path: ["qstashNextSigningKey"],
        message: "does not match the next signing key of this QStash account",
      },
    ]);
    const c = credentials();
    const swapped = await call("POST", "/api/settings/upstash/test", {
      body: {
        ...c,
        qstashCurrentSigningKey: c.qstashNextSigningKey,
        qstashNextSigningKey: c.qstashCurrentSigningKey,
      },
    });
    expect(swapped.body.qstash).toMatchObject({ ok: false, field: "qstashCurrentSigningKey" });
    expect(swapped.body.qstash.error).toMatch(
      /does not match the current signing key of this QStash account.*swapped/,
    );
    expect(standIn.env(TEAM, SITE)).toEqual({});
  });

  test("correct credentials: both checks pass, PUT stores them, GET shows last4 only", async () => {
    const c = credentials();
    const tested = await call("POST", "/api/settings/upstash/test", { body: c });
    expect(tested.body).toEqual({
      redis: { ok: true, detail: expect.stringMatching(/PONG/) },
      qstash: { ok: true, detail: expect.stringMatching(/signing keys match/) },
    });
    const put = await call("PUT", "/api/settings/upstash", { body: c });
    expect(put.status).toBe(200);
    const env = standIn.env(TEAM, SITE);
    const variable = (value: string, isSecret: boolean) => ({ value, isSecret, scopes: ["functions"] });
    expect(env).toEqual({
      UPSTASH_REDIS_REST_URL: variable(c.redisRestUrl, false),
      UPSTASH_REDIS_REST_TOKEN: variable(c.redisRestToken, true),
      QSTASH_URL: variable(c.qstashUrl, false),
      QSTASH_TOKEN: variable(c.qstashToken, true),
      QSTASH_CURRENT_SIGNING_KEY: variable(c.qstashCurrentSigningKey, true),
      QSTASH_NEXT_SIGNING_KEY: variable(c.qstashNextSigningKey, true),
    });
    const got = await call("GET", "/api/settings");
    expect(got.body).toEqual(put.body);
    expect(got.body.upstash).toEqual({
      redisRestUrl: c.redisRestUrl,
      qstashUrl: c.qstashUrl,
      secrets: {
        redisRestToken: { set: true, last4: c.redisRestToken.slice(-4) },
        qstashToken: { set: true, last4: c.qstashToken.slice(-4) },
        qstashCurrentSigningKey: { set: true, last4: c.qstashCurrentSigningKey.slice(-4) },
        qstashNextSigningKey: { set: true, last4: c.qstashNextSigningKey.slice(-4) },
      },
    });
    for (const value of [
      c.redisRestToken,
      c.qstashToken,
      c.qstashCurrentSigningKey,
      c.qstashNextSigningKey,
    ]) {
      expect(got.text).not.toContain(value);
    }
    expect(standIn.siteConfiguration(TEAM, SITE)).toMatchObject({
      apiKeyVariable: "AWL_API_KEY",
      upstash: { configured: true, missing: [] },
    });
  });
});

describe("defaults", () => {
  test("a bad duration or retry count → 400 naming the field; good ones are written", async () => {
    const bad = await call("PUT", "/api/settings/defaults", {
      body: { retentionCompleted: "soon", retentionDeadLettered: "30 days", maxRetries: 2.5 },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((issue: { path: string[] }) => issue.path[0]).sort()).toEqual([
      "maxRetries",
      "retentionCompleted",
    ]);
    expect(standIn.env(TEAM, SITE).AWL_RETENTION_COMPLETED).toBeUndefined();
    const good = await call("PUT", "/api/settings/defaults", {
      body: { retentionCompleted: "12h", retentionDeadLettered: "14 days", maxRetries: 7 },
    });
    expect(good.status).toBe(200);
    expect(good.body.defaults).toEqual({
      retentionCompleted: "12h",
      retentionDeadLettered: "14 days",
      maxRetries: 7,
    });
    const env = standIn.env(TEAM, SITE);
    expect(env.AWL_RETENTION_COMPLETED).toEqual({ value: "12h", isSecret: false, scopes: ["functions"] });
    expect(env.AWL_MAX_RETRIES?.value).toBe("7");
  });
});

describe("API keys and the events proxy", () => {
  let first: { key: string; id: string; last4: string };

  test("create: the whole key once, and it works against the site's events API", async () => {
    const created = await call("POST", "/api/keys");
    expect(created.status).toBe(201);
    first = created.body;
    expect(first.key).toMatch(/^awl_[A-Za-z0-9_-]{43}$/);
    expect(first.id).toMatch(/^[0-9a-f]{12}$/);
    expect(first.last4).toBe(first.key.slice(-4));
    expect(standIn.env(TEAM, SITE).AWL_API_KEY).toEqual({
      value: first.key,
      isSecret: false,
      scopes: ["functions"],
    });
    expect((await siteCall("GET", "/events", first.key)).status).toBe(200);
    const settings = await call("GET", "/api/settings");
    expect(settings.body.apiKeys).toEqual([{ id: first.id, last4: first.last4 }]);
    expect(settings.text).not.toContain(first.key);
  });

  test("revoking the only key → 409; an unknown id → 404", async () => {
    const only = await call("DELETE", `/api/keys/${first.id}`);
    expect(only.status).toBe(409);
    expect(only.body.error).toBe("create another key first: the dashboard and the CLI need one");
    expect((await call("DELETE", "/api/keys/000000000000")).status).toBe(404);
  });

  test("rotate: the old key stops working, the new one works", async () => {
    const second = (await call("POST", "/api/keys")).body;
    const rotated = await call("POST", `/api/keys/${first.id}/rotate`);
    expect(rotated.status).toBe(201);
    expect((await siteCall("GET", "/events", first.key)).status).toBe(401);
    expect((await siteCall("GET", "/events", rotated.body.key)).status).toBe(200);
    expect((await call("GET", "/api/settings")).body.apiKeys).toEqual([
      { id: rotated.body.id, last4: rotated.body.last4 },
      { id: second.id, last4: second.last4 },
    ]);
    const revoked = await call("DELETE", `/api/keys/${second.id}`);
    expect(revoked).toMatchObject({ status: 200, body: { revoked: second.id } });
    expect((await siteCall("GET", "/events", second.key)).status).toBe(401);
  });

  test("the proxy sends, lists, shows and retries events with the site's key", async () => {
    const sent = await call("POST", "/api/events/events", { body: { name: "doomed", data: { n: 1 } } });
    expect(sent.status).toBe(202);
    await eventInState(stack.runtime, sent.body.eventId, "dead-lettered");
    const listed = await call("GET", "/api/events/events?state=dead-lettered&limit=10");
    expect(listed.status).toBe(200);
    expect(listed.body.events.map((event: { id: string }) => event.id)).toContain(sent.body.eventId);
    const shown = await call("GET", `/api/events/events/${sent.body.eventId}`);
    expect(shown.body).toMatchObject({ id: sent.body.eventId, name: "doomed" });
    const retried = await call("POST", "/api/events/events/retry", {
      body: { eventIds: [sent.body.eventId] },
    });
    expect(retried.status).toBe(200);
    expect(retried.body.retried).toBe(1);
    const invalid = await call("GET", "/api/events/events?state=bogus");
    expect(invalid.status).toBe(400);
    expect(invalid.body.issues[0].path).toEqual(["state"]);
  });

  test("the proxy answers the site's counts (GET /stats)", async () => {
    const stats = await call("GET", "/api/events/stats");
    expect(stats.status).toBe(200);
    expect(stats.body.names).toContainEqual(expect.objectContaining({ name: "doomed" }));
  });

  test("redeploy starts a build of the site, so changed variables reach its functions", async () => {
    const before = standIn.builds(SITE).length;
    const response = await call("POST", "/api/redeploy");
    expect(response.status).toBe(202);
    expect(response.body.buildId).toEqual(expect.any(String));
    expect(standIn.builds(SITE)).toHaveLength(before + 1);
  });

  test("paths outside the allow-list → 404, never forwarded", async () => {
    for (const path of ["/api/events/reconcile", "/api/events/events/a/b", "/api/events/../settings"]) {
      const response = await call("POST", path);
      expect(response.status, path).toBe(404);
    }
  });
});
