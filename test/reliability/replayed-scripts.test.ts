/**
 * Found by faults-flapping.test.ts: @upstash/redis sends a command again when its answer is lost (a
 * reset connection, a timeout), so any engine script may run twice with exactly the same arguments.
 * Each script must do its work once and answer the repeat as it answered the first call:
 * - `enqueue` repeated must not count the event twice (it would stay listed as `pending` and never
 *   get its retention);
 * - `claim` repeated (same arguments, including the call's token) must answer `claimed` with the
 *   same generation, not `busy` (which would lose an attempt that never failed);
 * - `finish` repeated must answer recorded, not fenced (which would leave the next delivery to the
 *   reconciler).
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { prepareEvents } from "../../client/src/engine/send.ts";
import { startStack, type Stack } from "../helpers/stack.ts";

let stack: Stack;
const TARGET = [{ name: "w", url: "http://127.0.0.1:1/w", maxRetries: 0 }];

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

test("enqueue run twice (a resend after a lost answer): the event ends completed, not pending", async () => {
  const store = stack.runtime.store;
  const now = Date.now();
  const events = prepareEvents([{ name: "replay" }], now);
  const accepted = [{ id: events[0]!.id, status: "accepted", routed: false, runs: [] }];
  expect(await store.enqueue(events, now)).toEqual(accepted);
  expect(await store.enqueue(events, now)).toEqual(accepted); // the resend
  const runId = `${events[0]!.id}.w`;
  await store.route(events[0]!.id, TARGET, now);
  const claim = await store.claim(runId, now + 1, now + 10_000);
  if (claim.status !== "claimed") throw new Error(`claim: ${claim.status}`);
  expect(await store.finish(runId, claim.generation, { kind: "completed", now: now + 2 })).toBe(true);
  const id = events[0]!.id;
  expect((await store.getEvent(id))?.state).toBe("completed"); // the detail view derives it from the runs
  // ...but the list, the per-state index and the retention come from the event's tally:
  const pending = await store.listEvents({ state: "pending", limit: 100 });
  expect(pending.events.map((event) => event.id)).not.toContain(id);
  expect(await stack.redis.zscore(store.keys.eventsByState("pending"), id)).toBeNull();
  expect(await stack.redis.pttl(store.keys.event(id))).toBeGreaterThan(0); // -1: kept forever
});

test("claim run twice with the same arguments: the repeat answers claimed, same generation", async () => {
  const store = stack.runtime.store;
  const now = Date.now();
  const events = prepareEvents([{ name: "replay" }], now);
  await store.enqueue(events, now);
  await store.route(events[0]!.id, TARGET, now);
  const runId = `${events[0]!.id}.w`;
  const first = await store.claim(runId, now + 1, now + 10_000, "call-1");
  const repeat = await store.claim(runId, now + 1, now + 10_000, "call-1"); // the resend
  expect(first.status).toBe("claimed");
  expect(repeat).toEqual(first);
  // A different call (a concurrent duplicate delivery) still finds the lease held.
  expect(await store.claim(runId, now + 1, now + 10_000, "call-2")).toEqual({ status: "busy" });
});

test("finish run twice with the same arguments: the repeat answers recorded", async () => {
  const store = stack.runtime.store;
  const now = Date.now();
  const events = prepareEvents([{ name: "replay" }], now);
  await store.enqueue(events, now);
  await store.route(events[0]!.id, TARGET, now);
  const runId = `${events[0]!.id}.w`;
  const claim = await store.claim(runId, now + 1, now + 10_000);
  if (claim.status !== "claimed") throw new Error(`claim: ${claim.status}`);
  const outcome = { kind: "delayed" as const, now: now + 2, nextAt: now + 5000, nextAttempt: 2 };
  expect(await store.finish(runId, claim.generation, outcome)).toBe(true);
  expect(await store.finish(runId, claim.generation, outcome)).toBe(true); // the resend
  const event = await store.getEvent(events[0]!.id);
  expect(event?.runs[0]).toMatchObject({ state: "delayed", attempt: 2 });
});
