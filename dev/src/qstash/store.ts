/**
 * Redis persistence for the QStash server: every accepted message until it is settled, the
 * schedule, deduplication keys, the DLQ and queue settings, under one key prefix
 * (`awl-dev:qstash:` by default). Redis is the record, not the clock: the scheduler keeps due times
 * in memory and this store is read back only at start. A message costs two writes, each one Lua
 * script call (beside this file): its publish and the settlement of each attempt. Under load the
 * publishes, and the settlements, made in one turn of the event loop share a single call, so a
 * message costs at most two round trips and usually a fraction of that; `roundTrips` counts them.
 *
 * Keys: `schedule` (sorted set: message id by due time, ms), `msg:<id>` (message JSON),
 * `dedup:<id:...|content:...>` (earlier message id, expiring), `dlq` (hash: DLQ id -> JSON),
 * `queues` (hash: queue name -> settings JSON), `schedules` (hash: schedule id -> StoredSchedule JSON,
 * see schedules.ts), `wf:<run id>` (an Upstash Workflow run's history,
 * JSON, expiring a week after its last step).
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import type { Redis } from "ioredis";
import type { RedisConnection } from "../redis-connection.ts";
import type { DlqRecord, StoredMessage } from "./message.ts";
import { DEDUPLICATION_WINDOW_MS } from "./publish-request.ts";
import type { WorkflowRun, WorkflowStore } from "./workflow.ts";

export const DEFAULT_KEY_PREFIX = "awl-dev:qstash:";

export interface QueueSettings {
  name: string;
  parallelism: number;
  paused: boolean;
  createdAt: number;
  updatedAt: number;
}

/** A schedule as kept: the create request (without its own headers) and when it fires next. */
export interface StoredSchedule {
  scheduleId: string;
  /** The `Upstash-Cron` value as given (with its `CRON_TZ=` prefix, if any). */
  cron: string;
  destination: string;
  /** The create request's headers, lower-cased, except `Upstash-Cron` and `Upstash-Schedule-Id`. */
  headers: Record<string, string>;
  body?: string;
  bodyBase64?: string;
  createdAt: number;
  isPaused: boolean;
  /** The next firing (ms since epoch); when paused, the one it would have been. */
  nextAt: number;
  lastFiredAt?: number;
  callerIp?: string;
}

export interface NewMessage {
  message: StoredMessage;
  dueAt: number;
  deduplicationKey?: string;
}

export type Settlement =
  | { outcome: "done" }
  | { outcome: "retry"; message: StoredMessage; dueAt: number }
  | { outcome: "dead"; record: DlqRecord };

/** An unfinished workflow run's history is kept this long after its last step. */
const WORKFLOW_TTL_MS = 7 * 24 * 60 * 60_000;

export interface Store extends WorkflowStore {
  /** Stores and schedules the messages; for each, null, or the earlier message id when deduplicated. */
  publish(messages: NewMessage[]): Promise<(string | null)[]>;
  /** Records an attempt's outcome and adds its callbacks; false when the message was gone. */
  settle(id: string, settlement: Settlement, followUps: NewMessage[]): Promise<boolean>;
  /** Unschedules and deletes messages; returns the ids that existed. */
  cancel(ids: string[]): Promise<string[]>;
  /** Everything still to deliver, including what was in flight when the last server stopped. */
  loadScheduled(): Promise<{ message: StoredMessage; dueAt: number }[]>;
  dlqList(): Promise<DlqRecord[]>;
  dlqGet(dlqId: string): Promise<DlqRecord | undefined>;
  /** Removes DLQ entries; returns how many existed. */
  dlqDelete(dlqIds: string[]): Promise<number>;
  queueList(): Promise<QueueSettings[]>;
  queueSave(settings: QueueSettings): Promise<void>;
  queueDelete(name: string): Promise<void>;
  scheduleList(): Promise<StoredSchedule[]>;
  scheduleSave(schedule: StoredSchedule): Promise<void>;
  scheduleDelete(scheduleId: string): Promise<void>;
  readonly roundTrips: number;
}

type ScriptCall = (keys: string[], args: (string | number)[]) => Promise<unknown>;

/**
 * A Lua file beside this module, run by EVALSHA with one EVAL when Redis does not have it cached.
 * (ioredis' defineCommand would do this too, but its in-memory stand-in mixes up KEYS and ARGV.)
 */
function script(redis: Redis, file: string, countRoundTrip: () => void): ScriptCall {
  const source = readFileSync(new URL(file, import.meta.url), "utf8");
  const sha = createHash("sha1").update(source).digest("hex");
  return async (keys, args) => {
    countRoundTrip();
    try {
      return await redis.evalsha(sha, keys.length, ...keys, ...args);
    } catch (error) {
      if (!String((error as Error).message).startsWith("NOSCRIPT")) throw error;
      countRoundTrip();
      return redis.eval(source, keys.length, ...keys, ...args);
    }
  };
}

/** Most items per script call, so no single call holds Redis for long. */
const BATCH_LIMIT = 500;

interface PendingCall<I, O> {
  items: I[];
  resolve(results: O[]): void;
  reject(error: unknown): void;
}

/**
 * Gathers the calls made during one turn of the event loop and runs them together, at most
 * BATCH_LIMIT items per run; each caller gets the results for its own items.
 */
function batched<I, O>(run: (items: I[]) => Promise<O[]>): (items: I[]) => Promise<O[]> {
  let pending: PendingCall<I, O>[] = [];
  const send = (group: PendingCall<I, O>[]) => {
    run(group.flatMap((call) => call.items)).then(
      (results) => {
        let offset = 0;
        for (const call of group) {
          call.resolve(results.slice(offset, offset + call.items.length));
          offset += call.items.length;
        }
      },
      (error: unknown) => {
        for (const call of group) call.reject(error);
      },
    );
  };
  const flush = () => {
    const calls = pending;
    pending = [];
    let group: PendingCall<I, O>[] = [];
    let size = 0;
    for (const call of calls) {
      if (group.length > 0 && size + call.items.length > BATCH_LIMIT) {
        send(group);
        group = [];
        size = 0;
      }
      group.push(call);
      size += call.items.length;
    }
    if (group.length > 0) send(group);
  };
  return (items) =>
    new Promise<O[]>((resolve, reject) => {
      if (pending.length === 0) setImmediate(flush);
      pending.push({ items, resolve, reject });
    });
}

export function createStore(connection: RedisConnection, prefix: string): Store {
  const { redis } = connection;
  let roundTrips = 0;
  const countRoundTrip = () => {
    roundTrips += 1;
  };
  const runPublish = script(redis, "./publish.lua", countRoundTrip);
  const runSettle = script(redis, "./settle.lua", countRoundTrip);

  const scheduleKey = `${prefix}schedule`;
  const dlqKey = `${prefix}dlq`;
  const queuesKey = `${prefix}queues`;
  const schedulesKey = `${prefix}schedules`;
  const messageKey = (id: string) => `${prefix}msg:${id}`;
  const workflowKey = (runId: string) => `${prefix}wf:${runId}`;

  const publishBatch = batched<NewMessage, string | null>(async (messages) => {
    const keys: string[] = [scheduleKey];
    const args: (string | number)[] = [];
    for (const { message, dueAt, deduplicationKey } of messages) {
      const key = messageKey(message.id);
      keys.push(key, deduplicationKey ? `${prefix}dedup:${deduplicationKey}` : key);
      args.push(message.id, JSON.stringify(message), dueAt, deduplicationKey ? DEDUPLICATION_WINDOW_MS : 0);
    }
    const results = (await runPublish(keys, args)) as string[];
    return results.map((earlier) => (earlier === "" ? null : earlier));
  });

  const settleBatch = batched<{ id: string; settlement: Settlement; followUps: NewMessage[] }, boolean>(
    async (attempts) => {
      const keys: string[] = [scheduleKey, dlqKey];
      const args: (string | number)[] = [];
      for (const { id, settlement, followUps } of attempts) {
        keys.push(messageKey(id));
        args.push(id, settlement.outcome);
        if (settlement.outcome === "retry") args.push(JSON.stringify(settlement.message), settlement.dueAt);
        else if (settlement.outcome === "dead")
          args.push(JSON.stringify(settlement.record), settlement.record.dlqId);
        else args.push("", "");
        args.push(followUps.length);
        for (const { message, dueAt } of followUps) {
          keys.push(messageKey(message.id));
          args.push(message.id, JSON.stringify(message), dueAt);
        }
      }
      return ((await runSettle(keys, args)) as number[]).map((recorded) => recorded === 1);
    },
  );

  const parseRecord = <T>(json: string | null): T | undefined =>
    json === null ? undefined : (JSON.parse(json) as T);

  return {
    get roundTrips() {
      return roundTrips;
    },

    async publish(messages) {
      return messages.length === 0 ? [] : publishBatch(messages);
    },

    async settle(id, settlement, followUps) {
      const [recorded] = await settleBatch([{ id, settlement, followUps }]);
      return recorded === true;
    },

    async cancel(ids) {
      if (ids.length === 0) return [];
      const transaction = redis.multi();
      for (const id of ids) transaction.zrem(scheduleKey, id).del(messageKey(id));
      roundTrips += 1;
      const replies = (await transaction.exec()) ?? [];
      return ids.filter((_id, index) => replies[index * 2]?.[1] === 1);
    },

    async loadScheduled() {
      roundTrips += 1;
      const flat = await redis.zrange(scheduleKey, 0, -1, "WITHSCORES");
      const due = new Map<string, number>();
      for (let i = 0; i + 1 < flat.length; i += 2) due.set(flat[i] as string, Number(flat[i + 1]));
      const ids = [...due.keys()];
      if (ids.length === 0) return [];
      const pipeline = redis.pipeline();
      const CHUNK = 1000;
      for (let i = 0; i < ids.length; i += CHUNK) pipeline.mget(ids.slice(i, i + CHUNK).map(messageKey));
      roundTrips += 1;
      const records = ((await pipeline.exec()) ?? []).flatMap(([, values]) => values as (string | null)[]);
      const loaded: { message: StoredMessage; dueAt: number }[] = [];
      const orphans: string[] = [];
      ids.forEach((id, index) => {
        const message = parseRecord<StoredMessage>(records[index] ?? null);
        if (message) loaded.push({ message, dueAt: due.get(id) ?? Date.now() });
        else orphans.push(id);
      });
      if (orphans.length > 0) {
        roundTrips += 1;
        await redis.zrem(scheduleKey, ...orphans);
      }
      return loaded;
    },

    async dlqList() {
      roundTrips += 1;
      const all = await redis.hvals(dlqKey);
      return all.map((json) => JSON.parse(json) as DlqRecord);
    },

    async dlqGet(dlqId) {
      roundTrips += 1;
      return parseRecord<DlqRecord>(await redis.hget(dlqKey, dlqId));
    },

    async dlqDelete(dlqIds) {
      if (dlqIds.length === 0) return 0;
      roundTrips += 1;
      return redis.hdel(dlqKey, ...dlqIds);
    },

    async queueList() {
      roundTrips += 1;
      return (await redis.hvals(queuesKey)).map((json) => JSON.parse(json) as QueueSettings);
    },

    async queueSave(settings) {
      roundTrips += 1;
      await redis.hset(queuesKey, settings.name, JSON.stringify(settings));
    },

    async queueDelete(name) {
      roundTrips += 1;
      await redis.hdel(queuesKey, name);
    },

    async scheduleList() {
      roundTrips += 1;
      return (await redis.hvals(schedulesKey)).map((json) => JSON.parse(json) as StoredSchedule);
    },

    async scheduleSave(schedule) {
      roundTrips += 1;
      await redis.hset(schedulesKey, schedule.scheduleId, JSON.stringify(schedule));
    },

    async scheduleDelete(scheduleId) {
      roundTrips += 1;
      await redis.hdel(schedulesKey, scheduleId);
    },

    async workflowGet(runId) {
      roundTrips += 1;
      return parseRecord<WorkflowRun>(await redis.get(workflowKey(runId)));
    },

    async workflowSave(runId, run) {
      roundTrips += 1;
      await redis.set(workflowKey(runId), JSON.stringify(run), "PX", WORKFLOW_TTL_MS);
    },

    async workflowDelete(runId) {
      roundTrips += 1;
      return (await redis.del(workflowKey(runId))) === 1;
    },
  };
}
