/**
 * A whole local stack for integration tests, in this process: `awl dev`'s Redis REST API and QStash
 * server (@awl/dev's startStack: real HTTP, real Redis), an engine runtime using the official
 * clients against them, and a small Fetch-API host serving a router and workloads the way Netlify
 * would.
 */
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll } from "vitest";
import { serve, type ServerType } from "@hono/node-server";
import { Redis } from "@upstash/redis";
import {
  startStack as startServices,
  type QStashServer,
  type QStashStats,
  type RedisConnection,
  type RedisRestServer,
} from "@awl/dev";
import type { RegisteredWorkload } from "../../client/src/engine/router.ts";
import { createRouterHandler } from "../../client/src/workload/router-function.ts";
import { createRuntime, type Runtime } from "../../client/src/engine/runtime.ts";
import { engineQStash } from "../../client/src/transport/qstash-requester.ts";
import { engineRedis } from "../../client/src/transport/redis-requester.ts";
import type { EngineSettings } from "../../client/src/engine/settings.ts";
import type { EventDetail, EventState } from "../../client/src/engine/types.ts";
import { waitFor } from "./wait.ts";
import {
  handleWorkloadRequest,
  type AsyncWorkloadFunction,
} from "../../client/src/workload/async-workload.ts";

export { waitFor };

export interface Stack {
  runtime: Runtime;
  redis: Redis;
  qstash: QStashServer;
  redisRest: RedisRestServer;
  connection: RedisConnection;
  prefix: string;
  close(): Promise<void>;
}

export async function startStack(
  options: { settings?: Partial<EngineSettings>; routerUrl?: string } = {},
): Promise<Stack> {
  const prefix = `awltest:${randomBytes(4).toString("hex")}:`;
  const services = await startServices({
    redisRestPort: 0,
    qstashPort: 0,
    requireRedis: true,
    redisRestToken: "test-token",
    qstashKeyPrefix: `${prefix}qstash:`,
    log: () => undefined,
    // Once both servers have stopped: nothing writes under the prefix any more.
    beforeDisconnect: async (connection) => {
      const keys = await connection.redis.keys(`${prefix}*`);
      if (keys.length) await connection.redis.del(...keys);
    },
  });
  const { redisRest, qstash, connection } = services;
  // The clients a deployed site builds (runtimeFromEnv): the lean transport, not fetch.
  const redis = engineRedis({ url: redisRest.url, token: redisRest.token });
  const runtime = createRuntime({
    redis,
    qstash: engineQStash({ baseUrl: qstash.url, token: qstash.token, resolvesItself: false }),
    signingKeys: { currentSigningKey: qstash.currentSigningKey, nextSigningKey: qstash.nextSigningKey },
    routerUrl: options.routerUrl ?? "http://127.0.0.1:1/router",
    prefix,
    settings: options.settings,
    log: () => undefined,
  });
  return {
    runtime,
    redis,
    qstash,
    redisRest,
    connection,
    prefix,
    close: () => services.close(),
  };
}

export interface Host {
  url: string;
  /** Points the runtime's router URL at this host. */
  runtime: Runtime;
  /** The host's registry of its workloads: its router's. */
  registry: RegisteredWorkload[];
  close(): Promise<void>;
}

/**
 * A stack and a host serving `workloads` for one test file: started before its tests (handed to
 * `use`), closed after them.
 */
export function siteForFile(
  workloads: Record<string, AsyncWorkloadFunction>,
  use: (site: { stack: Stack; host: Host }) => void,
  options: Parameters<typeof startStack>[0] = {},
): void {
  let stack: Stack | undefined;
  let host: Host | undefined;
  beforeAll(async () => {
    stack = await startStack(options);
    host = await startHost(stack, workloads);
    use({ stack, host });
  });
  afterAll(async () => {
    await host?.close();
    await stack?.close();
  });
}

/** Serves `/router` and one `/workloads/<name>` per workload over real HTTP on a free port. */
export async function startHost(
  stack: Stack,
  workloads: Record<string, AsyncWorkloadFunction>,
): Promise<Host> {
  let url = "";
  const registry: RegisteredWorkload[] = Object.entries(workloads).map(([name, fn]) => ({
    name: fn.awlWorkload.definition.name ?? name,
    events: fn.awlWorkload.definition.events,
    ...(fn.awlWorkload.definition.eventFilter ? { eventFilter: fn.awlWorkload.definition.eventFilter } : {}),
    maxRetries: fn.awlWorkload.definition.maxRetries,
    ...(fn.awlWorkload.definition.cancelOn ? { cancelOn: fn.awlWorkload.definition.cancelOn } : {}),
    ...(fn.awlWorkload.definition.schedule ? { schedule: fn.awlWorkload.definition.schedule } : {}),
    ...(fn.awlWorkload.definition.onFailure ? { onFailure: true } : {}),
    url: `/workloads/${name}`,
    spec: fn.awlWorkload.definition,
  }));
  // Events sent through the host's runtime are routed at send once its router has published its
  // routing table (by routing an event), as a site's are.
  const runtime: Runtime = { ...stack.runtime };
  const router = createRouterHandler(registry, runtime);
  const server: ServerType = await new Promise((resolve) => {
    const s = serve(
      {
        hostname: "127.0.0.1",
        port: 0,
        fetch: (request: Request) => {
          const path = new URL(request.url).pathname;
          if (path === "/router") return router(request);
          const match = /^\/workloads\/([^/]+)$/.exec(path);
          const fn = match ? workloads[match[1]!] : undefined;
          if (!fn) return new Response("not found", { status: 404 });
          return handleWorkloadRequest(request, fn.awlWorkload.definition, fn.awlWorkload.handler, runtime);
        },
      },
      (info) => {
        url = `http://127.0.0.1:${info.port}`;
        resolve(s);
      },
    );
  });
  runtime.routerUrl = `${url}/router`;
  return {
    url,
    runtime,
    registry,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Waits until an event's state (derived from its runs) is `state`, and returns its detail. */
export function eventInState(runtime: Runtime, eventId: string, state: EventState): Promise<EventDetail> {
  return waitFor(
    async () => {
      const event = await runtime.store.getEvent(eventId);
      return event?.state === state ? event : undefined;
    },
    { what: `event ${eventId} to be ${state}` },
  );
}

/**
 * Waits until awl dev's QStash has answered at least `delivered` deliveries with a 2xx since it
 * started and has nothing waiting or in flight, and returns its counts. A check that a delivery
 * "changed nothing" waits for this (the delivery arrived and was acknowledged), never a fixed time.
 */
export function qstashSettled(stack: Stack, delivered = 0): Promise<QStashStats> {
  return waitFor(
    async () => {
      const stats = stack.qstash.stats();
      return stats.delivered >= delivered && stats.pending === 0 && stats.inFlight === 0 ? stats : undefined;
    },
    { what: `QStash to have delivered ${delivered} and be idle` },
  );
}
