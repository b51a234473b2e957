/**
 * What every system under test offers a scenario: deploy a set of workloads (each subscribed to an
 * event, with a number of steps and an optional sleep), send events, and count what it published.
 * The workloads do the same work everywhere: each step returns a small JSON result that is stored
 * durably before the next step starts.
 */
import type { DevStack } from "../lib/dev-stack.ts";
import type { RedisServer } from "@awl/dev/redis-server";
import type { RestateServer } from "../lib/restate-server.ts";
import type { Tracker } from "../lib/tracker.ts";
import type { WireMeter } from "../lib/wire.ts";

export type SystemId = "awl" | "upstash-workflow" | "restate" | "bullmq";

export interface WorkloadSpec {
  /** Letters and digits. */
  name: string;
  event: string;
  steps: number;
  /** A step "before", then a sleep of this long, then the steps. */
  sleepMs?: number;
}

export interface BenchEnv {
  tracker: Tracker;
  wire: WireMeter;
  /** The application's Redis (awl dev's REST API serves it; BullMQ uses it directly). */
  appRedis: RedisServer;
  dev: DevStack;
  /** The private Restate server, when the run includes Restate. */
  restate?: RestateServer;
  /** How many runs may execute at once where the system lets us choose (BullMQ's worker concurrency). */
  concurrency: number;
}

export interface Deployment {
  /** Sends event number `seq` of `event`; resolves with the keys of the runs it starts. */
  send(event: string, seq: number): Promise<string[]>;
  /** QStash messages published so far (0 for systems without QStash). */
  qstashPublished(): Promise<number>;
  close(): Promise<void>;
}

export interface System {
  id: SystemId;
  label: string;
  deploy(workloads: WorkloadSpec[], env: BenchEnv): Promise<Deployment>;
}

/** The result every step returns, on every system. */
export const stepResult = (index: number) => ({ index, note: "a small step result" });

/** The data every event carries. */
export const eventData = (seq: number) => ({ seq, cartId: `cart_${seq}`, items: 3 });
