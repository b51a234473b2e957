/**
 * Where a site serves the events API. Its own module so that HTTP clients (the CLI, the dashboard)
 * can know it without loading the API's server code.
 */
export const DEFAULT_API_BASE_PATH = "/awl/api";
