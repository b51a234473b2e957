/**
 * One invocation of a run: claim it (fenced lease + journal in one round trip), replay the journal
 * while running new steps, and record exactly one outcome atomically: completed, sleeping, delayed
 * (a retry), pending (time budget spent: continue in a fresh invocation) or dead-lettered. Only
 * after the outcome is stored is the next delivery published (persist before publish); if that
 * publish is lost, the outbox entry written with the outcome lets the reconciler send it again.
 */
import { setTimeout as delay } from "node:timers/promises";
import { retryDelayMs } from "./backoff.ts";
import { keyHold, slotLimits, slotsHold, waitOrder } from "./concurrency.ts";
import { debounceKey } from "./debounce.ts";
import { rateLimitKey, skipReason } from "./rate-limit.ts";
import { THROTTLE_CALL_AHEAD_MS, throttleInterval, throttleKey } from "./throttle.ts";
import { ErrorDoNotRetry, isNonRetryable } from "./errors.ts";
import { StepRunner, type StepApi, type TypedEvents } from "./step.ts";
import { errorRecord } from "./error-record.ts";
import type { Runtime } from "./runtime.ts";
import { sendEvents, type SendOptions, type SendResult } from "./send.ts";
import type { Outcome } from "./store/index.ts";
import type { AttemptRecord } from "./types.ts";
import { newFailureEvent, publishRunFailed } from "./run-failed.ts";
import { runDelivery } from "./undelivered.ts";
import type { FilterableEvent, WorkloadSpec } from "./workload-spec.ts";

/** What a handler gets; with a catalog, `E` types its step.waitForEvent and step.sendEvent. */
export interface WorkloadContext<D = unknown, E extends TypedEvents | undefined = undefined> {
  /** The event's name as it was sent. */
  name: string;
  data: D;
  eventId: string;
  runId: string;
  /** 1 for the first attempt, 2 for the first retry, ... */
  attempt: number;
  priority: number;
  /** When the event was accepted (ms since epoch). */
  createdAt: number;
  step: StepApi<E>;
  /** Sends an event now (every time this code runs); use step.sendEvent to send once per run. */
  sendEvent(name: string, data?: unknown, options?: SendOptions): Promise<SendResult>;
}

export type WorkloadHandler<D = unknown> = (context: WorkloadContext<D>) => unknown;

export type ExecutionStatus =
  | Outcome["kind"]
  | "busy"
  | "early"
  | "done"
  | "missing"
  | "superseded"
  | "throttled"
  | "waiting"
  | "debounced-wait"
  | "debounced";

export interface ExecutionReport {
  runId: string;
  status: ExecutionStatus;
  attempt?: number;
  nextAt?: number;
}

export async function executeRun(
  runtime: Runtime,
  workload: WorkloadSpec,
  handler: WorkloadHandler,
  runId: string,
): Promise<ExecutionReport> {
  const { store } = runtime;
  const startedAt = runtime.now();
  const leaseMs = workload.timeBudgetMs + store.settings.leaseMarginMs;
  const claim = await store.claim(
    runId,
    startedAt,
    startedAt + leaseMs,
    undefined,
    newFailureEvent(startedAt),
  );
  if (claim.status !== "claimed") {
    if (claim.status === "dead-lettered" && claim.failureEventId) {
      await publishRunFailed(runtime, claim.failureEventId, runId);
    }
    return { runId, status: claim.status, ...(claim.status === "early" ? { nextAt: claim.nextAt } : {}) };
  }
  const slots = workload.concurrency?.length ? concurrencySlots(runtime, runId, workload, claim) : undefined;
  if (slots) {
    const order = waitOrder(startedAt, claim.priority);
    if ((await store.acquireSlots(runId, startedAt, startedAt + leaseMs, order, slots)) === "wait") {
      // Park without a delivery: the run that gives a slot back publishes it (engine/concurrency.ts).
      const now = runtime.now();
      const hold = slotsHold(workload.concurrency!, slots);
      const attempt = {
        attempt: claim.attempt,
        startedAt,
        outcome: "waiting",
        endedAt: now,
        steps: [],
        hold,
      };
      if (!(await store.finish(runId, claim.generation, { kind: "pending", now, nextAt: now, attempt }))) {
        return { runId, status: "superseded" };
      }
      // A slot handed over while this run was parking found it busy: check again, now it is parked.
      await handOverSlots(runtime, runId, false, slots, leaseMs);
      return { runId, status: "waiting" };
    }
  }
  // QStash schedules in whole seconds and clocks differ: a delivery that came a little early waits
  // here, so a retry is never earlier than promised and a sleep wakes on time. The wait is measured
  // from now, after the claim's round trip, not from startedAt (which made it late by that trip).
  // Timers run on a monotonic clock that may fire a millisecond before the wall clock reaches dueAt:
  // wait again until it has.
  for (let early = claim.dueAt - runtime.now(); early > 0; early = claim.dueAt - runtime.now()) {
    await delay(early);
  }
  const attemptBase = { attempt: claim.attempt, startedAt };
  // An event this run sends continues its event's chain (the chain limit: limits.ts).
  const chain = claim.chain + 1;
  // Only a run's start is debounced or throttled: not its retries, wakes or continuations.
  const starting = claim.attempt === 1 && claim.journal.size === 0;
  if (workload.debounce && starting) {
    const key = debounceKey(workloadOf(runId), workload.debounce, eventOf(claim));
    const now = runtime.now();
    const { periodMs, maxWaitMs = 0 } = workload.debounce;
    const verdict = await store.takeDebounce(key, runId, now, claim.createdAt, periodMs, maxWaitMs);
    if (verdict.kind !== "run") {
      const hold = keyHold("debounce", workload.debounce, eventOf(claim));
      if (slots) await handOverSlots(runtime, runId, true, slots, leaseMs);
      const outcome: Outcome =
        verdict.kind === "wait"
          ? {
              kind: "pending",
              now,
              nextAt: verdict.dueAt,
              attempt: {
                ...attemptBase,
                outcome: "debounced-wait",
                endedAt: now,
                nextAt: verdict.dueAt,
                steps: [],
                hold,
              },
            }
          : {
              kind: "completed",
              now,
              attempt: {
                ...attemptBase,
                outcome: "debounced",
                endedAt: now,
                steps: [],
                warning: `not run: ${verdict.latestRunId} has a later event with the same debounce key`,
                hold: { ...hold, supersededBy: verdict.latestRunId },
              },
            };
      if (!(await store.finish(runId, claim.generation, outcome))) return { runId, status: "superseded" };
      if (outcome.nextAt !== undefined) await publishNext(runtime, runId, claim, outcome.nextAt);
      return { runId, status: verdict.kind === "wait" ? "debounced-wait" : "debounced" };
    }
  }
  // A rate limit is decided after the debounce (a run replaced by a later one never counts) and
  // before the throttle (a skipped run takes no start time from the runs that do start).
  if (workload.rateLimit && starting) {
    const { key, value } = rateLimitKey(workloadOf(runId), workload.rateLimit, eventOf(claim), (error) =>
      runtime.log(`awl: ${runId}: a rateLimit key threw (${error.message}); using the empty key`),
    );
    const now = runtime.now();
    const { periodMs, limit } = workload.rateLimit;
    if ((await store.takeRateLimit(key, runId, now, periodMs, limit)) === "skip") {
      const warning = skipReason(workload.rateLimit, value);
      const attempt = { ...attemptBase, outcome: "skipped", endedAt: now, steps: [], warning };
      if (slots) await handOverSlots(runtime, runId, true, slots, leaseMs);
      const finished = await store.finish(runId, claim.generation, { kind: "skipped", now, attempt });
      if (!finished) return { runId, status: "superseded" };
      return { runId, status: finished === "cancelled" ? "cancelled" : "skipped" };
    }
  }
  if (workload.throttle && starting) {
    const key = throttleKey(workloadOf(runId), workload.throttle, eventOf(claim));
    const interval = throttleInterval(workload.throttle);
    const take = (mode: "take" | "recheck") => {
      const now = runtime.now();
      const order = waitOrder(now, claim.priority);
      return store.takeThrottle(key, runId, now, interval, order, THROTTLE_CALL_AHEAD_MS, mode);
    };
    const verdict = await take("take");
    await publishCalls(runtime, verdict.calls);
    if (verdict.kind !== "run") {
      // Called: delivered at its slot. Waiting: parked without a delivery until it is called; `at`
      // (when it would start if no better run came) is shown and guards it in the outbox.
      const now = runtime.now();
      const at = verdict.at ?? now;
      const attempt = {
        ...attemptBase,
        outcome: "throttled",
        endedAt: now,
        nextAt: at,
        steps: [],
        hold: keyHold("throttle", workload.throttle, eventOf(claim)),
      };
      if (slots) await handOverSlots(runtime, runId, true, slots, leaseMs);
      if (!(await store.finish(runId, claim.generation, { kind: "pending", now, nextAt: at, attempt }))) {
        return { runId, status: "superseded" };
      }
      if (verdict.kind === "park") await publishNext(runtime, runId, claim, at);
      // A slot given while this run was parking could not be delivered (it was busy): now it can.
      else await publishCalls(runtime, (await take("recheck")).calls);
      return { runId, status: "throttled", nextAt: at };
    }
  }

  const runner = new StepRunner({
    runId,
    attempt: claim.attempt,
    journal: claim.journal,
    checkpoint: (stepId, record) => store.checkpoint(runId, claim.generation, stepId, record),
    wait: (wait) => store.waitForEvent(runId, claim.generation, wait),
    trigger: { eventId: claim.eventId, name: claim.eventName, data: JSON.parse(claim.data) as unknown },
    ...(workload.catalog ? { catalog: workload.catalog } : {}),
    send: async (input) => (await sendEvents(runtime, [{ ...input, chain }], workload.catalog))[0]!,
    now: runtime.now,
    startedAt,
    timeBudgetMs: workload.timeBudgetMs,
    ...(workload.stepTimeoutMs !== undefined ? { stepTimeoutMs: workload.stepTimeoutMs } : {}),
  });

  let failure: { error: unknown } | undefined;
  let data: unknown = JSON.parse(claim.data);
  const validated = workload.catalog?.validate(claim.eventName, data, []);
  if (validated && "issues" in validated) {
    failure = {
      error: new ErrorDoNotRetry(
        `event data does not match the "${claim.eventName}" schema: ` +
          validated.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "),
      ),
    };
  } else {
    if (validated) data = validated.data;
    const handled = (async (): Promise<{ error: unknown } | undefined> => {
      try {
        await handler({
          name: claim.eventName,
          data,
          eventId: claim.eventId,
          runId,
          attempt: claim.attempt,
          priority: claim.priority,
          createdAt: claim.createdAt,
          step: runner.api,
          sendEvent: async (name, eventData, options) =>
            (await sendEvents(runtime, [{ ...options, name, data: eventData, chain }], workload.catalog))[0]!,
        });
        return undefined;
      } catch (error) {
        return { error };
      }
    })();
    // Whichever comes first: the workload's code ends, or it can make no progress but through a
    // pending sleep (then the run parks, and its code unwinds from the rejected sleeps).
    const first = await Promise.race([handled, runner.parked().then(() => "parked" as const)]);
    runner.close();
    if (first !== "parked") failure = first;
  }
  await runner.settle();
  // A step that failed while nobody awaited it fails the attempt, as an awaited one would have.
  if (!failure && !runner.interrupt) {
    const unobserved = runner.unobservedFailure();
    if (unobserved !== undefined) failure = { error: unobserved };
  }

  const now = runtime.now();
  const ended = (outcome: string, extra: Partial<AttemptRecord> = {}): AttemptRecord => ({
    ...attemptBase,
    outcome,
    endedAt: now,
    steps: runner.executed,
    ...extra,
  });
  if (runner.interrupt?.kind === "superseded") return { runId, status: "superseded" };
  // An invocation that would complete, park or continue after reaching new step ids while journaled
  // ones were left behind would repeat its steps forever: report it instead. (A failed attempt is
  // retried as usual: it may have stopped early for its own reasons.)
  const diverged = failure && !runner.interrupt ? undefined : runner.divergence();
  if (diverged) failure = { error: diverged };
  const interrupt = diverged ? undefined : runner.interrupt;
  let outcome: Outcome;
  if (interrupt?.kind === "cancelled") {
    outcome = { kind: "cancelled", now, attempt: ended("stopped") };
  } else if (interrupt?.kind === "sleep") {
    outcome = {
      kind: "sleeping",
      now,
      nextAt: interrupt.wakeAt,
      attempt: ended("sleeping", { nextAt: interrupt.wakeAt }),
    };
  } else if (interrupt?.kind === "continue") {
    outcome = { kind: "pending", now, nextAt: now, attempt: ended("continued") };
  } else if (!failure) {
    outcome = { kind: "completed", now, attempt: ended("completed") };
  } else {
    const error = errorRecord(failure.error);
    const exhausted = claim.attempt >= workload.maxRetries + 1;
    if (isNonRetryable(failure.error) || exhausted) {
      outcome = { kind: "dead-lettered", now, lastError: error, attempt: ended("dead-lettered", { error }) };
    } else {
      const retry = retryDelayMs(failure.error, claim.attempt, workload.backoffSchedule, now);
      if (retry.scheduleProblem) runtime.log(`awl: ${runId}: ${retry.scheduleProblem}`);
      const nextAt = now + retry.delayMs;
      outcome = {
        kind: "delayed",
        now,
        nextAt,
        lastError: error,
        nextAttempt: claim.attempt + 1,
        attempt: ended("failed", {
          error,
          nextAt,
          ...(retry.scheduleProblem ? { warning: retry.scheduleProblem } : {}),
        }),
      };
    }
  }

  // Sleeps first reached here are journaled with any outcome that lets the run go on (a retry, a
  // continuation, a park), so that a replay keeps their wake times instead of starting them again.
  if (outcome.kind !== "completed") outcome.steps = runner.newSleeps();
  // A dead-lettered run emits awl:run-failed with its outcome, in the same script (run-failed.ts).
  const failureEvent = outcome.kind === "dead-lettered" ? newFailureEvent(now) : undefined;
  let finished = await store.finish(runId, claim.generation, outcome, failureEvent);
  // A waiting step got its event while this invocation ran: the run goes on now instead of parking.
  if (finished === "woken") {
    outcome.nextAt = now;
    finished = true;
  }
  if (!finished) return { runId, status: "superseded" };
  if (slots) await handOverSlots(runtime, runId, true, slots, leaseMs);
  // Cancelled while this invocation ran: finish.lua closed the run instead, and nothing is delivered.
  if (finished === "cancelled") return { runId, status: "cancelled", attempt: claim.attempt };
  if (finished === "failure-recorded") await publishRunFailed(runtime, failureEvent!.id, runId);
  if (outcome.nextAt !== undefined) await publishNext(runtime, runId, claim, outcome.nextAt);
  return {
    runId,
    status: outcome.kind,
    attempt: outcome.nextAttempt ?? claim.attempt,
    ...(outcome.nextAt !== undefined ? { nextAt: outcome.nextAt } : {}),
  };
}

/** The concurrency slots a run needs, from its event; a key function that throws puts the run under the empty key. */
function concurrencySlots(
  runtime: Runtime,
  runId: string,
  workload: WorkloadSpec,
  claim: { eventId: string; eventName: string; data: string; priority: number },
): (string | number)[] {
  const event = eventOf(claim);
  const workloadName = workloadOf(runId);
  try {
    return slotLimits(workloadName, workload.concurrency ?? [], event);
  } catch (error) {
    runtime.log(`awl: ${runId}: a concurrency key threw (${(error as Error).message}); using the empty key`);
    return slotLimits(
      workloadName,
      (workload.concurrency ?? []).map(({ limit }) => ({ limit })),
      event,
    );
  }
}

/**
 * Gives the run's slots back (or checks whether it was handed them while parking) and publishes
 * the delivery of every run handed its slots. A lost publish leaves that run pending with its
 * outbox entry, for the reconciler, and its slots expire with the handoff.
 */
async function handOverSlots(
  runtime: Runtime,
  runId: string,
  release: boolean,
  slots: (string | number)[],
  leaseMs: number,
): Promise<void> {
  const now = runtime.now();
  try {
    const handed = await runtime.store.releaseSlots(runId, release, now, now + leaseMs, slots);
    if (handed.length > 0)
      await runtime.publisher.publish(handed.map((target) => runDelivery(runtime, target)));
  } catch (error) {
    runtime.log(`awl: ${runId}: handing over concurrency slots failed (${(error as Error).message})`);
  }
}

/** Delivers the waiting runs a throttle called, each at its slot; a lost publish is left to the reconciler. */
async function publishCalls(
  runtime: Runtime,
  calls: { target: { runId: string; url: string; generation: number }; at: number }[],
): Promise<void> {
  if (calls.length === 0) return;
  try {
    await runtime.publisher.publish(
      calls.map((call) => runDelivery(runtime, call.target, { notBefore: call.at, holdsUntilDue: true })),
    );
  } catch (error) {
    runtime.log(
      `awl: publishing ${calls.length} throttled start(s) failed (${(error as Error).message}); the reconciler will`,
    );
  }
}

/** Publishes the run's next delivery, due at `at`; a lost publish is left to the reconciler (the outbox entry). */
async function publishNext(
  runtime: Runtime,
  runId: string,
  claim: { url: string; generation: number },
  at: number,
): Promise<void> {
  try {
    await runtime.publisher.publish([
      runDelivery(
        runtime,
        { runId, url: claim.url, generation: claim.generation },
        { notBefore: at, holdsUntilDue: true },
      ),
    ]);
  } catch (error) {
    runtime.log(
      `awl: publishing the next delivery of ${runId} failed (${(error as Error).message}); the reconciler will`,
    );
  }
}

/** The event as limits' keys see it. */
function eventOf(claim: {
  eventId: string;
  eventName: string;
  data: string;
  priority: number;
}): FilterableEvent {
  return {
    eventId: claim.eventId,
    name: claim.eventName,
    data: JSON.parse(claim.data) as unknown,
    priority: claim.priority,
  };
}

/** Run ids are `<eventId>.<workload>`: the workload's name as the router registered it. */
function workloadOf(runId: string): string {
  return runId.slice(runId.indexOf(".") + 1);
}
