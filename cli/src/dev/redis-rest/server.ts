/**
 * Serves the Upstash Redis REST emulator of `awl dev` on loopback (127.0.0.1:8079 by default) and
 * owns the listener's lifecycle. The Redis connection belongs to the caller, which shares it with
 * the QStash emulator, so closing the server leaves it open.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { getRequestListener } from "@hono/node-server";
import type { RedisConnection } from "../redis-connection.ts";
import { createRedisRestApp } from "./app.ts";

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
}

export interface RedisRestServer {
  /** E.g. http://127.0.0.1:8079, ready for UPSTASH_REDIS_REST_URL. */
  url: string;
  token: string;
  close(): Promise<void>;
}

export async function startRedisRest(options: RedisRestOptions): Promise<RedisRestServer> {
  const host = options.host ?? "127.0.0.1";
  const app = createRedisRestApp(options.connection, options.token, options.log);
  const server = createServer(getRequestListener(app.fetch));
  await listen(server, options.port ?? DEFAULT_REDIS_REST_PORT, host);
  const { port } = server.address() as AddressInfo;
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${port}`;
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

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) => {
      reject(
        error.code === "EADDRINUSE"
          ? new Error(
              `Cannot serve the Upstash Redis REST API on ${host}:${port}: the port is in use (another awl dev?)`,
            )
          : error,
      );
    };
    server.once("error", failed);
    server.listen(port, host, () => {
      server.off("error", failed);
      resolve();
    });
  });
}
