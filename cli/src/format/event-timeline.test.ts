import { describe, expect, test } from "vitest";
import type { EventDetail, RunRecord } from "@awl/client";
import { colorsFor } from "../terminal.ts";
import { assignSteps, formatEventTimeline } from "./event-timeline.ts";

const T0 = new Date(2025, 0, 31, 9, 0, 0).getTime();
const at = (seconds: number) => T0 + seconds * 1000;
const plain = colorsFor({ isTTY: false });

function detail(runs: RunRecord[], overrides: Partial<EventDetail> = {}): EventDetail {
  return {
    id: "evt_1",
    name: "checkout",
    data: { cartId: "c_1" },
    priority: 0,
    createdAt: at(0),
    routedAt: at(0),
    state: runs[0]?.state ?? "unmatched",
    runStates: {},
    runs,
    ...overrides,
  };
}

function run(overrides: Partial<RunRecord>): RunRecord {
  return {
    id: "evt_1.checkout",
    eventId: "evt_1",
    workload: "checkout",
    state: "completed",
    attempt: 1,
    maxRetries: 4,
    createdAt: at(0),
    manualRetries: 0,
    steps: [],
    attempts: [],
    ...overrides,
  };
}

const show = (event: EventDetail, { verbose = false, now = at(60) } = {}) =>
  formatEventTimeline(event, { colors: plain, verbose, now }).split("\n");

const receiptError = {
  name: "ErrorDoNotRetry",
  message: "receipt service rejected the request",
  step: "send-receipt",
  stack: "ErrorDoNotRetry: receipt service rejected the request\n    at sendReceipt (checkout.mts:12:11)",
};

const deadLetteredThenRetried = run({
  state: "completed",
  manualRetries: 1,
  finishedAt: at(31),
  steps: [
    {
      id: "charge",
      status: "completed",
      result: { chargeId: "ch_1" },
      startedAt: at(1),
      endedAt: at(1) + 12,
    },
    { id: "send-receipt", status: "completed", result: { ok: true }, startedAt: at(30), endedAt: at(31) },
  ],
  attempts: [
    {
      attempt: 1,
      outcome: "dead-lettered",
      startedAt: at(1),
      endedAt: at(1) + 45,
      steps: ["charge"],
      error: receiptError,
    },
    { outcome: "retried", endedAt: at(30) },
    { attempt: 1, outcome: "completed", startedAt: at(30), endedAt: at(31), steps: ["send-receipt"] },
  ],
});

describe("a run's timeline", () => {
  test("each attempt with its steps (duration, result size) and the error that ended it", () => {
    expect(show(detail([deadLetteredThenRetried]))).toEqual([
      "evt_1  checkout  completed",
      "  created     2025-01-31 09:00:00 (1 min ago)",
      '  data        {"cartId":"c_1"}',
      "",
      "run evt_1.checkout  workload checkout  completed  attempt 1 of 5, retried by hand 1×",
      "  2025-01-31 09:00:01  attempt 1 dead-lettered after 45 ms",
      "    ✓ charge           12 ms  19 B",
      "    ✗ send-receipt  ErrorDoNotRetry: receipt service rejected the request",
      "  2025-01-31 09:00:30  retried by hand: a fresh set of attempts, completed steps kept",
      "  2025-01-31 09:00:30  attempt 1 completed after 1 s",
      "    ✓ send-receipt       1 s  11 B",
      "  completed at 2025-01-31 09:00:31 (29 s ago)",
    ]);
  });

  test("--verbose adds the stack and the step results", () => {
    const lines = show(detail([deadLetteredThenRetried]), { verbose: true });
    expect(lines).toContain("        at sendReceipt (checkout.mts:12:11)");
    expect(lines).toContain('      result {"chargeId":"ch_1"}');
    expect(show(detail([deadLetteredThenRetried])).join("\n")).not.toContain("checkout.mts");
  });

  test("a failed attempt shows when the next one runs, and the run when it retries", () => {
    const lines = show(
      detail([
        run({
          state: "delayed",
          attempt: 2,
          nextAt: at(65),
          attempts: [
            {
              attempt: 1,
              outcome: "failed",
              startedAt: at(59),
              endedAt: at(60),
              nextAt: at(65),
              error: { name: "Error", message: "payment provider down" },
            },
          ],
        }),
      ]),
    );
    expect(lines.slice(-3)).toEqual([
      "  2025-01-31 09:00:59  attempt 1 failed after 1 s; next attempt at 2025-01-31 09:01:05 (in 5 s)",
      "    ✗ Error: payment provider down",
      "  next retry: attempt 2 of 5 at 2025-01-31 09:01:05 (in 5 s)",
    ]);
  });

  test("a sleep shows its wake time under the attempt that went to sleep", () => {
    const wake = at(7 * 86_400);
    const lines = show(
      detail([
        run({
          state: "sleeping",
          nextAt: wake,
          steps: [
            { id: "send-receipt", status: "completed", result: 1, startedAt: at(1), endedAt: at(1) + 5 },
            { id: "follow-up-delay", status: "sleeping", startedAt: at(1), wakeAt: wake },
          ],
          attempts: [
            {
              attempt: 1,
              outcome: "sleeping",
              startedAt: at(1),
              endedAt: at(1) + 9,
              nextAt: wake,
              steps: ["send-receipt"],
            },
          ],
        }),
      ]),
    );
    expect(lines.slice(-4)).toEqual([
      "  2025-01-31 09:00:01  attempt 1 went to sleep after 9 ms",
      "    ✓ send-receipt         5 ms  1 B",
      "    ⏾ follow-up-delay  sleeps until 2025-02-07 09:00:00 (in 6 d 23 h)",
      "  sleeping; wakes at 2025-02-07 09:00:00 (in 6 d 23 h)",
    ]);
  });

  test("a dead-lettered run says how to retry it", () => {
    const lines = show(detail([run({ state: "dead-lettered", finishedAt: at(2), attempts: [] })]));
    expect(lines.at(-1)).toBe(
      "  dead-lettered at 2025-01-31 09:00:02 (58 s ago); retry it with: awl events retry evt_1",
    );
  });

  test("a dead-lettered run points to the awl:run-failed event that runs its onFailure handler", () => {
    const failed = run({ state: "dead-lettered", finishedAt: at(2), attempts: [], failureEventId: "evt_f" });
    expect(show(detail([failed])).at(-1)).toBe(
      "  its awl:run-failed event (onFailure, subscribers): awl events show evt_f",
    );
  });

  test("steps checkpointed by the invocation running now are listed as such", () => {
    const lines = show(
      detail([
        run({
          state: "processing",
          steps: [{ id: "charge", status: "completed", result: 1, startedAt: at(50), endedAt: at(50) + 3 }],
        }),
      ]),
    );
    expect(lines.slice(-3)).toEqual([
      "  running now, steps checkpointed so far:",
      "    ✓ charge      3 ms  1 B",
      "  attempt 1 is running",
    ]);
  });
});

describe("the event", () => {
  test("an event no workload subscribes to says so; long data is cut unless --verbose", () => {
    const data = { note: "x".repeat(300) };
    const lines = show(detail([], { name: "nobody-listens", data, priority: 5 }));
    expect(lines).toContain("  priority    5");
    expect(lines.find((line) => line.includes("data"))).toMatch(/x… \(311 B; --verbose shows all\)$/);
    expect(lines.at(-1)).toBe('  no workload subscribes to "nobody-listens"');
    expect(show(detail([], { data }), { verbose: true }).join("\n")).toContain(JSON.stringify(data));
  });
});

test("a step from an invocation that crashed belongs to that attempt's lease-expired record", () => {
  const { byAttempt, unrecorded } = assignSteps(
    run({
      state: "pending",
      attempt: 2,
      steps: [{ id: "charge", status: "completed", result: 1, startedAt: at(1), endedAt: at(2), attempt: 1 }],
      attempts: [{ attempt: 1, outcome: "lease-expired", endedAt: at(40) }],
    }),
  );
  expect(byAttempt.get(0)?.map((step) => step.id)).toEqual(["charge"]);
  expect(unrecorded).toEqual([]);
});
