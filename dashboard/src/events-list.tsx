/**
 * The list of events: filters (state, name, held by flow control), a page of events newest first
 * (each pending run that flow control holds back says by what and until when) with checkboxes for
 * acting on a selection, and Previous / Next over the API's cursors. Filters and the cursors that
 * led to the page live in the URL hash (see hash-route.ts), so the page survives a refresh or a link.
 */
import { useEffect, useState } from "react";
import {
  EVENT_STATES,
  type EventsApiClient,
  type EventSummary,
  type EventState,
} from "@awl/client/api-client";
import { useActions } from "./actions.tsx";
import { ErrorAlert } from "./error-alert.tsx";
import { formatTime, plural } from "./format.ts";
import { formatRoute, type Route } from "./hash-route.ts";
import { describeHold } from "./holds.ts";
import { StateBadge } from "./state-badge.tsx";
import { useResource } from "./use-resource.ts";

type ListRoute = Extract<Route, { page: "list" }>;

const PAGE_SIZE = 20;

export function EventsList(props: {
  client: EventsApiClient;
  route: ListRoute;
  /** Event names to offer in the filter (from the stats). */
  names: string[];
  tick: number;
  navigate: (route: Route) => void;
}) {
  const { client, route, names, tick, navigate } = props;
  const { ask } = useActions();
  const cursor = route.cursors.at(-1);
  const page = useResource(
    () =>
      client.list({
        ...(route.state ? { state: route.state } : {}),
        ...(route.name ? { name: route.name } : {}),
        ...(route.held ? { held: true } : {}),
        ...(cursor ? { cursor } : {}),
        limit: PAGE_SIZE,
      }),
    formatRoute(route),
    tick,
  );
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  // A selection belongs to the page it was made on; refreshing that page keeps it.
  useEffect(() => setSelected(new Set()), [route.state, route.name, route.held, cursor]);

  const events = page.data?.events ?? [];
  const chosen = events.filter((event) => selected.has(event.id));
  const toggle = (id: string, on: boolean) =>
    setSelected((previous) => {
      const next = new Set(previous);
      if (on) next.add(id);
      else next.delete(id);
      return next;
    });
  const filter = (change: Partial<Pick<ListRoute, "state" | "name" | "held">>) => {
    const next = { ...route, ...change };
    navigate({
      page: "list",
      cursors: [],
      ...(next.state ? { state: next.state } : {}),
      ...(next.name ? { name: next.name } : {}),
      ...(next.held ? { held: true } : {}),
    });
  };
  const nameOptions = [...new Set([...names, ...(route.name ? [route.name] : [])])].sort();

  const retrySelected = (selection: EventSummary[]) => {
    const dead = selection.reduce((sum, event) => sum + (event.runStates["dead-lettered"] ?? 0), 0);
    ask({
      title: `Retry ${plural(dead, "dead-lettered run")} of ${plural(selection.length, "selected event")}?`,
      detail:
        "The dead-lettered runs of the selected events start again with a fresh set of attempts; " +
        "steps that already completed are not run again. Runs in other states are left alone.",
      confirmLabel: `Retry ${plural(dead, "run")}`,
      perform: async () => {
        const { retried } = await client.retry({ eventIds: selection.map((event) => event.id) });
        setSelected(new Set());
        return `Retried ${plural(retried, "dead-lettered run")}.`;
      },
    });
  };
  const deleteSelected = (selection: EventSummary[]) =>
    ask({
      title: `Delete ${plural(selection.length, "selected event")}?`,
      detail: `${plural(selection.length, "event")} and all their runs, steps and attempts are deleted. This cannot be undone.`,
      confirmLabel: `Delete ${plural(selection.length, "event")}`,
      destructive: true,
      perform: async () => {
        const { deleted } = await client.delete({ eventIds: selection.map((event) => event.id) });
        setSelected(new Set());
        return `Deleted ${plural(deleted, "event")}.`;
      },
    });

  const description = [route.state, route.name && `named ${route.name}`, route.held && "held by flow control"]
    .filter(Boolean)
    .join(", ");
  return (
    <section aria-labelledby="events-heading" className="panel">
      <h2 id="events-heading">Events</h2>
      <form className="toolbar" onSubmit={(event) => event.preventDefault()} aria-label="Filter events">
        <label>
          State{" "}
          <select
            value={route.state ?? ""}
            onChange={(event) => {
              const state = (event.target.value || undefined) as EventState | undefined;
              // Held runs are pending: another state turns the held filter off.
              filter({ state, ...(state && state !== "pending" ? { held: undefined } : {}) });
            }}
          >
            <option value="">any state</option>
            {EVENT_STATES.map((state) => (
              <option key={state} value={state}>
                {state}
              </option>
            ))}
          </select>
        </label>
        <label>
          Event name{" "}
          <select
            value={route.name ?? ""}
            onChange={(event) => filter({ name: event.target.value || undefined })}
          >
            <option value="">any name</option>
            {nameOptions.map((name) => (
              <option key={name} value={name}>
                {name}
              </option>
            ))}
          </select>
        </label>
        <label>
          <input
            type="checkbox"
            checked={route.held ?? false}
            onChange={(event) =>
              filter(event.target.checked ? { held: true, state: undefined } : { held: undefined })
            }
          />{" "}
          Held by flow control
        </label>
        <span className="spacer" />
        <button type="button" disabled={chosen.length === 0} onClick={() => retrySelected(chosen)}>
          Retry selected ({chosen.length})
        </button>
        <button
          type="button"
          className="danger"
          disabled={chosen.length === 0}
          onClick={() => deleteSelected(chosen)}
        >
          Delete selected ({chosen.length})
        </button>
      </form>

      <ErrorAlert error={page.error} what="the events" />
      <table className="events">
        <caption>
          {description ? `Events: ${description}` : "All events"}, newest first, page{" "}
          {route.cursors.length + 1}
          {page.loading && !page.data ? " (loading…)" : ""}
        </caption>
        <thead>
          <tr>
            <th scope="col" className="check">
              <input
                type="checkbox"
                aria-label="Select every event on this page"
                checked={events.length > 0 && chosen.length === events.length}
                disabled={events.length === 0}
                onChange={(event) =>
                  setSelected(new Set(event.target.checked ? events.map((item) => item.id) : []))
                }
              />
            </th>
            <th scope="col">Event</th>
            <th scope="col">Name</th>
            <th scope="col">State</th>
            <th scope="col">Runs</th>
            <th scope="col">Created</th>
          </tr>
        </thead>
        <tbody>
          {page.data && events.length === 0 && (
            <tr>
              <td colSpan={6} className="empty">
                No events{description ? ` ${description}` : ""}.
              </td>
            </tr>
          )}
          {events.map((event) => (
            <tr key={event.id} className={selected.has(event.id) ? "selected" : undefined}>
              <td className="check">
                <input
                  type="checkbox"
                  aria-label={`Select event ${event.id} (${event.name})`}
                  checked={selected.has(event.id)}
                  onChange={(change) => toggle(event.id, change.target.checked)}
                />
              </td>
              <th scope="row" className="mono">
                <a href={formatRoute({ page: "event", id: event.id })}>{event.id}</a>
              </th>
              <td>{event.name}</td>
              <td>
                <StateBadge state={event.state} />
              </td>
              <td className="run-states">
                {Object.entries(event.runStates)
                  .map(([state, count]) => `${count} ${state}`)
                  .join(", ") || "none"}
                {event.held?.map((hold) => (
                  <span key={hold.runId} className="held muted" data-held={hold.runId}>
                    {" "}
                    · {hold.runId.slice(event.id.length + 1)} {describeHold(hold, Date.now())}
                  </span>
                ))}
              </td>
              <td className="nowrap">{formatTime(event.createdAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <nav className="pager" aria-label="Pages of events">
        <button
          type="button"
          disabled={route.cursors.length === 0}
          onClick={() => navigate({ ...route, cursors: route.cursors.slice(0, -1) })}
        >
          ← Previous
        </button>
        <span>Page {route.cursors.length + 1}</span>
        <button
          type="button"
          disabled={!page.data?.cursor}
          onClick={() =>
            page.data?.cursor && navigate({ ...route, cursors: [...route.cursors, page.data.cursor] })
          }
        >
          Next →
        </button>
      </nav>
    </section>
  );
}
