/**
 * The Netlify function serving the extension's own endpoints (`/api/*`) on the extension's site:
 * the SDK turns the `Nf-UIExt-*` headers the configuration UI's authenticated fetch sends into a
 * Netlify API client, the site and the team, and the app (../app.ts) answers. It sits alone in this
 * folder so that the folder can be the site's functions directory without deploying the modules
 * beside app.ts (and their tests) as functions.
 */
import { withNetlifySDKContext } from "@netlify/sdk/ui/functions";
import { createExtensionApi } from "../app.ts";

const handler = createExtensionApi();

export default withNetlifySDKContext((req, context) => handler(req, context));

// A literal: Netlify reads the route from the source without running it.
export const config = { path: "/api/*" };
