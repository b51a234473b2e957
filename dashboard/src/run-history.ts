/**
 * A run's history as the timeline shows it: its attempts numbered in the order they ran (a manual
 * retry starts a fresh set of attempts, so the engine's own per-set `attempt` counter restarts at 1;
 * the timeline counts across sets, so "attempt 2" is always the second time the workload ran), the
 * manual retries between them, and for each stored step the attempt that ran it. That last part is
 * what shows a retry did not repeat finished work: their rows keep saying "attempt 1". A
 * cancellation is an entry of its own, saying who cancelled the run and why, and so is a re-run
 * (who asked, when, from which step), which starts a new series of attempts.
 */
import type { AttemptRecord, RunRecord, StepRecord } from "@awl/client/api-client";

/** The engine's markers for a manual retry, a cancellation and a re-run in a run's attempt list; not executions. */
const RETRIED = "retried";
const CANCELLED = "cancelled";
const RERUN = "rerun";

export type HistoryEntry =
  | { kind: "attempt"; number: number; record: AttemptRecord }
  | { kind: "retried"; at: number }
  | { kind: "cancelled"; at: number; by: string; reason?: string }
  /** fromStep: absent for a re-run from the start; runAgain: the steps it runs again. */
  | { kind: "rerun"; at: number; by: string; series: number; fromStep?: string; runAgain: string[] };

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
    if (record.outcome === RERUN) {
      return {
        kind: "rerun",
        at: record.endedAt,
        by: record.by ?? "unknown",
        series: record.series ?? 0,
        ...(record.fromStep ? { fromStep: record.fromStep } : {}),
        runAgain: record.runAgain ?? [],
      };
    }
    return { kind: "attempt", number: ++number, record };
  });
}

/** Which numbered attempt stored a step; undefined when the history does not say. */
export function stepAttempt(step: StepRecord, history: HistoryEntry[]): number | undefined {
  // Latest first: a re-run runs a step again, and the step's record is the latest run's.
  const attempts = history.filter((entry) => entry.kind === "attempt").reverse();
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

/** Whether a run has ended, so that it can be re-run. */
export function hasEnded(run: RunRecord): boolean {
  return run.state === "completed" || run.state === "dead-lettered" || run.state === "cancelled";
}

/**
 * The steps a re-run from `stepId` runs again, as the engine picks them (store/scripts/rerun.lua):
 * that step and every step that started after it (a sleep without a start: by its wake time).
 */
export function stepsRunAgainFrom(run: RunRecord, stepId: string): string[] {
  const order = (step: StepRecord) => step.startedAt ?? step.wakeAt ?? 0;
  const chosen = run.steps.find((step) => step.id === stepId);
  if (!chosen) return [];
  return run.steps.filter((step) => step.id === stepId || order(step) > order(chosen)).map((step) => step.id);
}

/** When a run will next be delivered, if it is waiting: a retry's backoff or a sleep's wake time. */
export function nextDelivery(run: RunRecord): { at: number; why: "retry" | "wake" } | undefined {
  if (run.nextAt === undefined) return undefined;
  if (run.state === "delayed") return { at: run.nextAt, why: "retry" };
  if (run.state === "sleeping") return { at: run.nextAt, why: "wake" };
  return undefined;
}
