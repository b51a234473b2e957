/**
 * The Events section: the same events views `awl dev` serves (`EventsDashboard` from
 * @awl/dashboard), reading the site's events API through the extension's `/api/events` proxy with
 * the SDK's authenticated fetch. The proxy adds the site's API key on the server, so the browser
 * never holds it.
 */
import { EventsDashboard } from "@awl/dashboard";
import { useEventsClient } from "./use-extension-api.ts";

/**
 * Each refresh reads the site's production Redis (about two dozen Upstash commands for the overview and a
 * page of 20 events), so the Netlify page polls less often than the local one.
 */
const REFRESH_INTERVAL_MS = 10_000;

export function EventsSection() {
  const client = useEventsClient();
  return <EventsDashboard client={client} title="Events" refreshIntervalMs={REFRESH_INTERVAL_MS} />;
}
