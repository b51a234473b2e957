/**
 * The events dashboard, whole: a toolbar (Events / Workloads, Go to event, Send event, Refresh,
 * auto-refresh), then the overview (counts per state and per name) with the events list, one
 * event's page, or the site's workloads, chosen by the URL hash. It renders inside whatever element the host gives it and assumes nothing
 * else about the page.
 */
import { useEffect, useRef, useState } from "react";
import type { EventsApiClient } from "@awl/client/api-client";
import { ActionsProvider, useActions } from "./actions.tsx";
import { ErrorAlert } from "./error-alert.tsx";
import { EventPage } from "./event-page.tsx";
import { EventsList } from "./events-list.tsx";
import { FindEvent } from "./find-event.tsx";
import { SendEventDialog, type SendDraft } from "./send-event.tsx";
import { formatTime } from "./format.ts";
import { formatRoute, type Route } from "./hash-route.ts";
import { StatsPanel } from "./stats-panel.tsx";
import { useHashRoute } from "./use-hash-route.ts";
import { useRefresh } from "./use-refresh.ts";
import { useResource } from "./use-resource.ts";
import { WorkloadsView } from "./workloads-view.tsx";

export interface EventsDashboardProps {
  /** The events API to read and act through; the host decides its URL and authentication. */
  client: EventsApiClient;
  /** The page's main heading; default "Events". */
  title?: string;
  /** How often auto-refresh reloads what is shown; default 3000 ms. */
  refreshIntervalMs?: number;
}

export function EventsDashboard({
  client,
  title = "Events",
  refreshIntervalMs = 3000,
}: EventsDashboardProps) {
  const [route, navigate] = useHashRoute();
  const { tick, refresh, auto, setAuto } = useRefresh(refreshIntervalMs);
  const stats = useResource(() => client.stats(), "stats", tick);
  // The event page's back link returns to the list as it was: same filters, same page.
  const lastList = useRef("#/");
  if (route.page === "list") lastList.current = formatRoute(route);
  const [updatedAt, setUpdatedAt] = useState<number>();
  const [sendDraft, setSendDraft] = useState<SendDraft>();
  const names = stats.data?.names.map((entry) => entry.name) ?? [];
  useEffect(() => {
    if (stats.data && !stats.loading) setUpdatedAt(Date.now());
  }, [stats.data, stats.loading]);

  return (
    <div className="awl-dashboard">
      <header className="masthead">
        <h1>{title}</h1>
        <nav aria-label="Views" className="views">
          <a href={lastList.current} aria-current={route.page === "workloads" ? undefined : "page"}>
            Events
          </a>{" "}
          <a
            href={formatRoute({ page: "workloads" })}
            aria-current={route.page === "workloads" ? "page" : undefined}
          >
            Workloads
          </a>
        </nav>
        <FindEvent navigate={navigate} />
        <button type="button" onClick={() => setSendDraft({ name: "", data: "{}" })}>
          Send event
        </button>
        <div className="refresh">
          <span className="muted" aria-live="off">
            {updatedAt === undefined ? "Loading…" : `Updated ${formatTime(updatedAt)}`}
          </span>
          <label>
            <input type="checkbox" checked={auto} onChange={(event) => setAuto(event.target.checked)} />{" "}
            Auto-refresh every {Math.round(refreshIntervalMs / 100) / 10} s
          </label>
          <button type="button" onClick={refresh}>
            Refresh
          </button>
        </div>
      </header>
      <ActionsProvider onDone={refresh}>
        {route.page === "workloads" ? (
          <WorkloadsView client={client} tick={tick} />
        ) : route.page === "event" ? (
          <EventPage
            client={client}
            id={route.id}
            tick={tick}
            backHref={lastList.current}
            onSendAgain={setSendDraft}
          />
        ) : (
          <>
            <ErrorAlert error={stats.error} what="the counts" />
            {stats.data && <StatsPanel stats={stats.data} client={client} />}
            <EventsList client={client} route={route} names={names} tick={tick} navigate={navigate} />
          </>
        )}
        <SendEvent
          client={client}
          draft={sendDraft}
          names={names}
          onClose={() => setSendDraft(undefined)}
          navigate={navigate}
        />
      </ActionsProvider>
    </div>
  );
}

/** The send dialog, inside the actions provider so that it can say what it sent. */
function SendEvent(props: {
  client: EventsApiClient;
  draft: SendDraft | undefined;
  names: string[];
  onClose: () => void;
  navigate: (route: Route) => void;
}) {
  const { announce } = useActions();
  return (
    <SendEventDialog
      client={props.client}
      draft={props.draft}
      names={props.names}
      onClose={props.onClose}
      onSent={(eventId, name) => {
        props.onClose();
        announce(`Sent ${name} as event ${eventId}.`);
        props.navigate({ page: "event", id: eventId });
      }}
    />
  );
}
