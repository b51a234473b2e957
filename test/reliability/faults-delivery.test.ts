/**
 * Fault: every delivery duplicated and deliveries out of order. The delivery proxy between QStash
 * and the site forwards every delivery twice, each copy after its own random delay (0 to 400 ms),
 * and a quarter of the time also replays an earlier delivery, late (a router delivery for
 * an event already routed, a run's first delivery after it has slept, retried or completed).
 * Every copy is validly signed. 200 events, with sleeps and failing first attempts, so that wakes
 * and retries are among the messages overtaking each other.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { waitFor } from "../helpers/stack.ts";
import { startFaultStack, type FaultStack } from "./support/fault-stack.ts";
import { report } from "./support/report.ts";
import { EVENTS, MIN_IN_FLIGHT, scaled } from "./support/scale.ts";

let stack: FaultStack;

/** awl dev's QStash counters (our `GET /v2/awl/stats`). */
const qstashStats = async () =>
  (await (
    await fetch(`${stack.dev.env.QSTASH_URL}/v2/awl/stats`, {
      headers: { authorization: `Bearer ${stack.dev.env.QSTASH_TOKEN}` },
    })
  ).json()) as { pending: number; inFlight: number };

beforeAll(async () => {
  // Nothing here kills an invocation: the production lease margin (30 s) keeps every lease alive,
  // so each step must run exactly once.
  stack = await startFaultStack({
    deliveryProxy: { copies: 2, maxDelayMs: 400, replayProbability: 0.25 },
    hostEnv: { AWL_LEASE_MARGIN: "30s" },
  });
}, 60_000);
afterAll(async () => {
  await stack?.close();
}, 60_000);

test(
  "every delivery doubled, reordered and replayed late: each step runs once",
  async () => {
    const reconciler = stack.reconciler();
    const ids = await stack.send(
      Array.from({ length: EVENTS }, (_, i) => ({
        name: "chain",
        data: {
          steps: 3,
          workMs: 100,
          ...(i % 2 === 0 ? { sleepMs: 500 } : {}),
          ...(i % 3 === 0 ? { failFirstAttempt: true } : {}),
        },
      })),
    );
    expect(ids).toHaveLength(EVENTS);
    const atStart = await stack.census(ids);
    const census = await stack.settle(ids, scaled(120_000));
    await reconciler.stop();
    // Late replays keep arriving for a while after the last run completed: wait until every one has
    // landed and been answered (QStash has nothing left to deliver, then the proxy nothing left to
    // forward; a replay is only ever triggered by a delivery from QStash), then count again.
    await waitFor(
      async () => {
        const qstash = await qstashStats();
        return (
          qstash.pending === 0 && qstash.inFlight === 0 && stack.deliveryProxy!.stats().outstanding === 0
        );
      },
      { timeoutMs: scaled(60_000), intervalMs: 100, what: "every delivery and replay to be answered" },
    );
    const after = await stack.census(ids);
    const ledger = await stack.ledger();
    const proxy = stack.deliveryProxy!.stats();
    report("duplicates-out-of-order", {
      inFlight: atStart.accepted - atStart.completed - atStart.deadLettered,
      deliveriesFromQStash: proxy.received,
      copiesForwarded: proxy.forwarded,
      lateReplays: proxy.replayed,
      accepted: census.accepted,
      completed: census.completed,
      deadLettered: census.deadLettered,
      lost: census.lost,
      inconsistent: after.inconsistent,
      stepExecutions: ledger.executions,
      reRuns: ledger.reRuns,
      completedStepsRunAgain: ledger.completedStepsRunAgain,
    });
    expect(atStart.accepted - atStart.completed - atStart.deadLettered).toBeGreaterThanOrEqual(MIN_IN_FLIGHT);
    expect(census.lost).toBe(0);
    expect(after).toEqual(census); // the late replays changed nothing
    expect(census.completed).toBe(EVENTS);
    expect(census.inconsistent, census.examples.join("\n")).toBe(0);
    expect(ledger.completedStepsRunAgain).toBe(0);
    // Nothing here kills or cuts anything: every step ran exactly once.
    expect(ledger.executions).toBe(EVENTS * 3);
    expect(ledger.reRuns).toBe(0);
  },
  scaled(180_000),
);
