/**
 * Fault: `awl dev` (QStash and the Redis REST API) SIGKILLed and restarted on the same ports, with
 * 200 events in flight: deliveries in progress, events delayed into the future, runs sleeping and
 * retries scheduled. QStash's scheduled messages are in Redis, so the new awl dev resumes them;
 * deliveries that were in progress are made again (at least once; the engine's fencing absorbs
 * the duplicates); publishes and Redis calls the site made while awl dev was down failed, and the
 * outbox lets the reconciler republish what they left unsent.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { waitFor } from "../helpers/stack.ts";
import { startFaultStack, type FaultStack } from "./support/fault-stack.ts";
import { report } from "./support/report.ts";
import { EVENTS, MIN_IN_FLIGHT, scaled } from "./support/scale.ts";

let stack: FaultStack;

beforeAll(async () => {
  stack = await startFaultStack();
}, 60_000);
afterAll(async () => {
  await stack?.close();
}, 60_000);

test(
  "awl dev SIGKILLed and restarted with messages scheduled and deliveries in flight",
  async () => {
    const reconciler = stack.reconciler();
    const ids = await stack.send(
      Array.from({ length: EVENTS }, (_, i) => ({
        name: "chain",
        data: {
          steps: 3,
          workMs: 400,
          ...(i % 3 === 1 ? { sleepMs: 2500 } : {}),
          ...(i % 5 === 0 ? { failFirstAttempt: true } : {}),
        },
        ...(i % 4 === 3 ? { delayUntil: Date.now() + 3000 + (i % 7) * 300 } : {}),
      })),
    );
    expect(ids).toHaveLength(EVENTS);
    await waitFor(async () => (await stack.ledger()).unfinished >= 10, {
      timeoutMs: 60_000,
      intervalMs: 20,
      what: "steps to be running",
    });
    // What awl dev holds when it dies: messages waiting for their time, and deliveries in progress.
    const stats = (await (
      await fetch(`${stack.dev.env.QSTASH_URL}/v2/awl/stats`, {
        headers: { authorization: `Bearer ${stack.dev.env.QSTASH_TOKEN}` },
      })
    ).json()) as { pending: number; inFlight: number };
    await stack.dev.kill();
    // Counted while it is down (nothing can finish without it): what was in flight when it died,
    // and what it had persisted for its successor.
    const atFault = await stack.census(ids);
    // awl dev keeps QStash state per port and per site (the AWL_PREFIX it announces).
    const qstashPort = new URL(stack.dev.env.QSTASH_URL).port;
    const site = /\(AWL_PREFIX=(\S+)\)/.exec(stack.dev.output())?.[1];
    expect(site, "awl dev names the site it serves").toBeDefined();
    const scheduled = await stack.redis.client.zcard(`awl-dev:qstash:${qstashPort}:${site}schedule`);
    await new Promise((r) => setTimeout(r, 2000));
    await stack.dev.start();
    const census = await stack.settle(ids, scaled(120_000));
    await reconciler.stop();
    const ledger = await stack.ledger();
    report("awl-dev-restart", {
      inFlightAtFault: atFault.accepted - atFault.completed - atFault.deadLettered,
      qstashMessagesUnsettledAtKill: scheduled,
      qstashPendingAtKill: stats.pending,
      qstashDeliveriesInFlightAtKill: stats.inFlight,
      accepted: census.accepted,
      completed: census.completed,
      deadLettered: census.deadLettered,
      lost: census.lost,
      inconsistent: census.inconsistent,
      stepExecutions: ledger.executions,
      reRuns: ledger.reRuns,
      interruptedExecutions: ledger.unfinished,
      completedStepsRunAgain: ledger.completedStepsRunAgain,
      reconciled: reconciler.totals().runs + reconciler.totals().events,
    });
    expect(atFault.accepted - atFault.completed - atFault.deadLettered).toBeGreaterThanOrEqual(MIN_IN_FLIGHT);
    expect(census.lost).toBe(0);
    expect(census.completed + census.deadLettered).toBe(EVENTS);
    expect(census.inconsistent, census.examples.join("\n")).toBe(0);
    expect(ledger.completedStepsRunAgain).toBe(0);
    expect(stats.inFlight + stats.pending).toBeGreaterThan(0); // it really died with work in hand
    expect(scheduled).toBeGreaterThan(0); // ...and had it in Redis for the next awl dev
  },
  scaled(180_000),
);
