import { expect, test } from "vitest";
import type { RunRecord } from "@awl/client/api-client";
import { nextDelivery, runHistory, stepAttempt } from "./run-history.ts";

const error = { name: "Error", message: "card declined", step: "charge" };

// A run that dead-lettered in its first attempt, was retried by hand and completed.
const run: RunRecord = {
  id: "run_1",
  eventId: "ev_1",
  workload: "checkout",
  state: "completed",
  attempt: 1,
  maxRetries: 0,
  createdAt: 1000,
  manualRetries: 1,
  steps: [
    { id: "create-order", status: "completed", startedAt: 1010, endedAt: 1020, size: 20, attempt: 1 },
    { id: "charge", status: "completed", startedAt: 5010, endedAt: 5030, size: 30, attempt: 1 },
    { id: "follow-up-delay", status: "completed", wakeAt: 9000 },
  ],
  attempts: [
    { attempt: 1, outcome: "dead-lettered", startedAt: 1000, endedAt: 1100, error, steps: ["create-order"] },
    { outcome: "retried", endedAt: 5000 },
    { attempt: 1, outcome: "sleeping", startedAt: 5000, endedAt: 5040, nextAt: 9000, steps: ["charge"] },
    { attempt: 1, outcome: "completed", startedAt: 9000, endedAt: 9010, steps: [] },
  ],
};

test("attempts are numbered across manual retries, which show as their own entries", () => {
  expect(runHistory(run).map((entry) => (entry.kind === "attempt" ? entry.number : "retried"))).toEqual([
    1,
    "retried",
    2,
    3,
  ]);
});

test("each step names the attempt that ran it, even though the engine's counter restarted", () => {
  const history = runHistory(run);
  expect(run.steps.map((step) => stepAttempt(step, history))).toEqual([1, 2, 2]);
  expect(stepAttempt({ id: "unknown", status: "completed" }, history)).toBeUndefined();
});

test("the next delivery is a retry when delayed, a wake-up when sleeping, none otherwise", () => {
  expect(nextDelivery({ ...run, state: "delayed", nextAt: 7 })).toEqual({ at: 7, why: "retry" });
  expect(nextDelivery({ ...run, state: "sleeping", nextAt: 8 })).toEqual({ at: 8, why: "wake" });
  expect(nextDelivery({ ...run, state: "completed", nextAt: 9 })).toBeUndefined();
  expect(nextDelivery(run)).toBeUndefined();
});
