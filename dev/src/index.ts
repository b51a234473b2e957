/**
 * @awl/dev, the local services of `awl dev`: `startStack`, the one way to start them (awl dev, the
 * tests, the benchmark and the scripts all use it), which connects to Redis and serves the Upstash
 * Redis REST API and the QStash server over it, with the environment a site needs to use them
 * through the official clients; the servers on their own for tests of one of them; and the local
 * events dashboard, which runs beside the stack, not inside it (it is optional, and the stack's
 * other users need not pay for it).
 */
import { connectRedis, type RedisConnection } from "./redis-connection.ts";
import { startQStash, type QStashServer } from "./qstash/server.ts";
import { startRedisRest, type RedisRestServer } from "./redis-rest/server.ts";
import { DEFAULT_QSTASH_PORT, DEFAULT_REDIS_REST_PORT, DEFAULT_REDIS_REST_TOKEN } from "./defaults.ts";
import { devEnvironment } from "./environment.ts";
import { checkRoundTripMs, type ModeledLatency } from "./modeled-latency.ts";
import { checkTimerGranularity, type TimerGranularity } from "./qstash/timer-granularity.ts";

export * from "./env.ts";
export {
  connectRedis,
  DEFAULT_REDIS_URL,
  type ConnectOptions,
  type RedisBackend,
  type RedisConnection,
} from "./redis-connection.ts";
export { startQStash, type QStashOptions, type QStashServer, type QStashStats } from "./qstash/server.ts";
export { startRedisRest, type RedisRestOptions, type RedisRestServer } from "./redis-rest/server.ts";
export type { ModeledLatency } from "./modeled-latency.ts";
export { TIMER_GRANULARITIES, type TimerGranularity } from "./qstash/timer-granularity.ts";
export { localRuntime } from "./dashboard/runtime.ts";
export {
  createDashboardApp,
  startDashboardServer,
  type DashboardServer,
  type DashboardServerOptions,
} from "./dashboard/server.ts";

export interface DevStackOptions {
  /** Where both servers listen; default 127.0.0.1. */
  host?: string;
  /** Default 8079; 0 picks any free port. */
  redisRestPort?: number;
  /** Default 8080 (the official client's dev-mode port); 0 picks any free port. */
  qstashPort?: number;
  /** The Redis behind both servers; default $REDIS_URL or redis://127.0.0.1:6379. */
  redisUrl?: string;
  /** Refuse the in-memory fallback when no Redis answers (tests and benchmarks that need a real one). */
  requireRedis?: boolean;
  /**
   * A Redis of its own for the QStash server's messages (in production QStash's state is Upstash's,
   * not the site's): the benchmark keeps it apart from the application's data. Default: `redisUrl`'s
   * connection.
   */
  qstashRedisUrl?: string;
  /** The Redis REST API's bearer token; default awl dev's. */
  redisRestToken?: string;
  /**
   * Whose QStash messages this stack keeps (see the CLI's site/identity.ts): a site's `AWL_PREFIX`,
   * so that a site never receives the messages another site queued on the same Redis and port.
   */
  siteNamespace?: string;
  /** The QStash server's Redis key prefix, instead of the one derived from the port and `siteNamespace`. */
  qstashKeyPrefix?: string;
  /** One line per delivery attempt and the servers' start lines; default console.log. */
  log?: (line: string) => void;
  /** The warning when no Redis answers and the in-memory store stands in; default console.warn. */
  warn?: (line: string) => void;
  /**
   * When the QStash server lets a delayed message, a retry or a callback go: `exact` (default) at
   * its millisecond, `1s` on the next whole second, as QStash does (`awl dev --granularity`).
   */
  timerGranularity?: TimerGranularity;
  /**
   * Modeled round trips (ms) between the site and Upstash's region (`awl dev --latency`): `redisMs`
   * on every Redis REST request, `qstashMs` on every QStash API request and every delivery.
   */
  latency?: ModeledLatency;
  /** Runs in close() once both servers have stopped, before the Redis connections close (a test deletes its keys). */
  beforeDisconnect?: (connection: RedisConnection) => Promise<void>;
}

export interface DevStack {
  /** The Redis behind the Redis REST API (and the QStash server, unless `qstashRedisUrl` was given). */
  connection: RedisConnection;
  /** The Redis behind the QStash server. */
  qstashConnection: RedisConnection;
  redisRest: RedisRestServer;
  qstash: QStashServer;
  /** The variables a site needs to use this stack through the official clients. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts the local services: the Upstash Redis REST API and the QStash server, over Redis. */
export async function startStack(options: DevStackOptions = {}): Promise<DevStack> {
  // Bad options are refused before anything connects or listens.
  const redisLatencyMs = checkRoundTripMs("latency.redisMs", options.latency?.redisMs);
  const qstashLatencyMs = checkRoundTripMs("latency.qstashMs", options.latency?.qstashMs);
  const timerGranularity = checkTimerGranularity(options.timerGranularity);
  const log = options.log ?? ((line: string) => console.log(line));
  const connect = (url: string | undefined) =>
    connectRedis({
      url,
      warn: options.warn,
      ...(options.requireRedis ? { requireRedis: true } : {}),
    });
  const connection = await connect(options.redisUrl);
  let qstashConnection = connection;
  const host = options.host ?? "127.0.0.1";
  let redisRest: RedisRestServer | undefined;
  try {
    if (options.qstashRedisUrl !== undefined) qstashConnection = await connect(options.qstashRedisUrl);
    redisRest = await startRedisRest({
      host,
      port: options.redisRestPort ?? DEFAULT_REDIS_REST_PORT,
      token: options.redisRestToken ?? DEFAULT_REDIS_REST_TOKEN,
      connection,
      log,
      latencyMs: redisLatencyMs,
    });
    const qstashPort = options.qstashPort ?? DEFAULT_QSTASH_PORT;
    // One key space per site and port: two sites on one Redis never deliver each other's messages
    // (even one after the other on the same port), and a restart finds its scheduled messages.
    const qstash = await startQStash({
      host,
      port: qstashPort,
      connection: qstashConnection,
      log,
      latencyMs: qstashLatencyMs,
      timerGranularity,
      keyPrefix: options.qstashKeyPrefix ?? `awl-dev:qstash:${qstashPort}:${options.siteNamespace ?? ""}`,
    });
    const env = devEnvironment({
      redisRestUrl: redisRest.url,
      redisRestToken: redisRest.token,
      qstashUrl: qstash.url,
    });
    const rest = redisRest;
    const infra = qstashConnection;
    return {
      connection,
      qstashConnection: infra,
      redisRest: rest,
      qstash,
      env,
      async close() {
        await qstash.close();
        await rest.close();
        await options.beforeDisconnect?.(connection);
        if (infra !== connection) await infra.close();
        await connection.close();
      },
    };
  } catch (error) {
    await redisRest?.close();
    if (qstashConnection !== connection) await qstashConnection.close();
    await connection.close();
    throw error;
  }
}
