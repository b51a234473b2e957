/**
 * The local stack `awl dev` runs: one Redis connection shared by the Upstash Redis REST API and the
 * QStash server, and the environment a site needs to use them through the official clients.
 */
import { connectRedis, type RedisConnection } from "./redis-connection.ts";
import { startQStash, type QStashServer } from "./qstash/server.ts";
import { startRedisRest, type RedisRestServer } from "./redis-rest/server.ts";

import { DEFAULT_QSTASH_PORT, DEFAULT_REDIS_REST_PORT, DEFAULT_REDIS_REST_TOKEN } from "./defaults.ts";

export { DEFAULT_QSTASH_PORT, DEFAULT_REDIS_REST_PORT, DEFAULT_REDIS_REST_TOKEN };
// The events dashboard runs beside the stack, not inside it: it is optional, and the stack's users
// (tests, scripts) need not pay for bundling it.
export { DEFAULT_DASHBOARD_PORT } from "./defaults.ts";
export { localRuntime } from "./dashboard/runtime.ts";
export {
  startDashboardServer,
  type DashboardServer,
  type DashboardServerOptions,
} from "./dashboard/server.ts";

export interface DevStackOptions {
  host?: string;
  redisRestPort?: number;
  qstashPort?: number;
  redisUrl?: string;
  redisRestToken?: string;
  log?: (line: string) => void;
  warn?: (line: string) => void;
}

export interface DevStack {
  connection: RedisConnection;
  redisRest: RedisRestServer;
  qstash: QStashServer;
  /** The variables a site needs to use this stack through the official clients. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startDevStack(options: DevStackOptions = {}): Promise<DevStack> {
  const log = options.log ?? ((line: string) => console.log(line));
  const connection = await connectRedis({ url: options.redisUrl, warn: options.warn });
  const host = options.host ?? "127.0.0.1";
  let redisRest: RedisRestServer | undefined;
  try {
    redisRest = await startRedisRest({
      host,
      port: options.redisRestPort ?? DEFAULT_REDIS_REST_PORT,
      token: options.redisRestToken ?? DEFAULT_REDIS_REST_TOKEN,
      connection,
      log,
    });
    const qstashPort = options.qstashPort ?? DEFAULT_QSTASH_PORT;
    // One key space per port: only one server can hold a port, so two `awl dev`s on one Redis never
    // deliver each other's messages, and a restart on the same port finds its scheduled messages.
    const qstash = await startQStash({
      host,
      port: qstashPort,
      connection,
      log,
      keyPrefix: `awl-dev:qstash:${qstashPort}:`,
    });
    const env = {
      UPSTASH_REDIS_REST_URL: redisRest.url,
      UPSTASH_REDIS_REST_TOKEN: redisRest.token,
      QSTASH_URL: qstash.url,
      QSTASH_TOKEN: qstash.token,
      QSTASH_CURRENT_SIGNING_KEY: qstash.currentSigningKey,
      QSTASH_NEXT_SIGNING_KEY: qstash.nextSigningKey,
    };
    const rest = redisRest;
    return {
      connection,
      redisRest: rest,
      qstash,
      env,
      async close() {
        await qstash.close();
        await rest.close();
        await connection.close();
      },
    };
  } catch (error) {
    await redisRest?.close();
    await connection.close();
    throw error;
  }
}
