/**
 * Load, the CI-sized part: 400 events through the whole local stack (events API over HTTP,
 * QStash and Redis REST of the real `awl dev`, the site in its own process) in 4 waves, nothing
 * lost, every step run once, and the resident memory of awl dev and the site read after each
 * wave (the CI size is kept small for time; `npm run soak` runs the same with 10,000 events).
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { startFaultStack, type FaultStack } from "./support/fault-stack.ts";
import { runLoad } from "./support/load.ts";
import { report } from "./support/report.ts";

let stack: FaultStack;

beforeAll(async () => {
  stack = await startFaultStack({ hostEnv: { AWL_LEASE_MARGIN: "30s" } });
}, 60_000);
afterAll(async () => {
  await stack?.close();
}, 60_000);

test("400 events through the local stack: nothing lost, memory read after each wave", async () => {
  const figures = await runLoad(stack, { events: 400, waves: 4 });
  report("load-ci", {
    events: figures.events,
    accepted: figures.accepted,
    completed: figures.completed,
    lost: figures.lost,
    eventsPerSecond: figures.eventsPerSecond,
    stepExecutions: figures.stepExecutions,
    reRuns: figures.reRuns,
    completedStepsRunAgain: figures.completedStepsRunAgain,
    peakRssMb: figures.peakRssMb,
    rssAfterWavesMb: figures.waves.map((w) => `${w.completedSoFar}:${w.devRssMb}/${w.hostRssMb}`).join(" "),
  });
  expect(figures.accepted).toBe(400);
  expect(figures.lost).toBe(0);
  expect(figures.completed).toBe(400);
  expect(figures.inconsistent).toBe(0);
  expect(figures.completedStepsRunAgain).toBe(0);
  expect(figures.stepExecutions).toBe(1200);
}, 180_000);
