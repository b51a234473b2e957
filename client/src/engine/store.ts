/**
 * The engine's state in Redis: every write is one Lua script (one round trip, atomic, fenced where
 * it concerns a run); reads for the API are pipelined. Nothing outside this module touches the keys.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "@upstash/redis";
import {
  EVENT_STATES,
  RUN_STATES,
  engineKeys,
  type EngineKeys,
  type EventState,
  type RunState,
} from "./keys.ts";
import { runScript } from "./scripts.ts";
import type { EngineSettings } from "./settings.ts";
import type {
  AttemptRecord,
  ErrorRecord,
  EventDetail,
  EventStats,
  EventSummary,
  JsonValue,
  RunRecord,
  StepRecord,
} from "./types.ts";

/**
 * Index entries one page script looks at, at most (see lua/page.lua): a script holds Upstash's lock
 * while it runs, so a stretch of expired entries answers a short page rather than a long lock; and
 * the page size of the bulk operations, which read ids only.
 */
const LIST_SCAN_LIMIT = 1000;
const BULK_PAGE = 1000;
const BULK_SCAN_LIMIT = 2000;
/** Expired index entries the stats script removes per index and call (see lua/stats.lua). */
const STATS_PRUNE_LIMIT = 100;
/** Event names counted per call; a site with more names sees the first this many. */
const STATS_MAX_NAMES = 500;

export interface NewEvent {
  id: string;
  name: string;
  /** JSON text of the event data. */
  data: string;
  priority: number;
  createdAt: number;
  delayUntil?: number;
  idempotencyKey?: string;
}

export interface RouteTarget {
  name: string;
  url: string;
  maxRetries: number;
}

export interface PublishTarget {
  runId: string;
  url: string;
  /** The run's generation when the delivery is published; it travels with the delivery (see undelivered.ts). */
  generation: number;
}

export type ClaimResult =
  | {
      status: "claimed";
      generation: number;
      attempt: number;
      eventId: string;
      workload: string;
      eventName: string;
      data: string;
      priority: number;
      createdAt: number;
      journal: Map<string, string>;
      url: string;
      maxRetries: number;
      /** When the run was due (0 if at once): a delivery that came early waits until then. */
      dueAt: number;
    }
  | { status: "busy" | "missing" | "dead-lettered" }
  | { status: "early"; nextAt: number }
  | { status: "done"; state: RunState };

export interface Outcome {
  kind: "completed" | "dead-lettered" | "delayed" | "sleeping" | "pending";
  now: number;
  /** When the run should be delivered again (delayed, sleeping, pending). */
  nextAt?: number;
  attempt?: AttemptRecord;
  lastError?: ErrorRecord;
  nextAttempt?: number;
  /** Journal entries to write with the outcome (the wake times of sleeps first reached). */
  steps?: { id: string; record: string }[];
}

export interface DueEntry {
  kind: "route" | "run";
  id: string;
  /** The event name for a route, the workload URL for a run. */
  target: string;
  /** A run's generation (0 for a route). */
  generation: number;
}

export type FailedDelivery =
  | { status: "delayed"; generation: number; url: string; attempt: number; nextAt: number }
  | { status: "dead-lettered" | "stale" };

export interface ListQuery {
  state?: EventState;
  name?: string;
  cursor?: string;
  limit: number;
}

/** What a run-level delete removed: runs, and events that went with their last run. */
export interface RunsDeleted {
  runs: number;
  events: number;
}

export class EngineStore {
  readonly keys: EngineKeys;

  constructor(
    readonly redis: Redis,
    readonly prefix: string,
    readonly settings: EngineSettings,
  ) {
    this.keys = engineKeys(prefix);
  }

  async enqueue(
    events: NewEvent[],
    now: number,
  ): Promise<{ id: string; status: "accepted" | "duplicate" }[]> {
    const args: (string | number)[] = [this.prefix, events.length, this.settings.idempotencyWindowMs];
    for (const event of events) {
      const dueAt = (event.delayUntil ?? now) + this.settings.outboxGraceMs;
      args.push(
        event.id,
        event.name.toLowerCase(),
        event.name,
        event.data,
        event.priority,
        event.createdAt,
        event.delayUntil ?? "",
        event.idempotencyKey ?? "",
        dueAt,
      );
    }
    const flat = await runScript<string[]>(this.redis, "enqueue", args);
    return pairs(flat).map(([id, status]) => ({ id, status: status as "accepted" | "duplicate" }));
  }

  /** The fields the router needs to evaluate event filters. */
  async loadEvent(eventId: string): Promise<{ name: string; data: string; priority: number } | null> {
    const [name, data, priority] = (await this.redis.hmget(
      this.keys.event(eventId),
      "displayName",
      "data",
      "priority",
    )) as unknown as (string | null)[];
    if (name == null) return null;
    return { name, data: data ?? "null", priority: Number(priority ?? 0) };
  }

  async route(eventId: string, targets: RouteTarget[], now: number): Promise<PublishTarget[] | null> {
    const args: (string | number)[] = [
      this.prefix,
      eventId,
      now,
      now + this.settings.outboxGraceMs,
      this.settings.completedRetentionMs,
      targets.length,
    ];
    for (const target of targets) args.push(target.name, target.url, target.maxRetries);
    const flat = await runScript<string[] | null>(this.redis, "route", args);
    if (!flat) return null;
    // route.lua hands back only runs that were never claimed: still at generation 0.
    return pairs(flat).map(([runId, url]) => ({ runId, url, generation: 0 }));
  }

  /**
   * `token` identifies this call: a resend of it by the client (after a lost answer) carries the same
   * token and is answered as the first was, while a concurrent duplicate delivery's claim does not.
   */
  async claim(
    runId: string,
    now: number,
    leaseUntil: number,
    token: string = randomUUID(),
  ): Promise<ClaimResult> {
    const reply = await runScript<(string | string[])[]>(this.redis, "claim", [
      this.prefix,
      runId,
      now,
      leaseUntil,
      leaseUntil + this.settings.outboxGraceMs,
      this.settings.earlyToleranceMs,
      this.settings.completedRetentionMs,
      this.settings.deadLetteredRetentionMs,
      token,
    ]);
    const status = reply[0] as string;
    switch (status) {
      case "claimed": {
        const [
          ,
          generation,
          attempt,
          eventId,
          workload,
          eventName,
          data,
          priority,
          createdAt,
          journal,
          url,
          maxRetries,
          dueAt,
        ] = reply as string[];
        return {
          status,
          generation: Number(generation),
          attempt: Number(attempt),
          eventId: eventId!,
          workload: workload!,
          eventName: eventName!,
          data: data!,
          priority: Number(priority),
          createdAt: Number(createdAt),
          journal: new Map(pairs(journal as unknown as string[])),
          url: url!,
          maxRetries: Number(maxRetries),
          dueAt: Number(dueAt || 0),
        };
      }
      case "early":
        return { status, nextAt: Number(reply[1]) };
      case "done":
        return { status, state: reply[1] as RunState };
      case "busy":
      case "missing":
      case "dead-lettered":
        return { status };
      default:
        throw new Error(`Unexpected claim reply: ${status}`);
    }
  }

  async checkpoint(runId: string, generation: number, stepId: string, record: string): Promise<boolean> {
    const written = await runScript<number>(this.redis, "checkpoint", [
      this.prefix,
      runId,
      generation,
      stepId,
      record,
    ]);
    return written === 1;
  }

  async finish(runId: string, generation: number, outcome: Outcome): Promise<boolean> {
    const nextAt = outcome.nextAt ?? outcome.now;
    const written = await runScript<number>(this.redis, "finish", [
      this.prefix,
      runId,
      generation,
      outcome.kind,
      outcome.now,
      nextAt,
      nextAt + this.settings.outboxGraceMs,
      outcome.attempt ? JSON.stringify(outcome.attempt) : "",
      outcome.lastError ? JSON.stringify(outcome.lastError) : "",
      outcome.nextAttempt ?? "",
      this.settings.completedRetentionMs,
      this.settings.deadLetteredRetentionMs,
      ...(outcome.steps ?? []).flatMap((step) => [step.id, step.record]),
    ]);
    return written === 1;
  }

  async retryRuns(runIds: string[], now: number): Promise<PublishTarget[]> {
    if (runIds.length === 0) return [];
    const flat = await runScript<string[]>(this.redis, "retry", [
      this.prefix,
      now,
      now + this.settings.outboxGraceMs,
      ...runIds,
    ]);
    const targets: PublishTarget[] = [];
    for (let i = 0; i + 2 < flat.length; i += 3) {
      targets.push({ runId: flat[i]!, url: flat[i + 1]!, generation: Number(flat[i + 2]) });
    }
    return targets;
  }

  /**
   * Records a run's delivery that QStash gave up on as a failed attempt (lua/fail-delivery.lua),
   * fenced by the generation the delivery carried. `retryDelay` gives the backoff after an attempt.
   */
  async failDelivery(
    runId: string,
    generation: number,
    error: ErrorRecord,
    now: number,
    retryDelay: (attempt: number) => number,
  ): Promise<FailedDelivery> {
    // The backoff depends on the attempt, so it is read first; the script checks it is unchanged.
    const read = await this.redis.hget<string | number>(this.keys.run(runId), "attempt");
    if (read == null) return { status: "stale" };
    const attempt = String(read);
    const nextAt = now + retryDelay(Number(attempt));
    const answer = await runScript<string[]>(this.redis, "fail-delivery", [
      this.prefix,
      runId,
      generation,
      attempt,
      now,
      JSON.stringify(error),
      nextAt,
      nextAt + this.settings.outboxGraceMs,
      this.settings.completedRetentionMs,
      this.settings.deadLetteredRetentionMs,
    ]);
    if (answer[0] !== "delayed") return { status: answer[0] as "dead-lettered" | "stale" };
    return {
      status: "delayed",
      generation: Number(answer[1]),
      url: answer[2]!,
      attempt: Number(answer[3]),
      nextAt,
    };
  }

  async deleteEvents(eventIds: string[]): Promise<number> {
    if (eventIds.length === 0) return 0;
    return runScript<number>(this.redis, "delete", [this.prefix, ...eventIds]);
  }

  /** Deletes single runs; an event goes with its last run. */
  deleteRuns(runIds: string[]): Promise<RunsDeleted> {
    return this.deleteRunsBy("delete-runs", [], runIds);
  }

  /** Deletes the runs of these events that are in one of the states (checked atomically). */
  deleteRunsInStates(eventIds: string[], states: readonly EventState[]): Promise<RunsDeleted> {
    return this.deleteRunsBy("delete-in-states", [states.length, ...states], eventIds);
  }

  /** Both run-level deletes take the retentions (for the events they keep), then their own arguments. */
  private async deleteRunsBy(
    script: "delete-runs" | "delete-in-states",
    scriptArgs: (string | number)[],
    ids: string[],
  ): Promise<RunsDeleted> {
    if (ids.length === 0) return { runs: 0, events: 0 };
    const [runs, events] = await runScript<[number, number]>(this.redis, script, [
      this.prefix,
      this.settings.completedRetentionMs,
      this.settings.deadLetteredRetentionMs,
      ...scriptArgs,
      ...ids,
    ]);
    return { runs, events };
  }

  /** Events per state, overall and per event name (most events first), in one round trip. */
  async stats(): Promise<EventStats> {
    const flat = await runScript<(string | number)[]>(this.redis, "stats", [
      this.prefix,
      STATS_PRUNE_LIMIT,
      STATS_MAX_NAMES,
    ]);
    const countsAt = (offset: number): Record<EventState, number> =>
      Object.fromEntries(EVENT_STATES.map((state, i) => [state, Number(flat[offset + i])])) as Record<
        EventState,
        number
      >;
    const states = countsAt(0);
    const names: EventStats["names"] = [];
    const width = 2 + EVENT_STATES.length;
    for (let at = EVENT_STATES.length; at + width <= flat.length; at += width) {
      const counts = countsAt(at + 2);
      names.push({
        name: String(flat[at]),
        total: Number(flat[at + 1]),
        states: Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0)),
      });
    }
    names.sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
    return { states, names };
  }

  async dueEntries(now: number, limit: number): Promise<DueEntry[]> {
    const flat = await runScript<string[]>(this.redis, "reconcile", [
      this.prefix,
      now,
      limit,
      now + this.settings.outboxGraceMs,
    ]);
    const entries: DueEntry[] = [];
    for (let i = 0; i + 3 < flat.length; i += 4) {
      entries.push({
        kind: flat[i] as "route" | "run",
        id: flat[i + 1]!,
        target: flat[i + 2]!,
        generation: Number(flat[i + 3] || 0),
      });
    }
    return entries;
  }

  /** The run ids of events, optionally only those in one state. */
  async runIdsOf(eventIds: string[], state?: RunState): Promise<string[]> {
    if (eventIds.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const id of eventIds) pipeline.hget(this.keys.event(id), "runs");
    const runLists = (await pipeline.exec()) as (string | null)[];
    const runIds = runLists.flatMap((list) => (list ? list.split(",") : []));
    if (!state || runIds.length === 0) return runIds;
    const states = await this.pipelineHget(
      runIds.map((id) => this.keys.run(id)),
      "state",
    );
    return runIds.filter((_, i) => states[i] === state);
  }

  /** Every event id in an index, newest first (for bulk retry and delete), without reading the events. */
  async eventIdsIn(query: { state?: EventState; name?: string }): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.pageOfIds({ ...query, cursor, limit: BULK_PAGE }, BULK_SCAN_LIMIT);
      ids.push(...page.ids);
      cursor = page.cursor ?? undefined;
    } while (cursor);
    return ids;
  }

  /** A page of events, newest first: the ids chosen in Redis (lua/page.lua), then only those events read. */
  async listEvents(query: ListQuery): Promise<{ events: EventSummary[]; cursor: string | null }> {
    const { ids, cursor } = await this.pageOfIds(query, LIST_SCAN_LIMIT);
    const records = await this.pipelineHgetall(ids.map((id) => this.keys.event(id)));
    // An event deleted between the two calls is left out.
    const events = records.flatMap((record) => (record ? [toSummary(record)] : []));
    return { events, cursor };
  }

  private async pageOfIds(
    query: ListQuery,
    scanLimit: number,
  ): Promise<{ ids: string[]; cursor: string | null }> {
    const { score, skip } = parseCursor(query.cursor);
    const [more, nextScore, nextSkip, ...ids] = await runScript<(string | number)[]>(this.redis, "page", [
      this.prefix,
      query.state ?? "",
      query.name?.toLowerCase() ?? "",
      score,
      skip,
      query.limit,
      scanLimit,
    ]);
    return { ids: ids.map(String), cursor: Number(more) ? `${nextScore}:${nextSkip}` : null };
  }

  async getEvent(eventId: string): Promise<EventDetail | null> {
    const record = asRecord(await this.redis.hgetall(this.keys.event(eventId)));
    if (!record?.id) return null;
    const runIds = record.runs ? record.runs.split(",") : [];
    const pipeline = this.redis.pipeline();
    for (const runId of runIds) {
      pipeline.hgetall(this.keys.run(runId));
      pipeline.hgetall(this.keys.runSteps(runId));
      pipeline.lrange(this.keys.runAttempts(runId), 0, -1);
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

  private async pipelineHgetall(keys: string[]): Promise<(Record<string, string> | null)[]> {
    if (keys.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.hgetall(key);
    return (await pipeline.exec()).map(asRecord);
  }

  private async pipelineHget(keys: string[], field: string): Promise<(string | null)[]> {
    const pipeline = this.redis.pipeline();
    for (const key of keys) pipeline.hget(key, field);
    return (await pipeline.exec()) as (string | null)[];
  }
}

/**
 * Hash replies as the REST API returns them with automatic deserialization off (a flat
 * field/value list), which keeps every value the exact string that was stored.
 */
function asRecord(reply: unknown): Record<string, string> | null {
  if (!Array.isArray(reply) || reply.length === 0) return null;
  return Object.fromEntries(pairs(reply as string[]));
}

function pairs(flat: string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]!, flat[i + 1]!]);
  return out;
}

function parseCursor(cursor: string | undefined): { score: number | "+inf"; skip: number } {
  if (!cursor) return { score: "+inf", skip: 0 };
  const [score, skip] = cursor.split(":");
  if (!score || !/^\d+$/.test(score) || !skip || !/^\d+$/.test(skip)) {
    throw new RangeError(`cursor: "${cursor}" is not a cursor this API returned`);
  }
  return { score: Number(score), skip: Number(skip) };
}

const ACTIVE_ORDER: RunState[] = [
  "processing",
  "pending",
  "delayed",
  "sleeping",
  "dead-lettered",
  "completed",
];

/** An event's state is the most active state among its runs. */
function stateOf(runStates: Partial<Record<RunState, number>>): RunState {
  return ACTIVE_ORDER.find((state) => runStates[state]) ?? "completed";
}

function toSummary(record: Record<string, string>): EventSummary {
  const runStates: Partial<Record<RunState, number>> = {};
  for (const state of RUN_STATES) {
    const n = Number(record[`n:${state}`] ?? 0);
    if (n > 0) runStates[state] = n;
  }
  const state: EventState = record.routedAt && !record.runs ? "unmatched" : stateOf(runStates);
  return {
    id: record.id!,
    name: record.displayName ?? record.name!,
    data: parseJson(record.data ?? "null"),
    priority: Number(record.priority ?? 0),
    createdAt: Number(record.createdAt),
    ...(record.delayUntil ? { delayUntil: Number(record.delayUntil) } : {}),
    ...(record.idempotencyKey ? { idempotencyKey: record.idempotencyKey } : {}),
    ...(record.routedAt ? { routedAt: Number(record.routedAt) } : {}),
    state,
    runStates,
  };
}

function toRun(run: Record<string, string>, steps: Record<string, string>, attempts: string[]): RunRecord {
  const optionalNumber = (value: string | undefined) => (value ? Number(value) : undefined);
  return {
    id: run.id!,
    eventId: run.eventId!,
    workload: run.workload!,
    state: run.state as RunState,
    attempt: Number(run.attempt),
    maxRetries: Number(run.maxRetries),
    createdAt: Number(run.createdAt),
    startedAt: optionalNumber(run.startedAt),
    finishedAt: optionalNumber(run.finishedAt),
    nextAt: optionalNumber(run.nextAt),
    manualRetries: Number(run.manualRetries ?? 0),
    lastError: run.lastError ? (JSON.parse(run.lastError) as ErrorRecord) : undefined,
    steps: Object.entries(steps)
      .map(([id, text]) => stepRecord(id, text))
      .sort((a, b) => (a.startedAt ?? a.wakeAt ?? 0) - (b.startedAt ?? b.wakeAt ?? 0)),
    attempts: attempts.map((text) => JSON.parse(text) as AttemptRecord),
  };
}

function parseJson(text: string): JsonValue {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return text;
  }
}

const utf8 = new TextEncoder();

/** A journal entry as the API shows it, with its result's size as stored (UTF-8 bytes of its JSON). */
function stepRecord(id: string, text: string): StepRecord {
  const record = JSON.parse(text) as Omit<StepRecord, "id" | "size">;
  if (record.result === undefined) return { id, ...record };
  return { id, ...record, size: utf8.encode(JSON.stringify(record.result)).length };
}
