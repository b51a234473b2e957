/**
 * The benchmark's laboratory: private Redis servers (application and QStash infrastructure), awl
 * dev's services in a child process, the meters (wire bytes, calls, Redis commands, QStash
 * messages) and the tracker, plus `deploy`, which gives every system-round a clean application
 * Redis, and `costs`, the difference between two readings.
 */
import { startRedisServer, type RedisServer } from "@awl/dev/redis-server";
import { startDevStack, type DevStack } from "./dev-stack.ts";
import { CallCounter } from "./calls.ts";
import { RedisMeter, type RedisReading } from "./redis-meter.ts";
import { Tracker } from "./tracker.ts";
import { WireMeter } from "./wire.ts";
import type { BenchEnv, Deployment, System, WorkloadSpec } from "../systems/types.ts";

export interface Reading {
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
}

export class Lab {
  readonly tracker = new Tracker();
  readonly wire = new WireMeter();
  readonly calls = new CallCounter();
  concurrency = 64;

  private constructor(
    readonly appRedis: RedisServer,
    readonly infraRedis: RedisServer,
    readonly dev: DevStack,
    readonly meter: RedisMeter,
  ) {}

  static async start(options: { cpuProfileDir?: string } = {}): Promise<Lab> {
    const appRedis = await startRedisServer();
    const infraRedis = await startRedisServer();
    const dev = await startDevStack(appRedis.url, infraRedis.url, options);
    const meter = await RedisMeter.connect(appRedis.url);
    const lab = new Lab(appRedis, infraRedis, dev, meter);
    lab.wire.ignore(meter.redis.stream);
    lab.calls.ignore(meter.redis);
    lab.wire.label("to", dev.rest.port, "redis");
    lab.wire.label("to", dev.qstash.port, "qstash");
    return lab;
  }

  get env(): BenchEnv {
    return {
      tracker: this.tracker,
      wire: this.wire,
      appRedis: this.appRedis,
      dev: this.dev,
      concurrency: this.concurrency,
    };
  }

  /** Deploys `specs` on `system` against an empty application Redis. */
  async deploy(system: System, specs: WorkloadSpec[]): Promise<Deployment> {
    await this.meter.flush();
    return system.deploy(specs, this.env);
  }

  async read(deployment: Deployment): Promise<Reading> {
    return {
      published: await deployment.qstashPublished(),
      redis: await this.meter.read(),
      wire: this.wire.read(),
      redisCalls: this.calls.read(this.dev.rest.port) + this.calls.read(this.appRedis.port),
      redisCommandsSent: this.calls.commands(this.dev.rest.port) + this.calls.read(this.appRedis.port),
      qstashCalls: this.calls.read(this.dev.qstash.port),
    };
  }

  costs(before: Reading, after: Reading): Costs {
    const wire = (label: string) => (after.wire[label] ?? 0) - (before.wire[label] ?? 0);
    const wireRedis = wire("redis");
    const wireQStash = wire("qstash");
    const wireDeliveries = wire("deliveries");
    return {
      qstashMessages: after.published - before.published,
      qstashCalls: after.qstashCalls - before.qstashCalls,
      redisCalls: after.redisCalls - before.redisCalls,
      redisCommandsSent: after.redisCommandsSent - before.redisCommandsSent,
      redisCommands: this.meter.delta(before.redis, after.redis).commands,
      wireBytes: wireRedis + wireQStash + wireDeliveries,
      wireRedis,
      wireQStash,
      wireDeliveries,
    };
  }

  async close(): Promise<void> {
    this.meter.close();
    await this.dev.close();
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
