/**
 * Netlify's HTTP surface (client/src/compat/netlify-http.ts) on the local stack, called by the real
 * `@netlify/async-workloads` 0.0.97 (a devDependency) and by plain fetch: its client's sends reach
 * Netlify-style workloads through the router path; its REST API's bodies delete and retry events
 * through the internal events, whose data is Netlify's shape; refusals answer as Netlify's do.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import { AsyncWorkloadsClient as NetlifyClient } from "@netlify/async-workloads";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { ErrorDoNotRetry, asyncWorkloadFn, workloadFromModule } from "../../client/src/compat/netlify.ts";
import {
  createNetlifyHttpApi,
  NETLIFY_API_PATH,
  NETLIFY_ROUTER_PATH,
} from "../../client/src/compat/netlify-http.ts";
import { FREE_FAILURES } from "../../client/src/api/failure-limiter.ts";
import { API_KEY, startApiSite, type ApiSite } from "../api/serve-api.ts";
import { eventInState, waitFor } from "../helpers/stack.ts";

// The real package reads Netlify's runtime globals; outside Netlify they are absent.
(globalThis as { Netlify?: unknown }).Netlify ??= {
  context: null,
  env: { get: (name: string) => process.env[name] },
};

const seen = new Map<string, { data: unknown; attempt: number; at: number }>();

const shipped = workloadFromModule({
  default: asyncWorkloadFn(async (event) => {
    seen.set(event.eventId, { data: event.eventData, attempt: event.attempt, at: Date.now() });
  }),
  asyncWorkloadConfig: { events: ["orders/shipped"] },
});
const refused = workloadFromModule({
  default: asyncWorkloadFn(async () => {
    throw new ErrorDoNotRetry("refused");
  }),
  asyncWorkloadConfig: { events: ["orders/refused"] },
});

let site: ApiSite;
let server: ServerType;
let origin = "";

beforeAll(async () => {
  site = await startApiSite({ shipped, refused });
  const handler = createNetlifyHttpApi({ runtime: site.host.runtime, apiKeys: [API_KEY] });
  server = await new Promise((resolve) => {
    const s = serve({ hostname: "127.0.0.1", port: 0, fetch: handler }, (info) => {
      origin = `http://127.0.0.1:${info.port}`;
      resolve(s);
    });
  });
});
afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await site?.close();
});

const post = (path: string, body: unknown, { key = API_KEY, method = "POST" } = {}) =>
  fetch(`${origin}${path}`, {
    method,
    headers: { authorization: `Bearer ${key}` },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });

/** The one event with this name, once it exists. */
const onlyEventNamed = (name: string) =>
  waitFor(
    async () => {
      const page = await site.stack.runtime.store.listEvents({ name, limit: 10 });
      return page.events.length === 1 ? page.events[0] : undefined;
    },
    { what: `an event named ${name}` },
  );

describe("Netlify's client, sending to the router path", () => {
  test("the real AsyncWorkloadsClient's send succeeds; the event runs with its data and priority", async () => {
    const client = new NetlifyClient({ baseUrl: `${origin}/any/page`, apiKey: API_KEY });
    const sent = await client.send("orders/shipped", { data: { orderId: "o1" }, priority: 7 });
    expect(sent.sendStatus).toBe("succeeded");
    const event = await onlyEventNamed("orders/shipped");
    expect(event).toMatchObject({ priority: 7 });
    await eventInState(site.stack.runtime, event!.id, "completed");
    expect(seen.get(event!.id)).toMatchObject({ data: { orderId: "o1" }, attempt: 0 });
  });

  test("delayUntil (resolved to a time by Netlify's client) holds the event until then", async () => {
    const client = new NetlifyClient({ baseUrl: origin, apiKey: API_KEY });
    const before = Date.now();
    expect((await client.send("orders/shipped", { data: { late: true }, delayUntil: "2s" })).sendStatus).toBe(
      "succeeded",
    );
    const run = await waitFor(
      async () => [...seen.values()].find((entry) => (entry.data as { late?: boolean }).late),
      { what: "the delayed event to run" },
    );
    expect(run.at - before).toBeGreaterThanOrEqual(2000);
  });

  test("a retried send (the same Netlify eventId) enqueues one event; x-awl-event-ids names it", async () => {
    const payload = [{ eventId: crypto.randomUUID(), eventName: "orders/once", data: "" }];
    const path = `${NETLIFY_ROUTER_PATH}?events=${encodeURIComponent(JSON.stringify(["orders/once"]))}`;
    const first = await post(path, payload);
    const second = await post(path, payload);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(await first.text()).toBe("ack");
    expect(first.headers.get("x-awl-ack")).toBe("ack");
    expect(second.headers.get("x-awl-event-ids")).toBe(first.headers.get("x-awl-event-ids"));
    expect((await onlyEventNamed("orders/once"))!.id).toBe(first.headers.get("x-awl-event-ids"));
  });

  test("refusals answer as Netlify's: 401 invalid API key, 400 no valid events; nothing is enqueued", async () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    try {
      const wrong = new NetlifyClient({ baseUrl: origin, apiKey: "not-the-key" });
      expect((await wrong.send("orders/never")).sendStatus).toBe("failed");
    } finally {
      error.mockRestore();
    }
    const unauthorized = await post(NETLIFY_ROUTER_PATH, [{ eventName: "orders/never" }], { key: "nope" });
    expect([unauthorized.status, unauthorized.headers.get("x-awl-reason")]).toEqual([401, "invalid API key"]);
    for (const body of ["not json", [], [{ data: 1 }], [{ eventName: "  " }]]) {
      const answer = await post(NETLIFY_ROUTER_PATH, body);
      expect([answer.status, answer.headers.get("x-awl-reason")]).toEqual([
        400,
        "body contained no valid events to process",
      ]);
    }
    const outOfRange = await post(NETLIFY_ROUTER_PATH, [{ eventName: "orders/never", priority: 99 }]);
    expect(outOfRange.status).toBe(400);
    expect(outOfRange.headers.get("x-awl-reason")).toContain("priority");
    expect((await site.stack.runtime.store.listEvents({ name: "orders/never", limit: 1 })).events).toEqual(
      [],
    );
  });
});

describe("wrong keys", () => {
  test("a client that keeps sending wrong keys is held back, then refused with 429, as on the events API", async () => {
    const from = { "x-nf-client-connection-ip": "203.0.113.9" };
    const guess = (key?: string) =>
      fetch(`${origin}${NETLIFY_ROUTER_PATH}`, {
        method: "POST",
        headers: { ...from, ...(key ? { authorization: `Bearer ${key}` } : {}) },
        body: JSON.stringify([{ eventName: "orders/never" }]),
      });
    for (let i = 0; i < FREE_FAILURES; i++) expect((await guess(`wrong-${i}`)).status).toBe(401);
    const held = guess("wrong-held");
    const meanwhile = await waitFor(
      async () => {
        // No key: not a guess (it is never counted), so only the held answer can make this a 429.
        const answer = await guess();
        return answer.status === 429 ? answer : undefined;
      },
      { what: "a 429 while a wrong key's answer is held back" },
    );
    expect(meanwhile.headers.get("retry-after")).toMatch(/^\d+$/);
    expect((await held).status).toBe(401);
  });
});

describe("Netlify's CLI, sending to the router path", () => {
  test("the real `async-workloads send -e -d -k -p -l -u` sends an event that runs with its data and priority", async () => {
    const packageJson = createRequire(import.meta.url).resolve("@netlify/async-workloads/package.json");
    const bin = join(dirname(packageJson), "bin/index.js");
    const args = ["send", "-e", "orders/shipped", "-d", '{"orderId":"cli"}', "-k", API_KEY, "-p", "-3"];
    const before = Date.now();
    const output = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [bin, ...args, "-l", "1000", "-u", `${origin}/page`], {
        env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "" },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
      child.stderr.on("data", (chunk: Buffer) => (out += chunk.toString()));
      child.on("error", reject);
      child.on("close", () => resolve(out));
    });
    expect(output).toContain("Event sent successfully");
    const run = await waitFor(
      async () => [...seen.values()].find((entry) => (entry.data as { orderId?: string }).orderId === "cli"),
      { what: "the event sent by Netlify's CLI to run" },
    );
    expect(run.at - before).toBeGreaterThanOrEqual(1000);
    const [event] = (
      await site.stack.runtime.store.listEvents({ name: "orders/shipped", limit: 100 })
    ).events.filter((e) => seen.get(e.id) === run);
    expect(event).toMatchObject({ priority: -3 });
  });
});

describe("Netlify's REST API", () => {
  const deadLettered = async () => {
    const sent = await site.api.call("POST", "/events", { body: { name: "orders/refused" } });
    await eventInState(site.stack.runtime, sent.body.eventId, "dead-lettered");
    return sent.body.eventId as string;
  };
  const operationDone = async (response: Response) => {
    expect(response.status).toBe(200);
    const body = (await response.json()) as { workloadResult: { sendStatus: string; eventId: string } };
    expect(body.workloadResult.sendStatus).toBe("succeeded");
    await eventInState(site.stack.runtime, body.workloadResult.eventId, "completed");
  };

  test("POST .../failed-events { eventNames } retries the dead-lettered events of those names", async () => {
    const id = await deadLettered();
    await operationDone(await post(`${NETLIFY_API_PATH}/failed-events`, { eventNames: ["orders/refused"] }));
    // Retried: a second attempt ran and dead-lettered it again.
    await waitFor(
      async () => {
        const event = await site.stack.runtime.store.getEvent(id);
        return event?.state === "dead-lettered" && (event.runs?.[0]?.manualRetries ?? 0) >= 1;
      },
      { what: "the retried event to be dead-lettered again" },
    );
  });

  test("DELETE .../events { states: ['dead-lettered'] } and { eventIds } delete those events", async () => {
    const byState = await deadLettered();
    await operationDone(
      await post(`${NETLIFY_API_PATH}/events`, { states: ["dead-lettered"] }, { method: "DELETE" }),
    );
    expect(await site.stack.runtime.store.getEvent(byState)).toBeNull();

    const byId = await deadLettered();
    await operationDone(await post(`${NETLIFY_API_PATH}/events`, { eventIds: [byId] }, { method: "DELETE" }));
    expect(await site.stack.runtime.store.getEvent(byId)).toBeNull();
  });

  test("refusals: 401 for a wrong key, 400 without a JSON body, 404 for a route Netlify has not", async () => {
    const wrong = await post(`${NETLIFY_API_PATH}/events`, {}, { key: "nope", method: "DELETE" });
    expect([wrong.status, wrong.headers.get("x-awl-reason")]).toEqual([401, "invalid API key"]);
    const noBody = await post(`${NETLIFY_API_PATH}/failed-events`, "");
    expect([noBody.status, noBody.headers.get("x-awl-reason")]).toEqual([400, "missing valid JSON body"]);
    expect((await post(`${NETLIFY_API_PATH}/nothing`, {})).status).toBe(404);
  });
});
