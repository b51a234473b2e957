/**
 * The engine's reads, outside any script: an event's fields for the router, run ids, a run's
 * attempt, and the records the API lists and inspects. Pipelined, so each function is one round
 * trip (getEvent: two, the event and then its runs). Mapping the records is records.ts's.
 */
import type { Redis } from "@upstash/redis";
import { flowKey, type EngineKeys, type RunState } from "../keys.ts";
import type { AttemptRecord, EventDetail, EventSummary, RunHold, RunRecord } from "../types.ts";
import { asRecord, runHold, stateOf, toRun, toSummary } from "./records.ts";

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

/**
 * The summaries of these events, in order; an event deleted meanwhile is left out. An event with
 * pending runs also lists those that flow control holds back (`held`), read in one more round trip.
 */
export async function eventSummaries(redis: Redis, keys: EngineKeys, ids: string[]): Promise<EventSummary[]> {
  const records = await pipelineHgetall(
    redis,
    ids.map((id) => keys.event(id)),
  );
  const found = records.flatMap((record) => (record ? [record] : []));
  const summaries = found.map(toSummary);
  const pendingRuns = found.flatMap((record, i) =>
    summaries[i]!.runStates.pending && record.runs
      ? record.runs.split(",").map((runId) => ({ i, runId }))
      : [],
  );
  if (pendingRuns.length === 0) return summaries;
  const pipeline = redis.pipeline();
  for (const { runId } of pendingRuns) {
    pipeline.hget(keys.run(runId), "state");
    pipeline.lindex(keys.runAttempts(runId), -1);
  }
  const replies = (await pipeline.exec()) as (string | null)[];
  pendingRuns.forEach(({ i, runId }, n) => {
    const last = replies[n * 2 + 1];
    if (replies[n * 2] !== "pending" || !last) return;
    const hold = runHold(JSON.parse(last) as AttemptRecord);
    if (hold) summaries[i]!.held = [...(summaries[i]!.held ?? []), { runId, ...hold }];
  });
  return summaries;
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
  await readHolds(redis, keys, runs);
  // The runs were read after the event: derive the event's state from them, so a detail read
  // while a run changes state is consistent with itself.
  const summary = toSummary(record);
  if (runs.length === 0) return { ...summary, runs };
  const runStates: Partial<Record<RunState, number>> = {};
  for (const run of runs) runStates[run.state] = (runStates[run.state] ?? 0) + 1;
  return { ...summary, state: stateOf(runStates), runStates, runs };
}

/**
 * Sets `held` on each pending run that flow control holds back, with what only Redis knows now: a
 * debounced run's replacement (its burst's latest run), and for a run waiting for concurrency
 * slots, each limit's running runs and the run's place in its line (a run already handed its slots
 * is no longer held). No round trip without such a run; two with a concurrency wait.
 */
async function readHolds(redis: Redis, keys: EngineKeys, runs: RunRecord[]): Promise<void> {
  const held = runs.flatMap((run) => {
    const last = run.attempts.at(-1);
    const hold = run.state === "pending" && last ? runHold(last) : undefined;
    return hold ? [{ run, hold }] : [];
  });
  const live = held.filter(({ hold }) => hold.by !== "throttle");
  if (live.length === 0) {
    for (const { run, hold } of held) run.held = hold;
    return;
  }
  const pipeline = redis.pipeline();
  for (const { run, hold } of live) {
    if (hold.by === "debounce")
      pipeline.hget(keys.debounceBurst(flowKey(run.workload, hold.key ?? "")), "latest");
    else pipeline.hget(keys.slotsWaiting, run.id);
  }
  const replies = (await pipeline.exec()) as (string | null)[];
  const waiting: { run: RunRecord; hold: RunHold; slots: string[] }[] = [];
  live.forEach(({ run, hold }, i) => {
    const reply = replies[i];
    if (hold.by === "debounce" && reply && reply !== run.id) hold.supersededBy = reply;
    if (hold.by === "concurrency") {
      if (reply) waiting.push({ run, hold, slots: (JSON.parse(reply) as (string | number)[]).map(String) });
      else
        held.splice(
          held.findIndex((entry) => entry.run === run),
          1,
        );
    }
  });
  if (waiting.length > 0) {
    const now = Date.now();
    const counts = redis.pipeline();
    for (const { run, slots } of waiting) {
      for (let j = 0; j < slots.length; j += 2) {
        counts.zcount(keys.slotHolders(slots[j]!), now, "+inf");
        counts.zrank(keys.slotWaiters(slots[j]!), run.id);
      }
    }
    const answers = (await counts.exec()) as (number | null)[];
    let n = 0;
    for (const { hold, slots } of waiting) {
      hold.limits = (hold.limits ?? []).map((limit, j) => {
        if (j * 2 >= slots.length) return limit;
        const [running, rank] = [answers[n++], answers[n++]];
        return {
          ...limit,
          running: Number(running ?? 0),
          ...(rank != null ? { place: Number(rank) + 1 } : {}),
        };
      });
    }
  }
  for (const { run, hold } of held) run.held = hold;
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
