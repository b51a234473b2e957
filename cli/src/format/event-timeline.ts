/**
 * `awl events show` in words: the event, then each run as a timeline of its attempts in order.
 * Under each attempt, the steps it ran (duration, result size), the sleep it parked on (wake time)
 * and the error that ended it (the stack with --verbose); then where the run stands now (next
 * retry, wake time, or how to retry a dead letter).
 */
import type { AttemptRecord, ErrorRecord, EventDetail, RunRecord, StepRecord } from "@awl/client";
import type { Colors } from "../terminal.ts";
import { describeHold, describeParking } from "./holds.ts";
import { paintState } from "./state.ts";
import { formatDuration, formatRelative, formatSize, formatTime } from "./units.ts";

export interface TimelineOptions {
  colors: Colors;
  /** Stacks, full event data and step results. */
  verbose: boolean;
  now: number;
}

/** Without --verbose, data longer than this is cut. */
const DATA_PREVIEW = 200;

export function formatEventTimeline(event: EventDetail, options: TimelineOptions): string {
  const { colors } = options;
  const when = (at: number) => `${formatTime(at)} (${formatRelative(at, options.now)})`;
  const lines = [`${colors.bold(event.id)}  ${event.name}  ${paintState(event.state, colors)}`];
  const field = (label: string, value: string) => lines.push(`  ${colors.dim(label.padEnd(12))}${value}`);
  field("created", when(event.createdAt));
  if (event.delayUntil !== undefined) field("delayed to", when(event.delayUntil));
  if (event.priority !== 0) field("priority", String(event.priority));
  if (event.idempotencyKey) field("idempotency", event.idempotencyKey);
  field("data", preview(JSON.stringify(event.data) ?? "null", options.verbose));
  if (event.runs.length === 0) {
    lines.push(
      "",
      event.routedAt === undefined
        ? "  no runs yet: waiting to be routed"
        : `  no workload subscribes to "${event.name}"`,
    );
  }
  for (const run of event.runs) lines.push("", ...formatRun(run, options));
  return lines.join("\n");
}

function formatRun(run: RunRecord, options: TimelineOptions): string[] {
  const { colors, verbose, now } = options;
  const maxAttempts = run.maxRetries + 1;
  const manual = run.manualRetries > 0 ? `, retried by hand ${run.manualRetries}×` : "";
  const lines = [
    `${colors.bold(`run ${run.id}`)}  workload ${run.workload}  ${paintState(run.state, colors)}  ` +
      colors.dim(`attempt ${run.attempt} of ${maxAttempts}${manual}`),
  ];
  // Failed steps are not in the journal, only in the errors: align on both.
  const width = Math.max(
    0,
    ...run.steps.map((step) => step.id.length),
    ...run.attempts.map((attempt) => attempt.error?.step?.length ?? 0),
  );
  const { byAttempt, unrecorded } = assignSteps(run);

  run.attempts.forEach((attempt, index) => {
    lines.push(
      `  ${colors.dim(formatTime(attempt.startedAt ?? attempt.endedAt))}  ${describeAttempt(attempt)}`,
    );
    for (const step of byAttempt.get(index) ?? []) lines.push(...formatStep(step, width, options));
    if (attempt.error) lines.push(...formatError(attempt.error, width, colors, verbose));
  });
  if (unrecorded.length > 0) {
    lines.push(
      `  ${colors.dim(
        run.state === "processing"
          ? "running now, steps checkpointed so far:"
          : "steps checkpointed by an invocation that stopped before recording its attempt:",
      )}`,
    );
    for (const step of unrecorded) lines.push(...formatStep(step, width, options));
  }
  lines.push(`  ${formatStanding(run, maxAttempts, options)}`);
  if (run.failureEventId && run.state === "dead-lettered") {
    lines.push(`  its awl:run-failed event (onFailure, subscribers): awl events show ${run.failureEventId}`);
  }
  return lines;

  function describeAttempt(attempt: AttemptRecord): string {
    const took =
      attempt.startedAt !== undefined ? ` after ${formatDuration(attempt.endedAt - attempt.startedAt)}` : "";
    const label = `attempt ${attempt.attempt ?? "?"}`;
    const parked = describeParking(attempt.outcome, attempt.hold, attempt.nextAt, now);
    if (parked) return `${label} ${colors.cyan(parked)}`;
    switch (attempt.outcome) {
      case "completed":
        return `${label} ${colors.green("completed")}${took}`;
      case "failed": {
        const next = attempt.nextAt !== undefined ? `; next attempt ${at(attempt.nextAt)}` : "";
        return `${label} ${colors.yellow("failed")}${took}${next}`;
      }
      case "dead-lettered":
        return `${label} ${colors.red("dead-lettered")}${took}`;
      case "sleeping":
        return `${label} ${colors.cyan("went to sleep")}${took}`;
      case "continued":
        return `${label} spent its time budget${took}; continued in a fresh invocation`;
      case "lease-expired":
        return `${label} ${colors.yellow("stopped without recording an outcome")} (crashed, killed or timed out)`;
      case "stopped":
        return `${label} ${colors.yellow("stopped after its running step")}${took}: the run was cancelled`;
      case "cancelled":
        return colors.yellow(
          `cancelled by ${attempt.by ?? "?"}${attempt.reason ? `: ${attempt.reason}` : ""}; completed steps kept`,
        );
      case "retried":
        return colors.bold("retried by hand: a fresh set of attempts, completed steps kept");
      case "rerun":
        return colors.bold(
          `re-run ${attempt.series ?? ""} by ${attempt.by ?? "?"} ` +
            (attempt.fromStep === undefined
              ? "from the start: a new series of attempts, every step runs again"
              : `from step ${attempt.fromStep}: a new series of attempts; the steps before it are kept`),
        );
      default: {
        // An outcome this CLI does not know yet still shows what the engine said about it.
        const note = attempt.reason ?? attempt.warning;
        return `${label} ${attempt.outcome}${took}${note ? `: ${note}` : ""}`;
      }
    }
  }

  function at(time: number): string {
    return `${time > now ? "at" : "was due"} ${formatTime(time)} (${formatRelative(time, now)})`;
  }
}

/**
 * Which attempt ran each journal step: the attempt that lists it; for a sleep, the attempt that
 * went to sleep until its wake time; for a step whose attempt was never recorded (a crash), the
 * lease-expired record of that attempt number. What is left was checkpointed by the invocation
 * running now (or one that stopped and has not been noticed yet).
 */
export function assignSteps(run: RunRecord): {
  byAttempt: Map<number, StepRecord[]>;
  unrecorded: StepRecord[];
} {
  const byAttempt = new Map<number, StepRecord[]>();
  const unrecorded: StepRecord[] = [];
  for (const step of run.steps) {
    // The latest attempt that ran it: a re-run runs a step again.
    const index = lastIndex(run.attempts, (attempt) =>
      step.status === "sleeping" || step.status === "waiting" || step.status === "cancelled"
        ? attempt.outcome === "sleeping" && attempt.nextAt === (step.wakeAt ?? step.timeoutAt)
        : (attempt.steps?.includes(step.id) ?? false),
    );
    const fallback =
      index === -1 && step.attempt !== undefined
        ? lastIndex(
            run.attempts,
            (attempt) => attempt.outcome === "lease-expired" && attempt.attempt === step.attempt,
          )
        : index;
    if (fallback === -1) unrecorded.push(step);
    else byAttempt.set(fallback, [...(byAttempt.get(fallback) ?? []), step]);
  }
  return { byAttempt, unrecorded };
}

/** The index of the last item that matches; -1 when none does. */
function lastIndex<T>(items: readonly T[], matches: (item: T) => boolean): number {
  for (let i = items.length - 1; i >= 0; i--) if (matches(items[i]!)) return i;
  return -1;
}

function formatStep(step: StepRecord, width: number, options: TimelineOptions): string[] {
  const { colors, verbose, now } = options;
  const id = step.id.padEnd(width);
  if (step.status === "sleeping") {
    const wake = step.wakeAt ?? 0;
    const verb = wake > now ? "sleeps until" : "slept until";
    return [`    ${colors.cyan("⏾")} ${id}  ${verb} ${formatTime(wake)} (${formatRelative(wake, now)})`];
  }
  if (step.waitFor) {
    const what = `${step.waitFor.event}${step.waitFor.match ? ` (${step.waitFor.match} = ${JSON.stringify(step.waitFor.value)})` : ""}${step.waitFor.if ? ` if ${step.waitFor.if}` : ""}`;
    const until = step.timeoutAt ?? 0;
    if (step.status === "waiting") {
      return [
        `    ${colors.cyan("⧖")} ${id}  waits for ${what} until ${formatTime(until)} (${formatRelative(until, now)})`,
      ];
    }
    if (step.status === "cancelled")
      return [`    ${colors.yellow("⊘")} ${id}  waited for ${what}: the run was cancelled`];
    return [
      step.eventId
        ? `    ${colors.green("✓")} ${id}  received ${what}: ${step.eventId}`
        : `    ${colors.yellow("✓")} ${id}  no ${what} by ${formatTime(until)}: timed out (null)`,
    ];
  }
  const took =
    step.startedAt !== undefined && step.endedAt !== undefined
      ? formatDuration(step.endedAt - step.startedAt)
      : "";
  // The journal's `size` counts the whole entry; the user asks how big the result is.
  const size = step.result !== undefined ? formatSize(Buffer.byteLength(JSON.stringify(step.result))) : "";
  const lines = [`    ${colors.green("✓")} ${id}  ${took.padStart(8)}  ${colors.dim(size)}`.trimEnd()];
  if (verbose && step.result !== undefined) {
    lines.push(`      ${colors.dim("result")} ${JSON.stringify(step.result)}`);
  }
  return lines;
}

function formatError(error: ErrorRecord, width: number, colors: Colors, verbose: boolean): string[] {
  const where = error.step !== undefined ? `${error.step.padEnd(width)}  ` : "";
  const lines = [`    ${colors.red("✗")} ${where}${colors.red(`${error.name}: ${error.message}`)}`];
  if (verbose && error.stack) {
    // The stack's first line repeats the message shown above.
    const frames = error.stack.split("\n").filter((line) => /^\s+at /.test(line));
    lines.push(...frames.map((frame) => `        ${colors.dim(frame.trim())}`));
  }
  return lines;
}

/** " by cli:alice: duplicate order", from a run's cancellation. */
function cancelledBy(run: RunRecord): string {
  const c = run.cancellation;
  return c ? ` by ${c.by}${c.reason ? `: ${c.reason}` : ""}` : "";
}

/** Where the run stands now, and what happens next. */
function formatStanding(run: RunRecord, maxAttempts: number, options: TimelineOptions): string {
  const { colors, now } = options;
  const at = (time: number | undefined) =>
    time === undefined ? "" : ` ${formatTime(time)} (${formatRelative(time, now)})`;
  switch (run.state) {
    case "pending":
      return colors.cyan(
        run.held ? `held: ${describeHold(run.held, now)}` : `waiting for delivery of attempt ${run.attempt}`,
      );
    case "processing":
      return run.cancellation
        ? colors.yellow(
            `attempt ${run.attempt} is finishing its running step; then cancelled${cancelledBy(run)}`,
          )
        : colors.cyan(`attempt ${run.attempt} is running`);
    case "delayed":
      return colors.yellow(`next retry: attempt ${run.attempt} of ${maxAttempts} at${at(run.nextAt)}`);
    case "sleeping": {
      const waiting = run.steps.find((step) => step.status === "waiting");
      return colors.cyan(
        waiting?.waitFor
          ? `waiting for ${waiting.waitFor.event} (step ${waiting.id}); gives up at${at(run.nextAt)}`
          : `sleeping; wakes at${at(run.nextAt)}`,
      );
    }
    case "completed":
      return colors.green(`completed at${at(run.finishedAt)}`);
    case "dead-lettered":
      return colors.red(
        `dead-lettered at${at(run.finishedAt)}; retry it with: awl events retry ${run.eventId}`,
      );
    case "cancelled":
      return colors.yellow(`cancelled at${at(run.finishedAt)}${cancelledBy(run)}`);
    case "skipped":
      return colors.yellow(
        `skipped at${at(run.finishedAt)}, never run: ${run.attempts.at(-1)?.warning ?? "a rateLimit refused its start"}`,
      );
  }
}

function preview(json: string, verbose: boolean): string {
  if (verbose || json.length <= DATA_PREVIEW) return json;
  return `${json.slice(0, DATA_PREVIEW)}… (${formatSize(Buffer.byteLength(json))}; --verbose shows all)`;
}
