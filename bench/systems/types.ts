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
  /** Each step waits this long (an API call, say) before returning its result. */
  stepMs?: number;
  /**
   * Flow control (awl and Upstash Workflow only): at most `parallelism` runs of one key executing at
   * once, the events spread over `keys` keys by their number (flowKey).
   */
  flowControl?: { parallelism: number; keys: number };
}

/** The flow-control key of event number `seq`, among `keys` keys. */
export const flowKey = (seq: number, keys: number) => `k${seq % keys}`;

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

/**
 * Step number `index` of event `seq`'s run: the step result, after `spec.stepMs` of waiting, counted
 * in the tracker's steps-at-once under the run's flow-control key (all one key without flow control).
 */
export async function stepWork(spec: WorkloadSpec, tracker: Tracker, seq: number, index: number) {
  const key = flowKey(seq, spec.flowControl?.keys ?? 1);
  tracker.inStep(key, 1);
  try {
    await new Promise((resolve) => setTimeout(resolve, spec.stepMs ?? 0));
    return stepResult(index);
  } finally {
    tracker.inStep(key, -1);
  }
}

/** The data every event carries. */
export const eventData = (seq: number) => ({ seq, cartId: `cart_${seq}`, items: 3 });
