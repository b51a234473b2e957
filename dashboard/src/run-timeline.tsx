/**
 * One run of an event, as a timeline: its state and when it will next be delivered (a retry's
 * backoff, a sleep's wake time), the steps it stored (each with the attempt that ran it, its
 * duration and its result's size), and every attempt with its outcome and error (the stack folded
 * in a <details>), with the manual retries, the cancellation and the re-runs between them. Retry is
 * offered while it is dead-lettered, Cancel while it is active (pending, processing, delayed or
 * sleeping), Re-run (from the start, or from a step's row) once it has ended; Delete always (an
 * event whose last run goes is deleted with it, and the page leaves for the list).
 */
import { FINAL_RUN_STATES } from "@awl/client/api-client";
import type { ErrorRecord, EventsApiClient, RunRecord, StepRecord } from "@awl/client/api-client";
import { useActions } from "./actions.tsx";
import { formatBytes, formatDuration, formatJson, formatRelative, formatTime, plural } from "./format.ts";
import { describeHold, describeParking } from "./holds.ts";
import {
  hasEnded,
  nextDelivery,
  runHistory,
  stepAttempt,
  stepsRunAgainFrom,
  type HistoryEntry,
} from "./run-history.ts";
import { StateBadge } from "./state-badge.tsx";

export function RunTimeline(props: {
  run: RunRecord;
  eventName: string;
  client: EventsApiClient;
  now: number;
  /** How many runs the event has: deleting its only run deletes the event. */
  runCount: number;
  /** Where to go when the event is gone with its last run. */
  backHref: string;
}) {
  const { run, eventName, client, now, runCount, backHref } = props;
  const { ask } = useActions();
  const history = runHistory(run);
  const reruns = history.filter((entry) => entry.kind === "rerun").length;
  const next = nextDelivery(run);
  const headingId = `run-${run.id}`;

  const retry = () =>
    ask({
      title: `Retry the dead-lettered ${run.workload} run of this ${eventName} event?`,
      detail:
        `Run ${run.id} starts again with a fresh set of ${plural(run.maxRetries + 1, "attempt")}. ` +
        `Its ${plural(run.steps.length, "completed step")} ${run.steps.length === 1 ? "is" : "are"} not run again.`,
      confirmLabel: "Retry run",
      perform: async () => {
        const { retried } = await client.retry({ runIds: [run.id] });
        return retried
          ? `Retried run ${run.id}.`
          : `Run ${run.id} was no longer dead-lettered: nothing to retry.`;
      },
    });

  const ended = hasEnded(run);
  // A skipped run has not ended in a way a re-run takes up, and has nothing left to cancel either.
  const active = !(FINAL_RUN_STATES as readonly string[]).includes(run.state);

  /** Re-runs the run from the start, or from step `stepId` (it and the steps after it run again). */
  const rerun = (stepId?: string) => {
    const all = run.steps.map((step) => step.id);
    const again = stepId === undefined ? all : stepsRunAgainFrom(run, stepId);
    const kept = all.filter((id) => !again.includes(id));
    const list = (ids: string[]) => ids.join(", ");
    ask({
      title:
        stepId === undefined
          ? `Re-run the ${run.workload} run of this ${eventName} event from the start?`
          : `Re-run the ${run.workload} run from step ${stepId}?`,
      detail:
        `Run ${run.id} starts a new series of attempts. ` +
        (stepId === undefined
          ? all.length
            ? `Every step runs again (${list(all)}), side effects included. `
            : ""
          : `${kept.length ? `${list(kept)} keep${kept.length === 1 ? "s its" : " their"} stored result${kept.length === 1 ? "" : "s"}; ` : ""}` +
            `${list(again)} run${again.length === 1 ? "s" : ""} again, sleeps and waits included. `) +
        "Its earlier attempts stay in its history.",
      confirmLabel: "Re-run",
      perform: async () => {
        const { series } = await client.rerun({
          runId: run.id,
          ...(stepId === undefined ? {} : { fromStep: stepId }),
          by: "dashboard",
        });
        const from = stepId === undefined ? "from the start" : `from step ${stepId}`;
        return `Re-running run ${run.id} ${from} (re-run ${series}).`;
      },
    });
  };

  const cancel = () =>
    ask({
      title: `Cancel the ${run.workload} run of this ${eventName} event?`,
      detail:
        `Run ${run.id} stops: ${run.state === "processing" ? "the step running now finishes and is stored, and nothing after it starts" : "it will not be delivered again"}. ` +
        "Its steps and attempts are kept.",
      confirmLabel: "Cancel run",
      destructive: true,
      perform: async () => {
        const { cancelled, cancelling } = await client.cancel({ runIds: [run.id], by: "dashboard" });
        if (cancelled) return `Cancelled run ${run.id}.`;
        if (cancelling) return `Run ${run.id} is cancelled once its running step finishes.`;
        return `Run ${run.id} had already ended: nothing to cancel.`;
      },
    });

  const remove = () => {
    let eventGone = false;
    ask({
      title: `Delete the ${run.workload} run of this ${eventName} event?`,
      detail:
        `Run ${run.id} is deleted with its steps and attempts. ` +
        (runCount === 1
          ? "It is the event's only run, so the event is deleted too. "
          : `The event keeps its other ${runCount === 2 ? "run" : `${runCount - 1} runs`}. `) +
        (active ? "The run stops at its next delivery. " : "") +
        "This cannot be undone.",
      confirmLabel: "Delete run",
      destructive: true,
      perform: async () => {
        const { deleted, deletedRuns } = await client.delete({ runIds: [run.id] });
        eventGone = deleted > 0;
        if (!deletedRuns) return `Run ${run.id} was already gone.`;
        return eventGone ? `Deleted run ${run.id} and its event.` : `Deleted run ${run.id}.`;
      },
      after: () => {
        if (eventGone) location.hash = backHref;
      },
    });
  };

  return (
    <section className="run" aria-labelledby={headingId} data-run={run.id}>
      <header className="run-header">
        <h3 id={headingId}>
          Run of <span className="mono">{run.workload}</span>
        </h3>
        <StateBadge state={run.state} />
        {run.state === "dead-lettered" && (
          <button type="button" className="primary" onClick={retry}>
            Retry run<span className="visually-hidden"> of {run.workload}</span>
          </button>
        )}
        {ended && (
          <button type="button" className="primary" onClick={() => rerun()}>
            Re-run<span className="visually-hidden"> the {run.workload} run from the start</span>
          </button>
        )}
        {active && !run.cancellation && (
          <button type="button" className="danger" onClick={cancel}>
            Cancel run<span className="visually-hidden"> of {run.workload}</span>
          </button>
        )}
        <button type="button" className="danger" onClick={remove}>
          Delete run<span className="visually-hidden"> of {run.workload}</span>
        </button>
      </header>
      <dl className="facts">
        <dt>Run id</dt>
        <dd className="mono">{run.id}</dd>
        <dt>Created</dt>
        <dd>{formatTime(run.createdAt)}</dd>
        {run.finishedAt !== undefined && (
          <>
            <dt>Finished</dt>
            <dd>{formatTime(run.finishedAt)}</dd>
          </>
        )}
        <dt>Attempts</dt>
        <dd>
          {history.filter((entry) => entry.kind === "attempt").length} so far;{" "}
          {plural(run.maxRetries + 1, "attempt")} allowed before it dead-letters
          {run.manualRetries === 1 ? "; retried manually once" : ""}
          {run.manualRetries > 1 ? `; retried manually ${run.manualRetries} times` : ""}
          {reruns === 1 ? "; re-run once" : ""}
          {reruns > 1 ? `; re-run ${reruns} times` : ""}
        </dd>
        {next && (
          <>
            <dt>{next.why === "retry" ? "Next retry" : "Wakes"}</dt>
            <dd>
              {formatTime(next.at)} ({formatRelative(next.at, now)})
            </dd>
          </>
        )}
        {run.held && (
          <>
            <dt>Held</dt>
            <dd data-held>{describeHold(run.held, now)}</dd>
          </>
        )}
      </dl>
      {run.cancellation && (
        <p className="muted" data-cancellation>
          {run.state === "cancelled" ? "Cancelled" : "Being cancelled (its running step finishes first)"} by{" "}
          <strong>{run.cancellation.by}</strong> at {formatTime(run.cancellation.at)}
          {run.cancellation.reason ? `: ${run.cancellation.reason}` : ""}
        </p>
      )}
      {run.lastError && run.state !== "completed" && <ErrorBox error={run.lastError} label="Last error" />}
      {run.failureEventId && (
        <p className="muted" data-failure-event>
          Its dead-lettering emitted{" "}
          <a href={`#/events/${encodeURIComponent(run.failureEventId)}`} className="mono">
            awl:run-failed {run.failureEventId}
          </a>
          , which runs its onFailure handler and the workloads subscribed to it.
        </p>
      )}

      <h4>Steps</h4>
      <table className="steps">
        <caption className="visually-hidden">Steps of the {run.workload} run</caption>
        <thead>
          <tr>
            <th scope="col">Step</th>
            <th scope="col">Status</th>
            <th scope="col">Ran in</th>
            <th scope="col">Started</th>
            <th scope="col">Duration</th>
            <th scope="col">Result</th>
            {ended && (
              <th scope="col">
                <span className="visually-hidden">Re-run</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {run.steps.length === 0 && (
            <tr>
              <td colSpan={ended ? 7 : 6} className="empty">
                No step has completed yet.
              </td>
            </tr>
          )}
          {run.steps.map((step) => (
            <StepRow
              key={step.id}
              step={step}
              attempt={stepAttempt(step, history)}
              now={now}
              {...(ended ? { onRerun: () => rerun(step.id) } : {})}
            />
          ))}
        </tbody>
      </table>

      <h4>Attempts</h4>
      <ol className="timeline">
        {history.map((entry, index) => (
          <HistoryItem key={index} entry={entry} />
        ))}
        {history.length === 0 && <li className="muted">Not delivered yet.</li>}
      </ol>
    </section>
  );
}

interface StepRowProps {
  step: StepRecord;
  attempt: number | undefined;
  now: number;
  /** Offered once the run has ended: re-run it from this step. */
  onRerun?: () => void;
}

/** The last cell of a step's row on an ended run: re-run from this step. */
function RerunCell({ step, onRerun }: { step: StepRecord; onRerun: (() => void) | undefined }) {
  if (!onRerun) return null;
  return (
    <td>
      {/* The visible words start the name (WCAG's label in name); the step completes it. */}
      <button type="button" onClick={onRerun} aria-label={`Re-run from here: step ${step.id}`}>
        Re-run from here
      </button>
    </td>
  );
}

function StepRow({ step, attempt, now, onRerun }: StepRowProps) {
  if (step.waitFor) return <WaitRow step={step} attempt={attempt} now={now} onRerun={onRerun} />;
  const isSleep = step.wakeAt !== undefined;
  return (
    <tr data-step={step.id}>
      <th scope="row" className="mono">
        {step.id}
      </th>
      <td>
        {step.status === "sleeping" ? (
          <StateBadge state="sleeping" />
        ) : (
          <span className="badge badge-completed">
            <span aria-hidden="true">✓</span> {isSleep ? "slept" : "completed"}
          </span>
        )}
      </td>
      <td className="nowrap">{attempt === undefined ? "–" : `attempt ${attempt}`}</td>
      <td className="nowrap">{step.startedAt === undefined ? "–" : formatTime(step.startedAt)}</td>
      <td className="nowrap">
        {isSleep
          ? `until ${formatTime(step.wakeAt!)}${step.status === "sleeping" ? ` (${formatRelative(step.wakeAt!, now)})` : ""}`
          : step.startedAt !== undefined && step.endedAt !== undefined
            ? formatDuration(step.endedAt - step.startedAt)
            : "–"}
      </td>
      <td>
        {step.result === undefined ? (
          <span className="muted">{isSleep ? "–" : "no value"}</span>
        ) : (
          <details>
            <summary>{step.size === undefined ? "JSON" : formatBytes(step.size)}</summary>
            <pre className="json">{formatJson(step.result)}</pre>
          </details>
        )}
      </td>
      <RerunCell step={step} onRerun={onRerun} />
    </tr>
  );
}

/** A step.waitForEvent: what it waits for and until when, then the event it got (or its timeout). */
function WaitRow({ step, attempt, now, onRerun }: StepRowProps) {
  const waitFor = step.waitFor!;
  const until = step.timeoutAt ?? 0;
  return (
    <tr data-step={step.id}>
      <th scope="row" className="mono">
        {step.id}
      </th>
      <td>
        {step.status === "waiting" ? (
          <span className="badge badge-sleeping">
            <span aria-hidden="true">⧖</span> waiting
          </span>
        ) : step.status === "cancelled" ? (
          <StateBadge state="cancelled" />
        ) : (
          <span className="badge badge-completed">
            <span aria-hidden="true">✓</span> {step.eventId ? "received" : "timed out"}
          </span>
        )}
      </td>
      <td className="nowrap">{attempt === undefined ? "–" : `attempt ${attempt}`}</td>
      <td className="nowrap">{step.startedAt === undefined ? "–" : formatTime(step.startedAt)}</td>
      <td className="nowrap">
        {step.status === "waiting" ? `until ${formatTime(until)} (${formatRelative(until, now)})` : "–"}
      </td>
      <td>
        for <span className="mono">{waitFor.event}</span>
        {waitFor.match && (
          <>
            {" "}
            where <span className="mono">{waitFor.match}</span> ={" "}
            <span className="mono">{JSON.stringify(waitFor.value)}</span>
          </>
        )}
        {waitFor.if && (
          <>
            {" "}
            if <span className="mono">{waitFor.if}</span>
          </>
        )}
        {step.eventId && (
          <>
            :{" "}
            <a href={`#/events/${step.eventId}`} className="mono">
              {step.eventId}
            </a>
          </>
        )}
      </td>
      <RerunCell step={step} onRerun={onRerun} />
    </tr>
  );
}

function HistoryItem({ entry }: { entry: HistoryEntry }) {
  if (entry.kind === "retried") {
    return (
      <li className="timeline-item retried">
        <span className="marker" aria-hidden="true">
          ↻
        </span>
        <span>
          <strong>Retried manually</strong> at {formatTime(entry.at)}: a fresh set of attempts
        </span>
      </li>
    );
  }
  if (entry.kind === "cancelled") {
    return (
      <li className="timeline-item cancelled">
        <span className="marker" aria-hidden="true">
          ⊘
        </span>
        <span>
          <strong>Cancelled</strong> by {entry.by} at {formatTime(entry.at)}
          {entry.reason ? `: ${entry.reason}` : ""}; completed steps kept
        </span>
      </li>
    );
  }
  if (entry.kind === "rerun") {
    return (
      <li className="timeline-item rerun" data-rerun={entry.series}>
        <span className="marker" aria-hidden="true">
          ↺
        </span>
        <span>
          <strong>
            Re-run{" "}
            {entry.fromStep === undefined ? (
              "from the start"
            ) : (
              <>
                from step <span className="mono">{entry.fromStep}</span>
              </>
            )}
          </strong>{" "}
          by {entry.by} at {formatTime(entry.at)}: a new series of attempts
          {entry.runAgain.length > 0 && (
            <>
              ; runs again <span className="mono">{entry.runAgain.join(", ")}</span>
            </>
          )}
        </span>
      </li>
    );
  }
  const { record, number } = entry;
  const failed = record.error !== undefined;
  const parked = describeParking(record.outcome, record.hold);
  return (
    <li className={`timeline-item ${failed ? "failed" : ""}`} data-attempt={number}>
      <span className="marker" aria-hidden="true">
        {failed ? "✕" : "●"}
      </span>
      <div>
        <p className="attempt-line">
          <strong>Attempt {number}</strong> <span className="outcome">{record.outcome}</span>
          {record.startedAt !== undefined && (
            <>
              {" "}
              at {formatTime(record.startedAt)}, took {formatDuration(record.endedAt - record.startedAt)}
            </>
          )}
          {record.startedAt === undefined && <> at {formatTime(record.endedAt)}</>}
        </p>
        {record.steps && record.steps.length > 0 && (
          <p className="muted">
            Ran <span className="mono">{record.steps.join(", ")}</span>
          </p>
        )}
        {record.error && <ErrorBox error={record.error} label="Error" />}
        {parked !== undefined && (
          <p className="muted" data-parked>
            {parked}
            {record.nextAt !== undefined && record.outcome !== "debounced"
              ? ` ${formatTime(record.nextAt)}`
              : ""}
          </p>
        )}
        {/* What the engine said about the attempt (a worked-around problem, or why it was skipped). */}
        {(record.reason ?? record.warning) && parked === undefined && (
          <p className="muted" data-note>
            {record.reason ?? record.warning}
          </p>
        )}
        {record.nextAt !== undefined && parked === undefined && (
          <p className="muted">
            {record.outcome === "sleeping" ? "Sleeps until" : "Next retry at"} {formatTime(record.nextAt)}
          </p>
        )}
      </div>
    </li>
  );
}

function ErrorBox({ error, label }: { error: ErrorRecord; label: string }) {
  return (
    <div className="error-box">
      <p>
        <strong>{label}</strong>
        {error.step && (
          <>
            {" "}
            in step <span className="mono">{error.step}</span>
          </>
        )}
        :{" "}
        <span className="mono error-text">
          {error.name}: {error.message}
        </span>
      </p>
      {error.stack && (
        <details>
          <summary>Stack trace</summary>
          <pre className="stack">{error.stack}</pre>
        </details>
      )}
    </div>
  );
}
