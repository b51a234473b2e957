/**
 * Where `awl dev` listens by default (the ports the official clients' dev modes and the docs
 * expect) and the credentials it accepts. Light to import: commands that only need these values
 * (awl init) do not load the servers.
 */
export const DEFAULT_REDIS_REST_PORT = 8079;
export const DEFAULT_QSTASH_PORT = 8080;
export const DEFAULT_REDIS_REST_TOKEN = "awl-dev-token";
/** The local events dashboard (see dashboard/ and ./dashboard/server.ts). */
export const DEFAULT_DASHBOARD_PORT = 8288;

/** The fixed credentials of the official client's dev mode (`DEV_CREDENTIALS` in @upstash/qstash). */
export const QSTASH_DEV_CREDENTIALS: { token: string; currentSigningKey: string; nextSigningKey: string } = {
  token: "eyJVc2VySUQiOiJkZWZhdWx0VXNlciIsIlBhc3N3b3JkIjoiZGVmYXVsdFBhc3N3b3JkIn0=",
  currentSigningKey: "sig_7kYjw48mhY7kAjqNGcy6cr29RJ6r",
  nextSigningKey: "sig_5ZB6DVzB1wjE8S6rZ7eenA8Pdnhs",
};
