/**
 * The events API, injected into the site at /awl/api/* (send, list, inspect, retry and delete
 * events, reconcile on demand), behind the site's AWL_API_KEY. The CLI and AsyncWorkloadsClient
 * outside the site call it. It runs the site's own `@awl/client` (a peer dependency of the
 * extension), so one engine version serves a deploy: see docs/netlify.md.
 */
import { createEventsApi } from "@awl/client";
import { API_BASE_PATH } from "../paths.ts";

export default createEventsApi({ basePath: API_BASE_PATH });

// A literal: Netlify reads the route from the source without running it.
export const config = { path: "/awl/api/*" };
