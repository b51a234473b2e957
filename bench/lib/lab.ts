/**
 * The benchmark's laboratory: private Redis servers (application and QStash infrastructure), awl
 * dev's services in child processes (one per network mode: exact timers on loopback, QStash's
 * whole-second timers, and the modeled production network), a private Restate server when Restate
 * is compared, the meters (wire bytes, calls, Redis commands, QStash messages, function
 * invocations) and the tracker, plus `deploy`, which gives every system-round a clean application
 * Redis, and `costs`, the difference between two readings.
 */
import { startRedisServer, type RedisServer } from "@awl/dev/redis-server";
import type { ModeledLatency, TimerGranularity } from "@awl/dev";
import { startDevStack, type DevStack } from "./dev-stack.ts";
import { startRestateServer, type RestateServer } from "./restate-server.ts";
import { CallCounter } from "./calls.ts";
import { RedisMeter, type RedisReading } from "./redis-meter.ts";
import { Tracker } from "./tracker.ts";
import { WireMeter } from "./wire.ts";
import type { BenchEnv, Deployment, System, WorkloadSpec } from "../systems/types.ts";

/**
 * How awl dev serves the HTTP systems: `exact` (timers to the millisecond, loopback), `1s` (timers
 * on whole seconds, as QStash schedules them), `modeled` (whole seconds, and the round trips of
 * MODELED_LATENCY added to every Redis REST request, QStash request and delivery).
 */
export type DevMode = "exact" | "1s" | "modeled";

/**
 * The modeled production network: a function in the same region as Upstash Redis (a couple of
 * milliseconds per REST round trip) and QStash, which sits in its own region behind the public
 * internet, at about 20 ms per round trip.
 */
export const MODELED_LATENCY: Required<ModeledLatency> = { redisMs: 2, qstashMs: 20 };

const MODES: Record<DevMode, { timerGranularity?: TimerGranularity; latency?: ModeledLatency }> = {
  exact: {},
  "1s": { timerGranularity: "1s" },
  modeled: { timerGranularity: "1s", latency: MODELED_LATENCY },
};

export interface Reading {
  functionInvocations: number;
  functionMs: number;
  published: number;
  redis: RedisReading;
  wire: Record<string, number>;
  redisCalls: number;
  redisCommandsSent: number;
  qstashCalls: number;
}

export interface Costs {
  /** QStash messages published. */
  qstashMessages: number;
  /** Requests to the QStash API (publishes, batches, workflow calls). */
  qstashCalls: number;
  /** Round trips to Redis as the application makes them: HTTP requests to the REST API, or ioredis commands. */
  redisCalls: number;
  /** Commands the application sent (a script call is one; each command of an HTTP pipeline counts). */
  redisCommandsSent: number;
  /** Commands Redis executed, including those run inside scripts. */
  redisCommands: number;
  /** Bytes between the application and its services (Redis, QStash API, QStash deliveries), both ways. */
  wireBytes: number;
  wireRedis: number;
  wireQStash: number;
  wireDeliveries: number;
  /** Function invocations (the functions' host: awl's router and workloads, Upstash Workflow's workflows). */
  functionInvocations: number;
  /** Their summed duration (ms), as Netlify bills functions. */
  functionMs: number;
}

export class Lab {
  readonly tracker = new Tracker();
  readonly wire = new WireMeter();
  readonly calls = new CallCounter();
  concurrency = 64;
  readonly #devOf = new WeakMap<Deployment, DevStack>();

  private constructor(
    readonly appRedis: RedisServer,
    readonly infraRedis: RedisServer,
    readonly devs: Partial<Record<DevMode, DevStack>>,
    readonly meter: RedisMeter,
    readonly restate: RestateServer | undefined,
  ) {}

  static async start(
    options: { cpuProfileDir?: string; modes?: DevMode[]; restate?: boolean } = {},
  ): Promise<Lab> {
    const appRedis = await startRedisServer();
    const infraRedis = await startRedisServer();
    const devs: Partial<Record<DevMode, DevStack>> = {};
    for (const mode of new Set<DevMode>(["exact", ...(options.modes ?? [])])) {
      devs[mode] = await startDevStack(appRedis.url, infraRedis.url, {
        ...MODES[mode],
        qstashKeyPrefix: `bench:qstash:${mode}:`,
        // Only the stack the profiled scenario uses.
        ...(mode === "exact" && options.cpuProfileDir ? { cpuProfileDir: options.cpuProfileDir } : {}),
      });
    }
    const restate = options.restate ? await startRestateServer() : undefined;
    const meter = await RedisMeter.connect(appRedis.url);
    const lab = new Lab(appRedis, infraRedis, devs, meter, restate);
    lab.wire.ignore(meter.redis.stream);
    lab.calls.ignore(meter.redis);
    for (const dev of Object.values(devs)) {
      lab.wire.label("to", dev.rest.port, "redis");
      lab.wire.label("to", dev.qstash.port, "qstash");
    }
    return lab;
  }

  /** awl dev's services in `mode`. */
  dev(mode: DevMode = "exact"): DevStack {
    const dev = this.devs[mode];
    if (!dev) throw new Error(`the lab was started without awl dev's ${mode} mode`);
    return dev;
  }

  env(mode: DevMode = "exact"): BenchEnv {
    return {
      tracker: this.tracker,
      wire: this.wire,
      appRedis: this.appRedis,
      dev: this.dev(mode),
      concurrency: this.concurrency,
      ...(this.restate ? { restate: this.restate } : {}),
    };
  }

  /** Deploys `specs` on `system` against an empty application Redis, served by awl dev in `mode`. */
  async deploy(system: System, specs: WorkloadSpec[], mode: DevMode = "exact"): Promise<Deployment> {
    await this.meter.flush();
    const deployment = await system.deploy(specs, this.env(mode));
    this.#devOf.set(deployment, this.dev(mode));
    return deployment;
  }

  async read(deployment: Deployment): Promise<Reading> {
    const dev = this.#devOf.get(deployment) ?? this.dev();
    const functions = this.tracker.functions;
    return {
      functionInvocations: functions.invocations,
      functionMs: functions.ms,
      published: await deployment.qstashPublished(),
      redis: await this.meter.read(),
      wire: this.wire.read(),
      redisCalls: this.calls.read(dev.rest.port) + this.calls.read(this.appRedis.port),
      redisCommandsSent: this.calls.commands(dev.rest.port) + this.calls.read(this.appRedis.port),
      qstashCalls: this.calls.read(dev.qstash.port),
    };
  }

  costs(before: Reading, after: Reading): Costs {
    const wire = (label: string) => (after.wire[label] ?? 0) - (before.wire[label] ?? 0);
    const wireRedis = wire("redis");
    const wireQStash = wire("qstash");
    const wireDeliveries = wire("deliveries");
    // Restate's traffic: its ingress calls, and the server's calls to the endpoint (deliveries).
    const wireIngress = wire("ingress");
    return {
      qstashMessages: after.published - before.published,
      qstashCalls: after.qstashCalls - before.qstashCalls,
      redisCalls: after.redisCalls - before.redisCalls,
      redisCommandsSent: after.redisCommandsSent - before.redisCommandsSent,
      redisCommands: this.meter.delta(before.redis, after.redis).commands,
      wireBytes: wireRedis + wireQStash + wireDeliveries + wireIngress,
      wireRedis,
      wireQStash,
      wireDeliveries,
      functionInvocations: after.functionInvocations - before.functionInvocations,
      functionMs: after.functionMs - before.functionMs,
    };
  }

  async close(): Promise<void> {
    this.meter.close();
    for (const dev of Object.values(this.devs)) await dev.close();
    await this.restate?.close();
    await this.appRedis.close();
    await this.infraRedis.close();
  }
}

/** Each cost divided by `count` (per run or per event). */
export function perUnit(costs: Costs, count: number): Costs {
  return Object.fromEntries(
    Object.entries(costs).map(([key, value]) => [key, Math.round((value / count) * 100) / 100]),
  ) as unknown as Costs;
}
