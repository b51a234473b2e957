/**
 * Faults in the workload itself, 200 events each:
 * - a workload that overruns its time budget: six steps under a 300 ms budget continue in fresh
 *   invocations, and on the first attempt one step runs 5 s, far past its 1 s lease (300 ms budget
 *   + 700 ms margin): another invocation takes the run over and runs that step again (the step
 *   had not completed: at least once, by design), and the overrunning invocation, when its step
 *   finally returns, is fenced out and writes nothing;
 * - a workload that never returns: the site answers 504 at its platform timeout (2 s here, as
 *   Netlify cuts a function), the lease expires, the run is retried, and when its last attempt
 *   has expired too it is dead-lettered. Nothing stays in `processing`.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { attemptOutcomes } from "./support/census.ts";
import { startFaultStack, type FaultStack } from "./support/fault-stack.ts";
import { report } from "./support/report.ts";
import { EVENTS, scaled } from "./support/scale.ts";

let stack: FaultStack;

beforeAll(async () => {
  stack = await startFaultStack();
}, 60_000);
afterAll(async () => {
  await stack?.close();
}, 60_000);

test(
  "a workload that overruns its time budget and its lease: taken over, fenced, completed",
  async () => {
    const reconciler = stack.reconciler();
    const before = await stack.ledger();
    const ids = await stack.send(
      Array.from({ length: EVENTS }, () => ({ name: "overrun", data: { longMs: 5000 } })),
    );
    expect(ids).toHaveLength(EVENTS);
    const census = await stack.settle(ids, scaled(120_000));
    await reconciler.stop();
    const ledger = await stack.ledger();
    const outcomes = await attemptOutcomes(stack.redis.client, stack.prefix, ids);
    report("overrun-budget-and-lease", {
      inFlight: EVENTS,
      accepted: census.accepted,
      completed: census.completed,
      deadLettered: census.deadLettered,
      lost: census.lost,
      processing: census.processing,
      attempts: outcomes,
      stepExecutions: ledger.executions - before.executions,
      reRuns: ledger.reRuns - before.reRuns,
      completedStepsRunAgain: ledger.completedStepsRunAgain - before.completedStepsRunAgain,
    });
    expect(census.lost).toBe(0);
    expect(census.completed).toBe(EVENTS);
    expect(census.inconsistent, census.examples.join("\n")).toBe(0);
    expect(outcomes.continued ?? 0).toBeGreaterThanOrEqual(EVENTS); // the budget handed runs over
    // Overruns lost their leases and were taken over, and the step that overran ran again in the
    // invocation that took over. (Not necessarily every one: a run whose long step returned and was
    // checkpointed before anyone claimed it just carries on, still fenced by its generation.)
    expect(outcomes["lease-expired"] ?? 0).toBeGreaterThan(0);
    expect(ledger.reRuns - before.reRuns).toBeGreaterThan(0);
    expect(ledger.completedStepsRunAgain - before.completedStepsRunAgain).toBe(0);
  },
  // A backstop only: settle gives up once no event has ended for 2 minutes.
  scaled(600_000),
);

test(
  "a workload that never returns: lease expiry, retry, dead-letter; nothing stuck in processing",
  async () => {
    const reconciler = stack.reconciler();
    const before = await stack.ledger();
    const ids = await stack.send(Array.from({ length: EVENTS }, () => ({ name: "never" })));
    expect(ids).toHaveLength(EVENTS);
    const census = await stack.settle(ids, scaled(120_000));
    await reconciler.stop();
    const ledger = await stack.ledger();
    const outcomes = await attemptOutcomes(stack.redis.client, stack.prefix, ids);
    const processingIndex = await stack.redis.client.zcard(`${stack.prefix}idx:state:processing`);
    report("never-returns", {
      inFlight: EVENTS,
      accepted: census.accepted,
      completed: census.completed,
      deadLettered: census.deadLettered,
      lost: census.lost,
      processing: census.processing,
      processingIndex,
      attempts: outcomes,
      stepExecutions: ledger.executions - before.executions,
      hangingExecutions: ledger.unfinished - before.unfinished,
      reRuns: ledger.reRuns - before.reRuns,
      completedStepsRunAgain: ledger.completedStepsRunAgain - before.completedStepsRunAgain,
    });
    expect(census.lost).toBe(0);
    expect(census.deadLettered).toBe(EVENTS);
    expect(census.processing).toBe(0);
    expect(processingIndex).toBe(0);
    expect(census.inconsistent, census.examples.join("\n")).toBe(0);
    // maxRetries 1: two attempts, each lost to lease expiry.
    expect(outcomes["lease-expired"]).toBe(EVENTS * 2);
    expect(ledger.completedStepsRunAgain - before.completedStepsRunAgain).toBe(0);
  },
  // A backstop only: settle gives up once no event has ended for 2 minutes.
  scaled(600_000),
);
