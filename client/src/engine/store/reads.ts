/**
 * The engine's reads, outside any script: an event's fields for the router, run ids, a run's
 * attempt, and the records the API lists and inspects. Pipelined, so each function is one round
 * trip (getEvent: two, the event and then its runs). Mapping the records is records.ts's.
 */
import type { Redis } from "@upstash/redis";
import type { EngineKeys, RunState } from "../keys.ts";
import type { EventDetail, EventSummary, RunRecord } from "../types.ts";
import { asRecord, stateOf, toRun, toSummary } from "./records.ts";

/** The fields the router needs to evaluate event filters. */
export async function loadEvent(
  redis: Redis,
  keys: EngineKeys,
  eventId: string,
): Promise<{ name: string; data: string; priority: number; createdAt: number } | null> {
  const [name, data, priority, createdAt] = (await redis.hmget(
    keys.event(eventId),
    "displayName",
    "data",
    "priority",
    "createdAt",
  )) as unknown as (string | null)[];
  if (name == null) return null;
  return { name, data: data ?? "null", priority: Number(priority ?? 0), createdAt: Number(createdAt ?? 0) };
}

/** A run's attempt as stored (null when the run is gone). */
export async function runAttempt(redis: Redis, keys: EngineKeys, runId: string): Promise<string | null> {
  const read = await redis.hget<string | number>(keys.run(runId), "attempt");
  return read == null ? null : String(read);
}

/** The run ids of events, optionally only those in one state. */
export async function runIdsOf(
  redis: Redis,
  keys: EngineKeys,
  eventIds: string[],
  state?: RunState,
): Promise<string[]> {
  if (eventIds.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const id of eventIds) pipeline.hget(keys.event(id), "runs");
  const runLists = (await pipeline.exec()) as (string | null)[];
  const runIds = runLists.flatMap((list) => (list ? list.split(",") : []));
  if (!state || runIds.length === 0) return runIds;
  const states = await pipelineHget(
    redis,
    runIds.map((id) => keys.run(id)),
    "state",
  );
  return runIds.filter((_, i) => states[i] === state);
}

/** The summaries of these events, in order; an event deleted meanwhile is left out. */
export async function eventSummaries(redis: Redis, keys: EngineKeys, ids: string[]): Promise<EventSummary[]> {
  const records = await pipelineHgetall(
    redis,
    ids.map((id) => keys.event(id)),
  );
  return records.flatMap((record) => (record ? [toSummary(record)] : []));
}

export async function getEvent(redis: Redis, keys: EngineKeys, eventId: string): Promise<EventDetail | null> {
  const record = asRecord(await redis.hgetall(keys.event(eventId)));
  if (!record?.id) return null;
  const runIds = record.runs ? record.runs.split(",") : [];
  const pipeline = redis.pipeline();
  for (const runId of runIds) {
    pipeline.hgetall(keys.run(runId));
    pipeline.hgetall(keys.runSteps(runId));
    pipeline.lrange(keys.runAttempts(runId), 0, -1);
  }
  const replies = runIds.length ? await pipeline.exec() : [];
  const runs: RunRecord[] = [];
  for (let i = 0; i < runIds.length; i++) {
    const run = asRecord(replies[i * 3]);
    if (!run) continue;
    const steps = asRecord(replies[i * 3 + 1]) ?? {};
    const attempts = (replies[i * 3 + 2] as string[] | null) ?? [];
    runs.push(toRun(run, steps, attempts));
  }
  // The runs were read after the event: derive the event's state from them, so a detail read
  // while a run changes state is consistent with itself.
  const summary = toSummary(record);
  if (runs.length === 0) return { ...summary, runs };
  const runStates: Partial<Record<RunState, number>> = {};
  for (const run of runs) runStates[run.state] = (runStates[run.state] ?? 0) + 1;
  return { ...summary, state: stateOf(runStates), runStates, runs };
}

async function pipelineHgetall(redis: Redis, keys: string[]): Promise<(Record<string, string> | null)[]> {
  if (keys.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.hgetall(key);
  return (await pipeline.exec()).map(asRecord);
}

async function pipelineHget(redis: Redis, keys: string[], field: string): Promise<(string | null)[]> {
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.hget(key, field);
  return (await pipeline.exec()) as (string | null)[];
}
