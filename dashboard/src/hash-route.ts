/**
 * The dashboard's place, kept in the URL hash so that a link opens the same view and the browser's
 * Back button works: `#/?state=dead-lettered&name=checkout&held=1&after=c1,c2` is the list (filters,
 * and the stack of cursors that led to the page shown), `#/events/<id>` an event's page,
 * `#/workloads` the site's workloads. Hash routing
 * needs nothing from the host, so it works the same under `awl dev` and inside the Netlify UI.
 */
import { EVENT_ID_PATTERN, EVENT_STATES, type EventState } from "@awl/client/api-client";

export type Route =
  | { page: "list"; state?: EventState; name?: string; held?: true; cursors: string[] }
  | { page: "event"; id: string }
  | { page: "workloads" };

export const HOME: Route = { page: "list", cursors: [] };

const isState = (value: string): value is EventState => (EVENT_STATES as readonly string[]).includes(value);

/** Reads a `location.hash`; anything it does not recognise is the unfiltered list. */
export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, "");
  if (path === "/workloads") return { page: "workloads" };
  const event = /^\/events\/([^/?]+)$/.exec(path);
  if (event) return { page: "event", id: decodeURIComponent(event[1]!) };
  const query = new URLSearchParams(path.replace(/^\/?\??/, ""));
  const state = query.get("state") ?? "";
  const name = query.get("name") ?? "";
  // Cursors are "<score>:<offset>"; anything else in the hash was not written by this dashboard.
  const cursors = (query.get("after") ?? "").split(",").filter((cursor) => /^\d+:\d+$/.test(cursor));
  return {
    page: "list",
    ...(isState(state) ? { state } : {}),
    ...(name ? { name } : {}),
    ...(query.get("held") === "1" ? { held: true as const } : {}),
    cursors,
  };
}

/** The hash for a route, e.g. "#/?state=dead-lettered&name=checkout" or "#/events/ev_1". */
export function formatRoute(route: Route): string {
  if (route.page === "event") return `#/events/${encodeURIComponent(route.id)}`;
  if (route.page === "workloads") return "#/workloads";
  const query = new URLSearchParams();
  if (route.state) query.set("state", route.state);
  if (route.name) query.set("name", route.name);
  if (route.held) query.set("held", "1");
  if (route.cursors.length) query.set("after", route.cursors.join(","));
  const search = query.toString();
  return search ? `#/?${search}` : "#/";
}

/**
 * The event a pasted id belongs to: an event id, or a run id (`<eventId>.<workload>`, as logs and
 * alerts print it); undefined when the text is neither.
 */
export function eventIdFrom(text: string): string | undefined {
  const id = text.trim().split(".")[0] ?? "";
  return EVENT_ID_PATTERN.test(id) ? id : undefined;
}
