/**
 * Invariant 4 over real HTTP: the router, a workload and the events API refuse every delivery that
 * QStash did not sign for exactly that URL and body, now: unsigned, garbage, forged with another
 * key, expired, not valid yet, signed for another URL or host, body changed after signing, and
 * `alg: none`, each answered 401, and the whole Redis dataset is unchanged (DEBUG DIGEST). The
 * bodies name a real event that is persisted but not routed and a real run that is pending, so a
 * delivery that got through would change state; the genuine deliveries at the end show it does.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { prepareEvents } from "../../client/src/engine/send.ts";
import { waitFor } from "../helpers/stack.ts";
import { startFaultStack, type FaultStack } from "./support/fault-stack.ts";
import { badDeliveries, sign } from "./support/signatures.ts";

let stack: FaultStack;
let unroutedEvent: string;
let pendingRun: string;

beforeAll(async () => {
  stack = await startFaultStack();
  const store = stack.runtime.store;
  const now = Date.now();
  const events = prepareEvents([{ name: "chain" }, { name: "chain" }], now);
  await store.enqueue(events, now);
  unroutedEvent = events[0]!.id;
  const [run] = (await store.route(
    events[1]!.id,
    [{ name: "chain", url: `${stack.host.url}/workloads/chain`, maxRetries: 6 }],
    now,
  ))!;
  pendingRun = run!.runId;
}, 60_000);
afterAll(async () => {
  await stack?.close();
}, 60_000);

const post = (url: string, body: string, headers: Record<string, string> = {}) =>
  fetch(url, { method: "POST", body, headers: { "content-type": "application/json", ...headers } });

describe.each([
  {
    endpoint: "router",
    path: "/router",
    body: () => JSON.stringify({ eventId: unroutedEvent, name: "chain" }),
  },
  { endpoint: "workload", path: "/workloads/chain", body: () => JSON.stringify({ runId: pendingRun }) },
  { endpoint: "events API", path: "/awl/api/events", body: () => JSON.stringify({ name: "chain" }) },
])("$endpoint", ({ path, body }) => {
  test("refuses every delivery not signed by QStash for this URL and body: 401, nothing changes", async () => {
    const url = `${stack.host.url}${path}`;
    const deliveries = await badDeliveries(stack.dev.env.QSTASH_CURRENT_SIGNING_KEY, url, body());
    const before = await stack.redis.quietDigest();
    const answers: Record<string, number> = {};
    for (const delivery of deliveries) {
      const headers: Record<string, string> =
        delivery.signature === undefined ? {} : { "upstash-signature": delivery.signature };
      answers[delivery.name] = (await post(url, delivery.body, headers)).status;
    }
    expect(answers).toEqual(Object.fromEntries(deliveries.map((d) => [d.name, 401])));
    expect(await stack.redis.digest()).toBe(before);
  });
});

test("the events API refuses a delivery QStash did sign: a signature is not an API key", async () => {
  const url = `${stack.host.url}/awl/api/events`;
  const body = JSON.stringify({ name: "chain" });
  const before = await stack.redis.quietDigest();
  const response = await post(url, body, {
    "upstash-signature": await sign({ key: stack.dev.env.QSTASH_CURRENT_SIGNING_KEY, url, body }),
  });
  expect(response.status).toBe(401);
  expect(await stack.redis.digest()).toBe(before);
});

test("control: the genuine deliveries (current key for the router, next key for the workload) get through", async () => {
  const routerUrl = `${stack.host.url}/router`;
  const routerBody = JSON.stringify({ eventId: unroutedEvent, name: "chain" });
  const routed = await post(routerUrl, routerBody, {
    "upstash-signature": await sign({
      key: stack.dev.env.QSTASH_CURRENT_SIGNING_KEY,
      url: routerUrl,
      body: routerBody,
    }),
  });
  expect(routed.status).toBe(200);
  expect(await routed.json()).toMatchObject({ status: "routed", runs: [`${unroutedEvent}.chain`] });

  const workloadUrl = `${stack.host.url}/workloads/chain`;
  const runBody = JSON.stringify({ runId: pendingRun });
  const ran = await post(workloadUrl, runBody, {
    "upstash-signature": await sign({
      key: stack.dev.env.QSTASH_NEXT_SIGNING_KEY,
      url: workloadUrl,
      body: runBody,
    }),
  });
  expect(ran.status).toBe(200);
  expect(await ran.json()).toMatchObject({ runId: pendingRun, status: "completed" });
  await waitFor(async () => (await stack.census([unroutedEvent])).completed === 1, {
    what: "the routed event to complete",
  });
});
