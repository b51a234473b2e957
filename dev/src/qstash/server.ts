/**
 * The QStash v2 server of `awl dev`: an HTTP API the official `@upstash/qstash` client cannot tell
 * from QStash, backed by the shared Redis connection. By default it answers to the client's dev-mode
 * token and signs with its dev-mode keys, so `QSTASH_DEV=true` finds it on 127.0.0.1:8080 (or
 * QSTASH_DEV_PORT) and never downloads QStash's own dev server. This module only assembles the
 * parts and owns the HTTP listener's lifetime; each part has its own module.
 */
import { createAdaptorServer } from "@hono/node-server";
import type { Server } from "node:http";
import type { RedisConnection } from "../redis-connection.ts";
import { createDeliverer } from "./delivery.ts";
import { Engine } from "./engine.ts";
import { createRoutes } from "./routes.ts";
import { Schedules } from "./schedules.ts";
import { createSigner } from "./signing.ts";
import { Stats, type QStashStats } from "./stats.ts";
import { createStore, DEFAULT_KEY_PREFIX } from "./store.ts";
import { listenOn } from "../listen.ts";
import { acrossLink, checkRoundTripMs } from "../modeled-latency.ts";
import {
  checkTimerGranularity,
  isTimerGranularity,
  TIMER_GRANULARITIES,
  type TimerGranularity,
} from "./timer-granularity.ts";

export type { QStashStats } from "./stats.ts";
export { TIMER_GRANULARITIES, isTimerGranularity, type TimerGranularity };

import { QSTASH_DEV_CREDENTIALS } from "../defaults.ts";

export { QSTASH_DEV_CREDENTIALS };

export interface QStashOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8080, the client's dev-mode port; 0 picks any free port. */
  port?: number;
  token?: string;
  currentSigningKey?: string;
  nextSigningKey?: string;
  connection: RedisConnection;
  /** One line per delivery attempt; defaults to console.log. */
  log?: (line: string) => void;
  /** Prefix of every Redis key (default `awl-dev:qstash:`); tests give each server its own. */
  keyPrefix?: string;
  /** Most delivery attempts in flight at once (default 512). */
  maxInFlight?: number;
  /**
   * When a delayed message, a retry or a callback goes out: `exact` (default) at its millisecond,
   * `1s` on the next whole second, as QStash schedules (./timer-granularity.ts).
   */
  timerGranularity?: TimerGranularity;
  /**
   * A modeled round trip (ms) between the site and QStash (../modeled-latency.ts), added to every
   * API request this server answers and to every delivery it makes. Default 0.
   */
  latencyMs?: number;
}

export interface QStashServer {
  url: string;
  token: string;
  currentSigningKey: string;
  nextSigningKey: string;
  stats(): QStashStats;
  close(): Promise<void>;
}

const DEFAULT_MAX_IN_FLIGHT = 512;

export async function startQStash(options: QStashOptions): Promise<QStashServer> {
  const host = options.host ?? "127.0.0.1";
  const token = options.token ?? QSTASH_DEV_CREDENTIALS.token;
  const currentSigningKey = options.currentSigningKey ?? QSTASH_DEV_CREDENTIALS.currentSigningKey;
  const nextSigningKey = options.nextSigningKey ?? QSTASH_DEV_CREDENTIALS.nextSigningKey;
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  const log = options.log ?? ((line: string) => console.log(line));
  const latencyMs = checkRoundTripMs("latencyMs", options.latencyMs);
  const timerGranularity = checkTimerGranularity(options.timerGranularity);

  const store = createStore(options.connection, options.keyPrefix ?? DEFAULT_KEY_PREFIX);
  const engine = new Engine({
    store,
    deliverer: createDeliverer(createSigner(currentSigningKey), maxInFlight, latencyMs),
    stats: new Stats(),
    log,
    maxInFlight,
    timerGranularity,
  });
  const schedules = new Schedules({ store, publish: (accepted) => engine.publish(accepted), log });
  const app = createRoutes({ engine, store, schedules, token, currentSigningKey, nextSigningKey });
  // Requests wait until the engine has resumed from Redis (a message published meanwhile would
  // otherwise be loaded a second time), and close() lets the ones being handled finish writing.
  let markStarted: () => void = () => undefined;
  const started = new Promise<void>((resolve) => (markStarted = resolve));
  const handling = new Set<Promise<unknown>>();
  const server = createAdaptorServer({
    fetch: (request, env) => {
      const response = started.then(() => acrossLink(latencyMs, () => app.fetch(request, env)));
      handling.add(response);
      void response.finally(() => handling.delete(response)).catch(() => undefined);
      return response;
    },
    hostname: host,
  }) as Server;

  // Listen first: a port already taken must fail before this server delivers anything.
  const url = await listenOn(server, {
    port: options.port ?? 8080,
    host,
    service: "the QStash API",
    hint: "another awl dev?",
  });
  try {
    await engine.start();
    await schedules.start();
    markStarted();
  } catch (error) {
    schedules.stop();
    server.close();
    await engine.close();
    throw error;
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    token,
    currentSigningKey,
    nextSigningKey,
    stats: () => engine.stats(),
    close() {
      closing ??= (async () => {
        schedules.stop();
        const stopped = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        while (handling.size > 0) await Promise.allSettled([...handling]);
        server.closeAllConnections();
        await stopped;
        await engine.close();
      })();
      return closing;
    },
  };
}
