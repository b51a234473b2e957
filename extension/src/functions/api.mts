/**
 * The events API, injected into the site at /awl/api/* (send, list, inspect, retry and delete
 * events, reconcile on demand), behind the site's AWL_API_KEY. The CLI and AsyncWorkloadsClient
 * outside the site call it. The engine is bundled in from the client package, so the injected
 * function does not depend on how the site resolves it.
 */
import { createEventsApi } from "../../../client/src/index.ts";
import { API_BASE_PATH } from "../paths.ts";

export default createEventsApi({ basePath: API_BASE_PATH });

// A literal: Netlify reads the route from the source without running it.
export const config = { path: "/awl/api/*" };
