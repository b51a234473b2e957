/**
 * The overview: how many events are in each state, overall (each count links to the list filtered
 * by it) and per event name, with Retry all / Delete all dead-lettered for a name.
 */
import { EVENT_STATES, type EventStats, type EventsApiClient } from "@awl/client/api-client";
import { useActions } from "./actions.tsx";
import { plural } from "./format.ts";
import { formatRoute } from "./hash-route.ts";
import { StateBadge } from "./state-badge.tsx";

export function StatsPanel({ stats, client }: { stats: EventStats; client: EventsApiClient }) {
  const { ask } = useActions();

  const retryAll = (name: string, count: number) =>
    ask({
      title: `Retry the dead-lettered runs of ${plural(count, `${name} event`)}?`,
      detail:
        `Every dead-lettered run of a "${name}" event starts again with a fresh set of attempts. ` +
        `Steps that already completed are not run again.`,
      confirmLabel: "Retry dead-lettered runs",
      perform: async () => {
        const { retried } = await client.retry({ eventNames: [name] });
        return `Retried ${plural(retried, "dead-lettered run")} of ${name}.`;
      },
    });
  const deleteAll = (name: string, count: number) =>
    ask({
      title: `Delete the dead-lettered runs of ${plural(count, `${name} event`)}?`,
      detail:
        `Every dead-lettered run of a "${name}" event is deleted with its steps and attempts. ` +
        `The events keep their other runs; an event left with none is deleted too. This cannot be undone.`,
      confirmLabel: "Delete dead-lettered runs",
      destructive: true,
      perform: async () => {
        const { deleted, deletedRuns = 0 } = await client.delete({
          states: ["dead-lettered"],
          eventNames: [name],
        });
        const emptied = deleted ? ` and ${plural(deleted, "event")} left with no runs` : "";
        return `Deleted ${plural(deletedRuns, "dead-lettered run")} of ${name}${emptied}.`;
      },
    });

  return (
    <section aria-labelledby="stats-heading" className="panel">
      <h2 id="stats-heading">Overview</h2>
      <table className="stats-states">
        <caption>Events per state (an event counts in every state one of its runs is in)</caption>
        <thead>
          <tr>
            {EVENT_STATES.map((state) => (
              <th scope="col" key={state}>
                <StateBadge state={state} />
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <tr>
            {EVENT_STATES.map((state) => (
              <td key={state} className="count">
                <a
                  href={formatRoute({ page: "list", state, cursors: [] })}
                  aria-label={`${plural(stats.states[state] ?? 0, "event")} ${state}: show them`}
                >
                  {stats.states[state] ?? 0}
                </a>
              </td>
            ))}
          </tr>
        </tbody>
      </table>

      <table className="stats-names">
        <caption>Events per name</caption>
        <thead>
          <tr>
            <th scope="col">Event name</th>
            <th scope="col" className="count">
              Total
            </th>
            {EVENT_STATES.map((state) => (
              <th scope="col" key={state} className="count">
                {state}
              </th>
            ))}
            <th scope="col">Dead-lettered runs</th>
          </tr>
        </thead>
        <tbody>
          {stats.names.length === 0 && (
            <tr>
              <td colSpan={EVENT_STATES.length + 3} className="empty">
                No events yet. Send one with <code>npx awl send &lt;name&gt; --data '&#123;&#125;'</code>.
              </td>
            </tr>
          )}
          {stats.names.map(({ name, total, states }) => {
            const dead = states["dead-lettered"] ?? 0;
            return (
              <tr key={name}>
                <th scope="row">
                  <a href={formatRoute({ page: "list", name, cursors: [] })}>{name}</a>
                </th>
                <td className="count">{total}</td>
                {EVENT_STATES.map((state) => (
                  <td key={state} className="count">
                    {states[state] ? (
                      <a
                        href={formatRoute({ page: "list", state, name, cursors: [] })}
                        aria-label={`${plural(states[state], "event")} of ${name} ${state}: show them`}
                      >
                        {states[state]}
                      </a>
                    ) : (
                      <span className="zero">0</span>
                    )}
                  </td>
                ))}
                <td>
                  <div className="row-actions">
                    {dead > 0 ? (
                      <>
                        <button type="button" onClick={() => retryAll(name, dead)}>
                          Retry all<span className="visually-hidden"> dead-lettered of {name}</span>
                        </button>
                        <button type="button" className="danger" onClick={() => deleteAll(name, dead)}>
                          Delete all<span className="visually-hidden"> dead-lettered of {name}</span>
                        </button>
                      </>
                    ) : (
                      <span className="muted">none</span>
                    )}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </section>
  );
}
