/**
 * `@awl/dashboard`: the events dashboard as React components, for every host that shows it (`awl
 * dev` on a loopback URL, the Netlify extension's UI surface).
 *
 *   import { EventsDashboard, DASHBOARD_CSS_PATH } from "@awl/dashboard";
 *   import { EventsApiClient } from "@awl/client/api-client";
 *   <EventsDashboard client={new EventsApiClient({ siteUrl, basePath, fetch })} title="Events" />
 *
 * Styles: the components use the class names in styles.css, all scoped under `.awl-dashboard`. A
 * host that bundles with esbuild or Vite imports the file (`import "@awl/dashboard/styles.css"`, or
 * by `DASHBOARD_CSS_PATH`); a host that serves files reads it from `DASHBOARD_CSS_PATH`. This module
 * does not import the CSS itself, so it also loads where no bundler handles CSS (Node, tests).
 */
export { EventsDashboard, type EventsDashboardProps } from "./events-dashboard.tsx";

/** Absolute path of the dashboard's stylesheet where this module is loaded from disk; "" elsewhere. */
export const DASHBOARD_CSS_PATH = stylesheetPath();

function stylesheetPath(): string {
  try {
    return decodeURIComponent(new URL("./styles.css", import.meta.url).pathname);
  } catch {
    // A non-ESM browser bundle (esbuild's iife or cjs) has no import.meta.url; the path means nothing there.
    return "";
  }
}
