/**
 * Routing at send: a sender that knows the site's workloads (here the host's runtime, as a host
 * serving its workloads does) persists and routes an event in one script and publishes its runs
 * directly, without the router's hop. What a user sees must not change: the same states (unmatched
 * included), a workload's eventFilter still decides, and every invariant of docs/how-it-works.md
 * holds on the new path: a run created at send whose publish is lost is published by the reconciler,
 * a resent script is answered as the first call was, a duplicate send publishes nothing.
 */
import { Client } from "@upstash/qstash";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { reconcile } from "../../client/src/engine/reconciler.ts";
import type { Runtime } from "../../client/src/engine/runtime.ts";
import { prepareEvents, sendEvents } from "../../client/src/engine/send.ts";
import { MAX_BATCHES_IN_FLIGHT } from "../../client/src/engine/send-queue.ts";
import { qstashPublisher } from "../../client/src/transport/publish.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { freePort } from "../reliability/support/ports.ts";
import {
  eventInState,
  qstashSettled,
  startHost,
  startStack,
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

beforeAll(async () => {
  stack = await startStack();
  host = await startHost(stack, workloads);
});
afterAll(async () => {
  await host?.close();
  await stack?.close();
});

/** The same runtime as a sender that does not know the site's workloads: its events go to the router. */
const viaRouter = (): Runtime => ({ ...host.runtime, workloads: undefined });

async function sendOne(runtime: Runtime, name: string, data?: unknown): Promise<string> {
  const [result] = await sendEvents(runtime, [{ name, data }]);
  return result!.eventId;
}

/** QStash messages published while `act` ran and everything it set off settled. */
async function messagesFor(act: () => Promise<string>): Promise<{ eventId: string; messages: number }> {
  const before = (await qstashSettled(stack)).published;
  const eventId = await act();
  const after = (await qstashSettled(stack)).published;
  return { eventId, messages: after - before };
}

describe("an event routed at send", () => {
  test("starts every subscribed workload with one QStash message per run and none for the router", async () => {
    const { eventId, messages } = await messagesFor(async () => {
      const id = await sendOne(host.runtime, "signup", { userId: "u1" });
      await eventInState(stack.runtime, id, "completed");
      return id;
    });
    const event = await stack.runtime.store.getEvent(eventId);
    expect(event!.runs.map((run) => [run.workload, run.state]).sort()).toEqual([
      ["audit", "completed"],
      ["welcome", "completed"],
    ]);
    expect(messages).toBe(2);

    // Through the router the same event costs one message more, and ends the same.
    const routed = await messagesFor(async () => {
      const id = await sendOne(viaRouter(), "signup", { userId: "u1" });
      await eventInState(stack.runtime, id, "completed");
      return id;
    });
    expect(routed.messages).toBe(3);
    const viaRouterEvent = await stack.runtime.store.getEvent(routed.eventId);
    expect(viaRouterEvent!.runs.map((run) => [run.workload, run.state]).sort()).toEqual(
      event!.runs.map((run) => [run.workload, run.state]).sort(),
    );
  });

  test("an event no workload subscribes to is unmatched, as through the router, with no message at all", async () => {
    const { eventId, messages } = await messagesFor(() => sendOne(host.runtime, "nobody-listens"));
    expect(messages).toBe(0);
    const atSend = await stack.runtime.store.getEvent(eventId);
    const routed = await sendOne(viaRouter(), "nobody-listens");
    const byRouter = await eventInState(stack.runtime, routed, "unmatched");
    expect(atSend!.state).toBe("unmatched");
    expect(atSend!.runs).toEqual(byRouter.runs);
    const unmatched = await stack.runtime.store.listEvents({ state: "unmatched", limit: 100 });
    expect(unmatched.events.map((event) => event.id)).toEqual(expect.arrayContaining([eventId, routed]));
    expect(await stack.redis.pttl(stack.runtime.store.keys.event(eventId))).toBeGreaterThan(0);
  });

  test("a workload's eventFilter still decides: an event with a filtered subscriber goes through the router", async () => {
    const rejected = await sendOne(host.runtime, "upgrade", { plan: "team" });
    const accepted = await sendOne(host.runtime, "upgrade", { plan: "enterprise" });
    const rejectedEvent = await eventInState(stack.runtime, rejected, "completed");
    const acceptedEvent = await eventInState(stack.runtime, accepted, "completed");
    expect(rejectedEvent.runs.map((run) => run.workload)).toEqual(["billing"]);
    expect(acceptedEvent.runs.map((run) => run.workload).sort()).toEqual(["billing", "enterprise"]);
  });

  test("a duplicate send (same idempotency key) publishes nothing and starts nothing", async () => {
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

  test("the send script run twice (a resend after a lost answer) answers the same runs and counts the event once", async () => {
    const store = stack.runtime.store;
    const now = Date.now();
    const routeTo = [{ name: "welcome", url: `${host.url}/workloads/welcome`, maxRetries: 3 }];
    const events = prepareEvents([{ name: "signup" }], now).map((event) => ({ ...event, routeTo }));
    const id = events[0]!.id;
    const first = await store.enqueue(events, now);
    const resend = await store.enqueue(events, now);
    expect(first).toEqual([
      { id, status: "accepted", runs: [{ runId: `${id}.welcome`, url: routeTo[0]!.url, generation: 0 }] },
    ]);
    expect(resend).toEqual(first);
    const event = await store.getEvent(id);
    expect(event!.runs).toHaveLength(1);
    expect(await stack.redis.hget(store.keys.event(id), "n:pending")).toBe("1");

    // Once its run is claimed, a resend hands back nothing to publish again.
    const claim = await store.claim(`${id}.welcome`, now + 1, now + 10_000);
    if (claim.status !== "claimed") throw new Error(`claim: ${claim.status}`);
    expect(await store.enqueue(events, now)).toEqual([{ id, status: "accepted", runs: [] }]);
    expect(await store.finish(`${id}.welcome`, claim.generation, { kind: "completed", now: now + 2 })).toBe(
      true,
    );
    const pending = await store.listEvents({ state: "pending", limit: 100 });
    expect(pending.events.map((e) => e.id)).not.toContain(id);
    expect((await store.getEvent(id))!.state).toBe("completed");
  });

  test("a delayed event waits for the router, which sees it only when it is due", async () => {
    const [sent] = await sendEvents(host.runtime, [{ name: "signup", delayUntil: "1s" }]);
    const waiting = await stack.runtime.store.getEvent(sent!.eventId);
    expect(waiting!.state).toBe("delayed");
    expect(waiting!.runs).toEqual([]);
    await eventInState(stack.runtime, sent!.eventId, "completed");
  });
});
