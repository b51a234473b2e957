/**
 * A run's history as the timeline shows it: its attempts numbered in the order they ran (a manual
 * retry starts a fresh set of attempts, so the engine's own per-set `attempt` counter restarts at 1;
 * the timeline counts across sets, so "attempt 2" is always the second time the workload ran), the
 * manual retries between them, and for each stored step the attempt that ran it. That last part is
 * what shows a retry did not repeat finished work: their rows keep saying "attempt 1". A
 * cancellation is an entry of its own, saying who cancelled the run and why.
 */
import type { AttemptRecord, RunRecord, StepRecord } from "@awl/client/api-client";

/** The engine's markers for a manual retry and a cancellation in a run's attempt list; not executions. */
const RETRIED = "retried";
const CANCELLED = "cancelled";

export type HistoryEntry =
  | { kind: "attempt"; number: number; record: AttemptRecord }
  | { kind: "retried"; at: number }
  | { kind: "cancelled"; at: number; by: string; reason?: string };

export function runHistory(run: RunRecord): HistoryEntry[] {
  let number = 0;
  return run.attempts.map((record): HistoryEntry => {
    if (record.outcome === RETRIED) return { kind: "retried", at: record.endedAt };
    if (record.outcome === CANCELLED) {
      return {
        kind: "cancelled",
        at: record.endedAt,
        by: record.by ?? "unknown",
        ...(record.reason ? { reason: record.reason } : {}),
      };
    }
    return { kind: "attempt", number: ++number, record };
  });
}

/** Which numbered attempt stored a step; undefined when the history does not say. */
export function stepAttempt(step: StepRecord, history: HistoryEntry[]): number | undefined {
  const attempts = history.filter((entry) => entry.kind === "attempt");
  const ran = attempts.find((entry) => entry.record.steps?.includes(step.id));
  if (ran) return ran.number;
  // A sleep is stored by the attempt it interrupted, which ends "sleeping" until the step's wake time.
  const slept = attempts.find(
    (entry) =>
      entry.record.outcome === "sleeping" &&
      (step.wakeAt ?? step.timeoutAt) !== undefined &&
      entry.record.nextAt === (step.wakeAt ?? step.timeoutAt),
  );
  return slept?.number;
}

/** When a run will next be delivered, if it is waiting: a retry's backoff or a sleep's wake time. */
export function nextDelivery(run: RunRecord): { at: number; why: "retry" | "wake" } | undefined {
  if (run.nextAt === undefined) return undefined;
  if (run.state === "delayed") return { at: run.nextAt, why: "retry" };
  if (run.state === "sleeping") return { at: run.nextAt, why: "wake" };
  return undefined;
}
