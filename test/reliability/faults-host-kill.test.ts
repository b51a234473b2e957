/**
 * Fault: the host serving the workloads is SIGKILLed mid-step, twice, with 200 events in flight,
 * and restarted each time. The runs that were interrupted resume from their last checkpoint once
 * their lease expires (the reconciler republishes them, and QStash retries the deliveries that
 * died with the host). The steps that were running when the process died run again (at least
 * once, by design); no step that completed runs again, and nothing is lost.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { waitFor } from "../helpers/stack.ts";
import { startFaultStack, type FaultStack } from "./support/fault-stack.ts";
import { report } from "./support/report.ts";
import { EVENTS, MIN_IN_FLIGHT, scaled } from "./support/scale.ts";

let stack: FaultStack;

/** awl dev's QStash counters: `retried` grows each time a delivery fails and is scheduled again. */
async function qstashStats(): Promise<{ retried: number }> {
  const response = await fetch(`${stack.dev.env.QSTASH_URL}/v2/awl/stats`, {
    headers: { authorization: `Bearer ${stack.dev.env.QSTASH_TOKEN}` },
  });
  return (await response.json()) as { retried: number };
}

beforeAll(async () => {
  stack = await startFaultStack();
}, 60_000);
afterAll(async () => {
  await stack?.close();
}, 60_000);

test(
  `host SIGKILLed mid-step twice with ${EVENTS} events in flight: nothing lost, no completed step re-run`,
  async () => {
    const reconciler = stack.reconciler();
    const ids = await stack.send(
      Array.from({ length: EVENTS }, () => ({ name: "chain", data: { steps: 4, workMs: 300 } })),
    );
    expect(ids).toHaveLength(EVENTS);

    let killedMidStep = 0;
    const inFlightAtKill: number[] = [];
    for (let kill = 0; kill < 2; kill++) {
      // Kill once a good number of steps are running (their executions have started, not ended).
      const before = (await stack.ledger()).unfinished;
      await waitFor(async () => (await stack.ledger()).unfinished - before >= 40, {
        timeoutMs: 60_000,
        intervalMs: 20,
        what: "steps to be running",
      });
      const retriedBefore = (await qstashStats()).retried;
      await stack.host.kill();
      // Counted while the host is down (nothing can finish): the events in flight when it died, and
      // the step executions that died with it and will never end.
      const census = await stack.census(ids);
      inFlightAtKill.push(census.accepted - census.completed - census.deadLettered);
      killedMidStep += (await stack.ledger()).unfinished - before;
      // The host stays down until QStash has seen a delivery fail against it and scheduled its retry.
      await waitFor(async () => (await qstashStats()).retried > retriedBefore, {
        timeoutMs: 30_000,
        what: "QStash to retry a delivery the killed host dropped",
      });
      await stack.host.start();
    }

    const census = await stack.settle(ids, scaled(90_000));
    await reconciler.stop();
    const ledger = await stack.ledger();
    report("host-kill", {
      kills: 2,
      inFlightAtKill: inFlightAtKill.join("/"),
      accepted: census.accepted,
      completed: census.completed,
      deadLettered: census.deadLettered,
      lost: census.lost,
      inconsistent: census.inconsistent,
      stepExecutions: ledger.executions,
      stepsRunningWhenKilled: killedMidStep,
      reRuns: ledger.reRuns,
      completedStepsRunAgain: ledger.completedStepsRunAgain,
      reconciled: reconciler.totals().runs,
    });
    expect(inFlightAtKill[0]).toBeGreaterThanOrEqual(MIN_IN_FLIGHT);
    expect(census.lost).toBe(0);
    expect(census.completed + census.deadLettered).toBe(EVENTS);
    expect(census.inconsistent, census.examples.join("\n")).toBe(0);
    expect(ledger.completedStepsRunAgain).toBe(0);
    // Each execution the kills interrupted never ended and ran again; a step that had returned but was
    // not yet checkpointed when its process died also runs again (at least once, by design).
    expect(ledger.unfinished).toBe(killedMidStep);
    expect(ledger.reRuns).toBeGreaterThanOrEqual(killedMidStep);
  },
  scaled(150_000),
);
