/**
 * Routing at send: the router publishes its registry as a routing table in Redis (with every
 * routing, only when it changed, with a TTL), and any sender, knowing nothing of the site's
 * workloads, persists and routes an event in one script by it and publishes its runs directly,
 * without the router's hop. What a user sees must not change: the same states (unmatched
 * included), a workload's eventFilter still decides, a deploy that changes the workloads is seen
 * within the table's TTL, and every invariant of docs/how-it-works.md holds on the new path: a run
 * created at send whose publish is lost is published by the reconciler, a resent script is answered
 * as the first call was (whatever the table holds by then), a duplicate send publishes nothing.
 */
import { Client } from "@upstash/qstash";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { reconcile } from "../../client/src/engine/reconciler.ts";
import { publishRoutingTable, routingTable } from "../../client/src/engine/router.ts";
import type { Runtime } from "../../client/src/engine/runtime.ts";
import { prepareEvents, sendEvents } from "../../client/src/engine/send.ts";
import { MAX_BATCHES_IN_FLIGHT } from "../../client/src/engine/send-queue.ts";
import type { EngineStore } from "../../client/src/engine/store/index.ts";
import { qstashPublisher } from "../../client/src/transport/publish.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { freePort } from "../reliability/support/ports.ts";
import {
  eventInState,
  qstashSettled,
  siteForFile,
  startHost,
  startStack,
  waitFor,
  type Host,
  type Stack,
} from "../helpers/stack.ts";

const workloads = {
  welcome: asyncWorkload(async ({ step }) => void (await step.run("greet", () => "hi")), {
    events: "signup",
  }),
  audit: asyncWorkload(async () => undefined, { events: "signup" }),
  enterprise: asyncWorkload(async () => undefined, {
    events: "upgrade",
    eventFilter: (event) => (event.data as { plan?: string }).plan === "enterprise",
  }),
  billing: asyncWorkload(async () => undefined, { events: "upgrade" }),
};

let stack: Stack;
let host: Host;
siteForFile(workloads, (site) => ({ stack, host } = site));

/** The router's routing table as its routing publishes it: senders route at send from now on. */
const warm = () => publishRoutingTable(host.runtime, host.registry);
/** No routing table (as before the router's first routing, or once it expired): events go to the router. */
const expire = async (on: Stack = stack) => void (await on.redis.del(on.runtime.store.keys.routingTable));

async function sendOne(runtime: Runtime, name: string, data?: unknown): Promise<string> {
  const [result] = await sendEvents(runtime, [{ name, data }]);
  return result!.eventId;
}

/** QStash messages published while `act` ran and everything it set off settled. */
async function messagesFor(
  act: () => Promise<string>,
  on: Stack = stack,
): Promise<{ eventId: string; messages: number }> {
  const before = (await qstashSettled(on)).published;
  const eventId = await act();
  const after = (await qstashSettled(on)).published;
  return { eventId, messages: after - before };
}

/** Counts the send scripts (enqueue) and the router's scripts (route) run through `store` while `act` runs. */
async function scriptsFor<T>(
  store: EngineStore,
  act: () => Promise<T>,
): Promise<{ value: T; enqueue: number; route: number }> {
  const counts = { enqueue: 0, route: 0 };
  const enqueue = store.enqueue;
  const route = store.route;
  store.enqueue = (...args) => (counts.enqueue++, enqueue.apply(store, args));
  store.route = (...args) => (counts.route++, route.apply(store, args));
  try {
    return { value: await act(), ...counts };
  } finally {
    delete (store as Partial<EngineStore>).enqueue;
    delete (store as Partial<EngineStore>).route;
  }
}

/** An event's runs: workload, state and the URL its deliveries go to, sorted. */
const runsOf = async (on: Stack, eventId: string) =>
  (
    await Promise.all(
      (await on.runtime.store.getEvent(eventId))!.runs.map(async (run) => [
        run.workload,
        run.state,
        await on.redis.hget<string>(on.runtime.store.keys.run(run.id), "url"),
      ]),
    )
  ).sort();

describe("an event routed at send", () => {
  test("a sender that knows no workloads routes at send once the router has run: one message per run, no router hop", async () => {
    await expire();
    // The first event goes through the router (no table yet): the send's script, the router's
    // message and script, and one message per run.
    const first = await scriptsFor(stack.runtime.store, () =>
      messagesFor(async () => {
        const id = await sendOne(host.runtime, "signup", { userId: "u1" });
        await eventInState(stack.runtime, id, "completed");
        return id;
      }),
    );
    expect(first).toMatchObject({ enqueue: 1, route: 1, value: { messages: 3 } });
    expect(await stack.redis.exists(stack.runtime.store.keys.routingTable)).toBe(1);

    // The router published its table with that routing: the next event is routed by its send.
    const second = await scriptsFor(stack.runtime.store, () =>
      messagesFor(async () => {
        const id = await sendOne(host.runtime, "signup", { userId: "u2" });
        await eventInState(stack.runtime, id, "completed");
        return id;
      }),
    );
    expect(second).toMatchObject({ enqueue: 1, route: 0, value: { messages: 2 } });
    expect(await runsOf(stack, second.value.eventId)).toEqual(
      (await runsOf(stack, first.value.eventId)).map(([workload, , url]) => [workload, "completed", url]),
    );
  });

  test("an event no workload subscribes to is unmatched, as through the router, with no message at all", async () => {
    await warm();
    const { eventId, messages } = await messagesFor(() => sendOne(host.runtime, "nobody-listens"));
    expect(messages).toBe(0);
    const atSend = await stack.runtime.store.getEvent(eventId);
    await expire();
    const routed = await sendOne(host.runtime, "nobody-listens");
    const byRouter = await eventInState(stack.runtime, routed, "unmatched");
    expect(atSend!.state).toBe("unmatched");
    expect(atSend!.runs).toEqual(byRouter.runs);
    const unmatched = await stack.runtime.store.listEvents({ state: "unmatched", limit: 100 });
    expect(unmatched.events.map((event) => event.id)).toEqual(expect.arrayContaining([eventId, routed]));
    expect(await stack.redis.pttl(stack.runtime.store.keys.event(eventId))).toBeGreaterThan(0);
  });

  test("a workload's eventFilter still decides: an event with a filtered subscriber goes through the router", async () => {
    await warm();
    const { value, route } = await scriptsFor(stack.runtime.store, async () => {
      const rejected = await sendOne(host.runtime, "upgrade", { plan: "team" });
      const accepted = await sendOne(host.runtime, "upgrade", { plan: "enterprise" });
      await eventInState(stack.runtime, rejected, "completed");
      await eventInState(stack.runtime, accepted, "completed");
      return { rejected, accepted };
    });
    expect(route).toBe(2);
    const { rejected, accepted } = value;
    const rejectedEvent = await eventInState(stack.runtime, rejected, "completed");
    const acceptedEvent = await eventInState(stack.runtime, accepted, "completed");
    expect(rejectedEvent.runs.map((run) => run.workload)).toEqual(["billing"]);
    expect(acceptedEvent.runs.map((run) => run.workload).sort()).toEqual(["billing", "enterprise"]);
  });

  test("a duplicate send (same idempotency key) publishes nothing and starts nothing", async () => {
    await warm();
    const send = () => sendEvents(host.runtime, [{ name: "signup", idempotencyKey: "order-17" }]);
    const [first] = await send();
    await eventInState(stack.runtime, first!.eventId, "completed");
    const { messages } = await messagesFor(async () => {
      const [again] = await send();
      expect(again).toEqual({ eventId: first!.eventId, status: "duplicate" });
      return again!.eventId;
    });
    expect(messages).toBe(0);
  });
});

describe("sends in flight together", () => {
  test("share one script call and one QStash call per batch, and each send gets its own events back", async () => {
    await warm();
    let scripts = 0;
    let publishes = 0;
    const store = Object.create(host.runtime.store) as Runtime["store"];
    store.enqueue = (...args) => {
      scripts++;
      return host.runtime.store.enqueue(...args);
    };
    const sender: Runtime = {
      ...host.runtime,
      store,
      publisher: {
        publish: (messages) => {
          publishes++;
          return host.runtime.publisher.publish(messages);
        },
      },
    };
    const sends = Array.from({ length: 64 }, (_, i) => sendEvents(sender, [{ name: "signup", data: { i } }]));
    // A refused send among them is refused alone: it never joins a batch.
    await expect(sendEvents(sender, [{ name: "" }])).rejects.toThrow(/name/);
    const results = (await Promise.all(sends)).map(([result]) => result!);
    expect(new Set(results.map((result) => result.eventId)).size).toBe(64);
    for (const [i, result] of results.entries()) {
      const event = await eventInState(stack.runtime, result.eventId, "completed");
      expect(event.data).toEqual({ i });
      expect(event.runs).toHaveLength(2);
    }
    // The first few go at once (up to MAX_BATCHES_IN_FLIGHT); the rest, arriving while those are
    // persisted, go together.
    expect(scripts).toBeLessThanOrEqual(MAX_BATCHES_IN_FLIGHT + 1);
    expect(publishes).toBeLessThanOrEqual(MAX_BATCHES_IN_FLIGHT + 1);
  });
});

describe("invariants on the path that routes at send", () => {
  test("runs created at send whose publish failed are published by the reconciler and complete", async () => {
    // A sender whose QStash is a closed port: the script persists the event and its runs, the
    // publish fails. Nothing else publishes them: the reconciler must.
    await warm();
    const closed = `http://127.0.0.1:${await freePort()}`;
    const logs: string[] = [];
    const broken: Runtime = {
      ...host.runtime,
      publisher: qstashPublisher(new Client({ baseUrl: closed, token: stack.qstash.token, retry: false })),
      log: (line) => logs.push(line),
    };
    const eventId = await sendOne(broken, "signup");
    expect(logs.join("\n")).toContain("the reconciler will publish them");
    const stranded = await stack.runtime.store.getEvent(eventId);
    expect(stranded!.runs.map((run) => run.state)).toEqual(["pending", "pending"]);
    await qstashSettled(stack);
    expect((await stack.runtime.store.getEvent(eventId))!.runs.map((run) => run.state)).toEqual([
      "pending",
      "pending",
    ]);

    // Once the outbox entries are due, the reconciler finds the runs (not a route: there is none).
    const later: Runtime = {
      ...host.runtime,
      now: () => Date.now() + stack.runtime.store.settings.outboxGraceMs,
    };
    expect(await reconcile(later)).toMatchObject({ events: 0, runs: 2 });
    const done = await eventInState(stack.runtime, eventId, "completed");
    expect(done.runs.every((run) => run.attempts.length === 1)).toBe(true);
  });

  test("the send script run twice (a resend after a lost answer) answers as the first call did, whatever the table holds by then", async () => {
    const store = stack.runtime.store;
    const now = Date.now();
    const [atSend, viaRouter] = prepareEvents([{ name: "signup" }, { name: "signup" }], now).map((event) => ({
      ...event,
      atSend: true,
    }));
    const url = (name: string) => `${host.url}/workloads/${name}`;

    // Routed at send by the table; the table is gone before the resend: the resend still answers the runs.
    await warm();
    const first = await store.enqueue([atSend!], now);
    await expire();
    const resend = await store.enqueue([atSend!], now);
    const id = atSend!.id;
    expect(first).toEqual([
      {
        id,
        status: "accepted",
        routed: true,
        runs: [
          { runId: `${id}.welcome`, url: url("welcome"), generation: 0 },
          { runId: `${id}.audit`, url: url("audit"), generation: 0 },
        ],
      },
    ]);
    expect(resend).toEqual(first);
    expect((await store.getEvent(id))!.runs).toHaveLength(2);
    expect(await stack.redis.hget(store.keys.event(id), "n:pending")).toBe("2");

    // Left to the router (no table); the table is there before the resend: still the router's.
    const left = await store.enqueue([viaRouter!], now);
    await warm();
    expect(await store.enqueue([viaRouter!], now)).toEqual(left);
    expect(left).toEqual([{ id: viaRouter!.id, status: "accepted", routed: false, runs: [] }]);
    expect((await store.getEvent(viaRouter!.id))!.runs).toEqual([]);
    expect(await stack.redis.zscore(store.keys.outbox, `route:${viaRouter!.id}`)).not.toBeNull();

    // Once a run is claimed, a resend hands back only the other one to publish again.
    const claim = await store.claim(`${id}.welcome`, now + 1, now + 10_000);
    if (claim.status !== "claimed") throw new Error(`claim: ${claim.status}`);
    expect(await store.enqueue([atSend!], now)).toEqual([
      {
        id,
        status: "accepted",
        routed: true,
        runs: [{ runId: `${id}.audit`, url: url("audit"), generation: 0 }],
      },
    ]);
    expect(await store.finish(`${id}.welcome`, claim.generation, { kind: "completed", now: now + 2 })).toBe(
      true,
    );
    expect(await stack.redis.hget(store.keys.event(id), "n:pending")).toBe("1");
  });

  test("a delayed event waits for the router, which sees it only when it is due", async () => {
    await warm();
    const [sent] = await sendEvents(host.runtime, [{ name: "signup", delayUntil: "1s" }]);
    const waiting = await stack.runtime.store.getEvent(sent!.eventId);
    expect(waiting!.state).toBe("delayed");
    expect(waiting!.runs).toEqual([]);
    await eventInState(stack.runtime, sent!.eventId, "completed");
  });
});

describe("the routing table's lifetime", () => {
  const TTL_MS = 3_000;
  let short: Stack;
  const hosts: Host[] = [];
  beforeAll(async () => {
    short = await startStack({ settings: { routingTableTtlMs: TTL_MS } });
  });
  afterAll(async () => {
    for (const h of hosts) await h.close();
    await short?.close();
  });
  const tableGone = () =>
    waitFor(async () => (await short.redis.exists(short.runtime.store.keys.routingTable)) === 0, {
      what: "the routing table to expire",
    });
  const sendDone = async (sender: Host) => {
    const id = await sendOne(sender.runtime, "signup");
    await eventInState(short.runtime, id, "completed");
    return id;
  };

  test("a table older than its TTL is gone: the next event goes through the router, which publishes it again", async () => {
    const site = await startHost(short, { welcome: workloads.welcome, audit: workloads.audit });
    hosts.push(site);
    expect(await publishRoutingTable(site.runtime, site.registry)).toBeUndefined();
    const key = short.runtime.store.keys.routingTable;
    expect(await short.redis.pttl(key)).toBeGreaterThan(0);
    expect(await short.redis.pttl(key)).toBeLessThanOrEqual(TTL_MS);
    // An unchanged registry is not written again: the table keeps its expiry.
    expect(await short.runtime.store.publishRoutingTable(routingTableOf(site))).toBe(false);

    await tableGone();
    const viaRouter = await scriptsFor(short.runtime.store, () => messagesFor(() => sendDone(site), short));
    expect(viaRouter).toMatchObject({ route: 1, value: { messages: 3 } });
    expect(await short.redis.exists(key)).toBe(1);
    const atSend = await scriptsFor(short.runtime.store, () => messagesFor(() => sendDone(site), short));
    expect(atSend).toMatchObject({ route: 0, value: { messages: 2 } });
  });

  test("a workload removed by a deploy stops receiving runs routed at send once the table was refreshed", async () => {
    const before = await startHost(short, { welcome: workloads.welcome, audit: workloads.audit });
    const after = await startHost(short, { welcome: workloads.welcome });
    hosts.push(before, after);
    await expire(short);
    await publishRoutingTable(before.runtime, before.registry);
    // The new deploy serves the site (its router gets the events); until the old table expires,
    // senders still route by it: the documented staleness bound.
    const stale = await sendDone(after);
    expect((await runsOf(short, stale)).map(([workload]) => workload)).toEqual(["audit", "welcome"]);

    await tableGone();
    const refreshed = await scriptsFor(short.runtime.store, () => sendDone(after));
    expect(refreshed.route).toBe(1);
    const next = await scriptsFor(short.runtime.store, () => messagesFor(() => sendDone(after), short));
    expect(next).toMatchObject({ route: 0, value: { messages: 1 } });
    for (const id of [refreshed.value, next.value.eventId]) {
      expect(await runsOf(short, id)).toEqual([["welcome", "completed", `${after.url}/workloads/welcome`]]);
    }
  });
});

const routingTableOf = (site: Host) => routingTable(site.runtime, site.registry);
