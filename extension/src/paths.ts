/**
 * Where the extension puts things in a site: the names and paths of the functions it injects or
 * generates, and the folder it generates into. Documented in docs/netlify.md; changing one is a
 * breaking change for every installed site (and for the CLI, which calls the events API).
 */
import { NETLIFY_API_PATH, NETLIFY_ROUTER_PATH } from "@awl/client";

/** `addFunctions` prefix: src/functions/api.mts is served as the function `awl_api`. */
export const FUNCTION_PREFIX = "awl";
/** Where the injected events API answers (src/functions/api.mts). */
export const API_BASE_PATH = "/awl/api";
/** The generated router; its default path is the engine's ROUTER_PATH, /.netlify/functions/awl-router. */
export const ROUTER_FUNCTION = "awl-router";
/**
 * The generated functions that serve Netlify's HTTP surface at Netlify's own paths (its router and
 * REST API, `createNetlifyHttpApi`): a function's default path is /.netlify/functions/<name>.
 */
export const NETLIFY_FUNCTIONS = [NETLIFY_ROUTER_PATH, NETLIFY_API_PATH].map((path) =>
  path.slice(path.lastIndexOf("/") + 1),
);
/** Generated wrappers that serve Netlify-style (`asyncWorkloadFn`) workloads with their config. */
export const WRAPPER_FUNCTION_PREFIX = "awl-workload-";
/** Generated code lives here, under the site's `.netlify` folder, rewritten on every build and dev start. */
export const GENERATED_FOLDER = "awl";
/** Marks generated functions in Netlify's function list. */
export const GENERATOR = "async-workloads-upstash";
