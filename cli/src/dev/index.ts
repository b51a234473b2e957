/**
 * The local stack `awl dev` runs: one Redis connection shared by the Upstash Redis REST API and the
 * QStash server, and the environment a site needs to use them through the official clients.
 */
import { connectRedis, type RedisConnection } from "./redis-connection.ts";
import { startQStash, type QStashServer } from "./qstash/server.ts";
import { devEnvironment } from "./environment.ts";

export { devEnvironment, type DevEnvironmentUrls } from "./environment.ts";
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
  /**
   * Whose QStash messages this stack keeps (see site/identity.ts): a site's `AWL_PREFIX`, so that a
   * site never receives the messages another site queued on the same Redis and port.
   */
  siteNamespace?: string;
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
    // One key space per site and port: two sites on one Redis never deliver each other's messages
    // (even one after the other on the same port), and a restart finds its scheduled messages.
    const qstash = await startQStash({
      host,
      port: qstashPort,
      connection,
      log,
      keyPrefix: `awl-dev:qstash:${qstashPort}:${options.siteNamespace ?? ""}`,
    });
    const env = devEnvironment({
      redisRestUrl: redisRest.url,
      redisRestToken: redisRest.token,
      qstashUrl: qstash.url,
    });
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
