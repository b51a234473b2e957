/**
 * Serves the Upstash Redis REST emulator of `awl dev` on loopback (127.0.0.1:8079 by default) and
 * owns the listener's lifecycle. The Redis connection belongs to the caller, which shares it with
 * the QStash emulator, so closing the server leaves it open.
 */
import { createServer } from "node:http";
import { getRequestListener } from "@hono/node-server";
import type { RedisConnection } from "../redis-connection.ts";
import { createRedisRestApp } from "./app.ts";
import { listenOn } from "../listen.ts";
import { acrossLink, checkRoundTripMs } from "../modeled-latency.ts";

export { createRedisRestApp } from "./app.ts";

const DEFAULT_REDIS_REST_PORT = 8079;

export interface RedisRestOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8079; 0 picks any free port. */
  port?: number;
  token: string;
  connection: RedisConnection;
  log?: (line: string) => void;
  /**
   * A modeled round trip (ms) between the site and Upstash Redis (../modeled-latency.ts), added to
   * every request this server answers. Default 0.
   */
  latencyMs?: number;
}

export interface RedisRestServer {
  /** E.g. http://127.0.0.1:8079, ready for UPSTASH_REDIS_REST_URL. */
  url: string;
  token: string;
  close(): Promise<void>;
}

export async function startRedisRest(options: RedisRestOptions): Promise<RedisRestServer> {
  const host = options.host ?? "127.0.0.1";
  const latencyMs = checkRoundTripMs("latencyMs", options.latencyMs);
  const app = createRedisRestApp(options.connection, options.token, options.log);
  const server = createServer(
    getRequestListener(
      latencyMs > 0 ? (request, env) => acrossLink(latencyMs, () => app.fetch(request, env)) : app.fetch,
    ),
  );
  const url = await listenOn(server, {
    port: options.port ?? DEFAULT_REDIS_REST_PORT,
    host,
    service: "the Upstash Redis REST API",
    hint: "another awl dev?",
  });
  options.log?.(`Upstash Redis REST API on ${url}, backed by ${options.connection.url}`);
  return {
    url,
    token: options.token,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Keep-alive sockets and requests still waiting (a BLPOP) would hold close() open forever;
        // dropping them also aborts those requests, which closes their own Redis connections.
        server.closeAllConnections();
      }),
  };
}
