/**
 * Where `awl dev` listens by default: the ports the official clients' dev modes and the docs expect.
 */
export const DEFAULT_REDIS_REST_PORT = 8079;
export const DEFAULT_QSTASH_PORT = 8080;
export const DEFAULT_REDIS_REST_TOKEN = "awl-dev-token";
/** The local events dashboard (see dashboard/ and ./dashboard/server.ts). */
export const DEFAULT_DASHBOARD_PORT = 8288;
