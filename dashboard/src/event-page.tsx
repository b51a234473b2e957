/**
 * An event's page: what was sent (name, ids, times, data), Send again and Delete for the event, and one timeline
 * per run with its own Retry and Delete (see run-timeline.tsx). Reached by `#/events/<id>`; leaves
 * for the list when the event is deleted.
 */
import type { EventsApiClient } from "@awl/client/api-client";
import { useActions } from "./actions.tsx";
import { ErrorAlert } from "./error-alert.tsx";
import { formatJson, formatTime, plural } from "./format.ts";
import { RunTimeline } from "./run-timeline.tsx";
import type { SendDraft } from "./send-event.tsx";
import { StateBadge } from "./state-badge.tsx";
import { useResource } from "./use-resource.ts";

export function EventPage(props: {
  client: EventsApiClient;
  id: string;
  tick: number;
  /** The list the user came from, for the back link and after a delete. */
  backHref: string;
  /** Opens the send form with this event's name and data. */
  onSendAgain: (draft: SendDraft) => void;
}) {
  const { client, id, tick, backHref, onSendAgain } = props;
  const { ask } = useActions();
  const event = useResource(() => client.get(id), id, tick);
  const detail = event.data;
  // Relative times ("in 4 s") are computed against the time of the last load, refreshed with it.
  const now = Date.now();

  const remove = () =>
    detail &&
    ask({
      title: `Delete this ${detail.name} event?`,
      detail:
        `Event ${detail.id} is deleted with its ${plural(detail.runs.length, "run")}, their steps and ` +
        `attempts. Runs still in progress stop at their next delivery. This cannot be undone.`,
      confirmLabel: "Delete event",
      destructive: true,
      perform: async () => {
        const { deleted } = await client.delete({ eventIds: [detail.id] });
        return deleted ? `Deleted event ${detail.id}.` : `Event ${detail.id} was already gone.`;
      },
      after: () => {
        location.hash = backHref;
      },
    });

  return (
    <section aria-labelledby="event-heading" className="panel">
      <p>
        <a href={backHref}>← All events</a>
      </p>
      <div className="event-header">
        <h2 id="event-heading">
          Event <span className="mono">{detail?.name ?? id}</span>
        </h2>
        {detail && <StateBadge state={detail.state} />}
        {detail && (
          <button
            type="button"
            onClick={() => onSendAgain({ name: detail.name, data: JSON.stringify(detail.data, null, 2) })}
          >
            Send again
          </button>
        )}
        {detail && (
          <button type="button" className="danger" onClick={remove}>
            Delete event
          </button>
        )}
      </div>
      <ErrorAlert error={event.error} what={`event ${id}`} />
      {!detail && !event.error && <p className="muted">Loading…</p>}
      {detail && (
        <>
          <dl className="facts">
            <dt>Event id</dt>
            <dd className="mono">{detail.id}</dd>
            <dt>Created</dt>
            <dd>{formatTime(detail.createdAt)}</dd>
            {detail.delayUntil !== undefined && (
              <>
                <dt>Delayed until</dt>
                <dd>{formatTime(detail.delayUntil)}</dd>
              </>
            )}
            {detail.routedAt !== undefined && (
              <>
                <dt>Routed</dt>
                <dd>{formatTime(detail.routedAt)}</dd>
              </>
            )}
            <dt>Priority</dt>
            <dd>{detail.priority}</dd>
            {detail.idempotencyKey && (
              <>
                <dt>Idempotency key</dt>
                <dd className="mono">{detail.idempotencyKey}</dd>
              </>
            )}
          </dl>
          <details className="data">
            <summary>Event data</summary>
            <pre className="json">{formatJson(detail.data)}</pre>
          </details>
          {detail.runs.length === 0 && (
            <p className="muted">
              {detail.state === "unmatched"
                ? "No workload subscribes to this event: it has no runs."
                : "Not routed yet: its runs appear once the router has matched it to workloads."}
            </p>
          )}
          {detail.runs.map((run) => (
            <RunTimeline
              key={run.id}
              run={run}
              eventName={detail.name}
              client={client}
              now={now}
              runCount={detail.runs.length}
              backHref={backHref}
            />
          ))}
        </>
      )}
    </section>
  );
}
