/**
 * Fault: a flapping network between the site and Redis (Upstash's REST API): every open
 * connection to awl dev's Redis REST API is reset every 100 ms for 5 s while 200 events are sent
 * and run, and new connections are accepted at once. A command whose answer is lost this way has
 * often already run, and the engine's Redis client sends it again (its retries), so every engine script
 * may run twice: this checks that each one is safe to repeat (nothing lost, no completed step
 * re-run, every event's record consistent with its runs). The test's events are routed at send
 * (the router has published its routing table first), so the script that persists an event also
 * routes it (enqueue.lua with route_event, the part route.lua shares): that one script's repeat
 * must answer the same runs. replayed-scripts.test.ts pins each script's repeat down
 * deterministically.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { attemptOutcomes } from "./support/census.ts";
import { startFaultStack, type FaultStack } from "./support/fault-stack.ts";
import { report } from "./support/report.ts";
import { EVENTS, scaled } from "./support/scale.ts";

let stack: FaultStack;

beforeAll(async () => {
  stack = await startFaultStack({
    restProxy: true,
    routeAtSend: true,
    hostEnv: { PLATFORM_TIMEOUT_MS: "30000" },
  });
}, 60_000);
afterAll(async () => {
  await stack?.close();
}, 60_000);

test(
  `connections to Redis reset every 100 ms for 5 s while ${EVENTS} events are sent and run`,
  async () => {
    const reconciler = stack.reconciler();
    let resets = 0;
    const flapping = setInterval(() => (resets += stack.restProxy!.resetConnections()), 100);
    const sendErrors: string[] = [];
    const ids: string[] = [];
    try {
      const sends = Array.from({ length: EVENTS / 10 }, async (_, i) => {
        await new Promise((r) => setTimeout(r, i * 100));
        try {
          ids.push(
            ...(await stack.send(
              Array.from({ length: 10 }, () => ({ name: "chain", data: { steps: 3, workMs: 50 } })),
            )),
          );
        } catch (error) {
          sendErrors.push((error as Error).message);
        }
      });
      await Promise.all(sends);
      await new Promise((r) => setTimeout(r, Math.max(0, 5000 - 100 * (EVENTS / 10))));
    } finally {
      clearInterval(flapping);
    }
    const census = await stack.settle(ids, scaled(120_000));
    await reconciler.stop();
    const ledger = await stack.ledger();
    const outcomes = await attemptOutcomes(stack.redis.client, stack.prefix, ids);
    report("redis-flapping", {
      connectionsReset: resets,
      sendsRefused: sendErrors.length * 10,
      accepted: census.accepted,
      completed: census.completed,
      deadLettered: census.deadLettered,
      lost: census.lost,
      inconsistent: census.inconsistent,
      attempts: outcomes,
      stepExecutions: ledger.executions,
      reRuns: ledger.reRuns,
      completedStepsRunAgain: ledger.completedStepsRunAgain,
    });
    expect(census.lost).toBe(0);
    expect(census.completed + census.deadLettered).toBe(census.accepted);
    expect(ledger.completedStepsRunAgain).toBe(0);
    expect(census.inconsistent, census.examples.join("\n")).toBe(0);
  },
  scaled(180_000),
);
