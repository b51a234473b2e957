/**
 * The Redis that backs `awl dev`: a real server at REDIS_URL when one answers, otherwise an embedded
 * in-memory store (ioredis-mock) with a loud warning, because nothing in it survives a restart.
 * Both servers of `awl dev` (the Redis REST API and the QStash emulator) share this one connection
 * factory, so they always agree on where state lives.
 */
import { Redis } from "ioredis";
import RedisMock from "ioredis-mock";

export const DEFAULT_REDIS_URL = "redis://127.0.0.1:6379";

export type RedisBackend = "redis" | "memory";

export interface RedisConnection {
  redis: Redis;
  backend: RedisBackend;
  url: string;
  /** Opens another connection to the same store (e.g. for a blocking command or MULTI). */
  duplicate(): Redis;
  close(): Promise<void>;
}

export interface ConnectOptions {
  url?: string;
  /** How long to wait for a real Redis before falling back to memory. */
  connectTimeoutMs?: number;
  /** Refuse the in-memory fallback (tests that need real persistence). */
  requireRedis?: boolean;
  warn?: (message: string) => void;
}

export async function connectRedis(options: ConnectOptions = {}): Promise<RedisConnection> {
  const url = options.url ?? process.env.REDIS_URL ?? DEFAULT_REDIS_URL;
  const warn = options.warn ?? ((message: string) => console.warn(message));
  const redis = new Redis(url, {
    lazyConnect: true,
    connectTimeout: options.connectTimeoutMs ?? 1500,
    // Once connected, keep reconnecting: a Redis restart must not take `awl dev` down.
    retryStrategy: (times) => Math.min(times * 100, 2000),
    maxRetriesPerRequest: null,
  });
  redis.on("error", () => {
    // ioredis reports every failed reconnect here; the retry strategy above handles them.
  });
  try {
    await redis.connect();
    await redis.ping();
    return {
      redis,
      backend: "redis",
      url,
      duplicate: () => redis.duplicate(),
      close: async () => {
        redis.disconnect();
      },
    };
  } catch (error) {
    redis.disconnect();
    if (options.requireRedis) {
      throw new Error(`No Redis answers at ${url}: ${(error as Error).message}`, { cause: error });
    }
    warn(
      [
        "",
        "!!! ============================================================================ !!!",
        `!!!  No Redis answers at ${url}.`,
        "!!!  awl dev is using an EMBEDDED IN-MEMORY store instead: everything (events, runs,",
        "!!!  scheduled QStash messages) is LOST when awl dev stops. Start redis-server or set",
        "!!!  REDIS_URL to keep state across restarts.",
        "!!! ============================================================================ !!!",
        "",
      ].join("\n"),
    );
    const memory = new RedisMock();
    return {
      redis: memory as unknown as Redis,
      backend: "memory",
      url: "memory://",
      duplicate: () => (memory as unknown as Redis).duplicate(),
      close: async () => {
        memory.disconnect();
      },
    };
  }
}
