/**
 * The engine's state in Redis, behind one object (EngineStore) for the rest of the engine: every
 * write is one Lua script (one round trip, atomic, fenced where it concerns a run), each in
 * scripts/<name>.lua with its typed wrapper scripts/<name>.ts beside it; reads for the API are
 * pipelined (reads.ts, mapped by records.ts); list cursors are cursor.ts's. This module only turns
 * the engine's calls (and its settings) into each script's arguments object. Nothing outside this
 * folder touches the keys.
 */
import { randomUUID } from "node:crypto";
import type { Redis } from "@upstash/redis";
import { engineKeys, type EngineKeys, type EventState, type RunState } from "../keys.ts";
import type { EngineSettings } from "../settings.ts";
import type {
  AttemptRecord,
  Cancellation,
  ErrorRecord,
  EventDetail,
  EventStats,
  EventSummary,
} from "../types.ts";
import { formatCursor, parseCursor } from "./cursor.ts";
import * as reads from "./reads.ts";
import { cancelScript, type CancelledRun } from "./scripts/cancel.ts";
import { checkpointScript, type Checkpointed } from "./scripts/checkpoint.ts";
import { claimScript, type ClaimResult } from "./scripts/claim.ts";
import { deleteInStatesScript } from "./scripts/delete-in-states.ts";
import { deleteRunsScript, type RunsDeleted } from "./scripts/delete-runs.ts";
import { deleteScript } from "./scripts/delete.ts";
import { enqueueScript, type Enqueued } from "./scripts/enqueue.ts";
import { failDeliveryScript } from "./scripts/fail-delivery.ts";
import { finishScript, type Finished } from "./scripts/finish.ts";
import { waitScript, type WaitAnswer } from "./scripts/wait.ts";
import { pageScript } from "./scripts/page.ts";
import { reconcileScript, type DueEntry } from "./scripts/reconcile.ts";
import { retryScript } from "./scripts/retry.ts";
import { rerunScript, type RerunAnswer } from "./scripts/rerun.ts";
import { slotsAcquireScript } from "./scripts/slots-acquire.ts";
import { throttleTakeScript, type ThrottleVerdict } from "./scripts/throttle-take.ts";
import { rateLimitScript } from "./scripts/rate-limit.ts";
import { debounceTakeScript, type DebounceVerdict } from "./scripts/debounce-take.ts";
import { slotsReleaseScript } from "./scripts/slots-release.ts";
import { routeScript, type PublishTarget } from "./scripts/route.ts";
import { routingTableScript } from "./scripts/routing-table.ts";
import { statsScript } from "./scripts/stats.ts";

export type { ClaimResult } from "./scripts/claim.ts";
export type { Enqueued } from "./scripts/enqueue.ts";
export type { DueEntry } from "./scripts/reconcile.ts";
export type { PublishTarget } from "./scripts/route.ts";
export type { RunsDeleted } from "./scripts/delete-runs.ts";
export type { CancelledRun } from "./scripts/cancel.ts";
export type { RerunAnswer } from "./scripts/rerun.ts";

/**
 * Index entries one page script looks at, at most (see scripts/page.lua): a script holds Upstash's
 * lock while it runs, so a stretch of expired entries answers a short page rather than a long lock;
 * and the page size of the bulk operations, which read ids only.
 */
const LIST_SCAN_LIMIT = 1000;
const BULK_PAGE = 1000;
const BULK_SCAN_LIMIT = 2000;
/** Expired index entries the stats script removes per index and call (see scripts/stats.lua). */
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
  /** How many events led to this one through workloads' sends; absent for 0. */
  chain?: number;
  /**
   * May be routed at send (it is neither delayed nor internal): its runs are created in the script
   * that persists it if the router's routing table is there and no subscriber of its name filters.
   */
  atSend?: boolean;
}

export interface RouteTarget {
  name: string;
  url: string;
  maxRetries: number;
}

/**
 * The router's registry as the routing table stores it (keys.ts routingTable): per lower-cased event
 * name with subscribers, its unfiltered subscribers as JSON [[workload, url, maxRetries], ...] or
 * `filtered`; `digest` identifies the registry, so an unchanged one is not written again.
 */
export interface RoutingTable {
  digest: string;
  entries: Record<string, string>;
}

export interface Outcome {
  /**
   * "cancelled": the run was cancelled while this invocation ran (finish.lua closes it). "skipped":
   * a rateLimit refused its start (final, kept like a completed run).
   */
  kind: "completed" | "dead-lettered" | "delayed" | "sleeping" | "pending" | "cancelled" | "skipped";
  now: number;
  /** When the run should be delivered again (delayed, sleeping, pending). */
  nextAt?: number;
  attempt?: AttemptRecord;
  lastError?: ErrorRecord;
  nextAttempt?: number;
  /** Journal entries to write with the outcome (the wake times of sleeps first reached). */
  steps?: { id: string; record: string }[];
}

/** The event a run that is dead-lettered emits (engine/run-failed.ts): its new id, and its name. */
export interface NewFailureEvent {
  id: string;
  name: string;
}

export type FailedDelivery =
  | { status: "delayed"; generation: number; url: string; attempt: number; nextAt: number }
  | { status: "dead-lettered"; failureEventId?: string }
  | { status: "stale" };

export interface ListQuery {
  state?: EventState;
  name?: string;
  /**
   * Only events with a run that flow control holds back (implies state "pending"). The page is
   * chosen first and filtered after, so a page may be short: follow the cursor.
   */
  held?: boolean;
  cursor?: string;
  limit: number;
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

  /** The retentions every script that may end a run or an event takes. */
  private get ttls() {
    return {
      ttlCompleted: this.settings.completedRetentionMs,
      ttlDead: this.settings.deadLetteredRetentionMs,
    };
  }

  enqueue(events: NewEvent[], now: number): Promise<Enqueued[]> {
    return enqueueScript.run(this.redis, {
      prefix: this.prefix,
      idempotencyTtlMs: this.settings.idempotencyWindowMs,
      ttlCompleted: this.settings.completedRetentionMs,
      events: events.map((event) => ({
        id: event.id,
        name: event.name.toLowerCase(),
        displayName: event.name,
        data: event.data,
        priority: event.priority,
        createdAt: event.createdAt,
        delayUntil: event.delayUntil ?? "",
        idempotencyKey: event.idempotencyKey ?? "",
        outboxAt: (event.delayUntil ?? now) + this.settings.outboxGraceMs,
        atSend: event.atSend ? "1" : "",
        chain: event.chain ?? 0,
      })),
    });
  }

  /** The fields the router needs to evaluate event filters. */
  loadEvent(
    eventId: string,
  ): Promise<{ name: string; data: string; priority: number; createdAt: number } | null> {
    return reads.loadEvent(this.redis, this.keys, eventId);
  }

  /**
   * Routes an event to `targets`; with `table`, also publishes the router's routing table (unless
   * unchanged), and with `manifest` (JSON) the workload manifest.
   */
  route(
    eventId: string,
    targets: RouteTarget[],
    now: number,
    table?: RoutingTable,
    manifest?: string,
  ): Promise<PublishTarget[] | null> {
    return routeScript.run(this.redis, {
      prefix: this.prefix,
      eventId,
      now,
      outboxAt: now + this.settings.outboxGraceMs,
      ttlCompleted: this.settings.completedRetentionMs,
      tableDigest: table?.digest ?? "",
      tableEntries: table ? JSON.stringify(table.entries) : "",
      tableTtlMs: this.settings.routingTableTtlMs,
      manifest: manifest ?? "",
      targets: targets.map((target) => ({
        workload: target.name,
        url: target.url,
        maxRetries: target.maxRetries,
      })),
    });
  }

  /**
   * Publishes the router's routing table without routing an event (false if the stored one is the
   * same), and with `manifest` (JSON) the workload manifest.
   */
  publishRoutingTable(table: RoutingTable, manifest?: string): Promise<boolean> {
    return routingTableScript.run(this.redis, {
      prefix: this.prefix,
      tableDigest: table.digest,
      tableEntries: JSON.stringify(table.entries),
      tableTtlMs: this.settings.routingTableTtlMs,
      manifest: manifest ?? "",
    });
  }

  /**
   * `token` identifies this call: a resend of it by the client (after a lost answer) carries the same
   * token and is answered as the first was, while a concurrent duplicate delivery's claim does not.
   */
  /** Whether a run under a debounce starts now, waits for its burst to be quiet, or was replaced. */
  takeDebounce(
    debounceKey: string,
    runId: string,
    now: number,
    eventAt: number,
    periodMs: number,
    maxWaitMs: number,
  ): Promise<DebounceVerdict> {
    return debounceTakeScript.run(this.redis, {
      prefix: this.prefix,
      debounceKey,
      runId,
      now,
      eventAt,
      periodMs,
      maxWaitMs,
    });
  }

  /**
   * A run's turn under a throttle (scripts/throttle-take.lua): start now, be delivered at its slot,
   * or wait to be called; with the waiting runs called for slots, to deliver. `recheck` once parked
   * after "wait": delivers the run if it was given a slot meanwhile.
   */
  takeThrottle(
    throttleKey: string,
    runId: string,
    now: number,
    interval: number,
    order: number,
    callAheadMs: number,
    mode: "take" | "recheck",
  ): Promise<ThrottleVerdict> {
    return throttleTakeScript.run(this.redis, {
      prefix: this.prefix,
      throttleKey,
      runId,
      now,
      interval,
      order,
      callAheadMs,
      outboxGraceMs: this.settings.outboxGraceMs,
      mode,
    });
  }

  /** Whether a run may start under a rateLimit (scripts/rate-limit.lua), or is skipped. */
  takeRateLimit(
    rateKey: string,
    runId: string,
    now: number,
    periodMs: number,
    limit: number,
  ): Promise<"run" | "skip"> {
    return rateLimitScript.run(this.redis, { prefix: this.prefix, rateKey, runId, now, periodMs, limit });
  }

  /** Takes a slot of every concurrency limit (`limits`: key, limit, ...) or makes the run wait for them. */
  acquireSlots(
    runId: string,
    now: number,
    slotUntil: number,
    order: number,
    limits: (string | number)[],
  ): Promise<"acquired" | "wait"> {
    return slotsAcquireScript.run(this.redis, { prefix: this.prefix, runId, now, slotUntil, order, limits });
  }

  /** Gives back the run's slots (or, without `release`, checks whether it was handed them) and hands out free ones. */
  releaseSlots(
    runId: string,
    release: boolean,
    now: number,
    handoffUntil: number,
    limits: (string | number)[],
  ): Promise<PublishTarget[]> {
    return slotsReleaseScript.run(this.redis, {
      prefix: this.prefix,
      runId,
      release: release ? 1 : 0,
      now,
      handoffUntil,
      limits,
    });
  }

  /** A run whose last attempt's invocation died is dead-lettered here, and emits `failureEvent` as finish does. */
  claim(
    runId: string,
    now: number,
    leaseUntil: number,
    token: string = randomUUID(),
    failureEvent?: NewFailureEvent,
  ): Promise<ClaimResult> {
    return claimScript.run(this.redis, {
      prefix: this.prefix,
      runId,
      now,
      leaseUntil,
      outboxAt: leaseUntil + this.settings.outboxGraceMs,
      earlyToleranceMs: this.settings.earlyToleranceMs,
      ...this.ttls,
      claimToken: token,
      failureEventId: failureEvent?.id ?? "",
      failureEventName: failureEvent?.name ?? "",
      failureOutboxAt: now + this.settings.outboxGraceMs,
    });
  }

  checkpoint(runId: string, generation: number, stepId: string, record: string): Promise<Checkpointed> {
    return checkpointScript.run(this.redis, { prefix: this.prefix, runId, generation, stepId, record });
  }

  /** step.waitForEvent's look back and registration, or its end at the timeout (scripts/wait.lua). */
  waitForEvent(
    runId: string,
    generation: number,
    wait: {
      stepId: string;
      now: number;
      eventName: string;
      path: string;
      value: string;
      timeoutAt: number;
      expression: string;
      condition: string;
    },
  ): Promise<WaitAnswer> {
    return waitScript.run(this.redis, {
      prefix: this.prefix,
      runId,
      generation,
      ...wait,
      eventName: wait.eventName.toLowerCase(),
    });
  }

  /**
   * Records an invocation's outcome. A dead-lettered run emits `failureEvent` (the run-failed event)
   * in the same script, answering "failure-recorded", unless its own event has that name.
   */
  finish(
    runId: string,
    generation: number,
    outcome: Outcome,
    failureEvent?: NewFailureEvent,
  ): Promise<Finished> {
    const nextAt = outcome.nextAt ?? outcome.now;
    return finishScript.run(this.redis, {
      prefix: this.prefix,
      runId,
      generation,
      outcome: outcome.kind,
      now: outcome.now,
      nextAt,
      outboxAt: nextAt + this.settings.outboxGraceMs,
      attemptRecord: outcome.attempt ? JSON.stringify(outcome.attempt) : "",
      lastError: outcome.lastError ? JSON.stringify(outcome.lastError) : "",
      nextAttempt: outcome.nextAttempt ?? "",
      ...this.ttls,
      failureEventId: outcome.kind === "dead-lettered" ? (failureEvent?.id ?? "") : "",
      failureEventName: failureEvent?.name ?? "",
      journal: (outcome.steps ?? []).map((step) => ({ stepId: step.id, record: step.record })),
    });
  }

  async retryRuns(runIds: string[], now: number): Promise<PublishTarget[]> {
    if (runIds.length === 0) return [];
    return retryScript.run(this.redis, {
      prefix: this.prefix,
      now,
      outboxAt: now + this.settings.outboxGraceMs,
      runIds,
    });
  }

  /**
   * Re-runs an ended run as a new series of attempts (scripts/rerun.lua): from the start, or from
   * `fromStep` (it and the steps started after it run again). Refused, changing nothing, when the
   * run is missing, has not ended, or has no such step.
   */
  rerunRun(runId: string, fromStep: string | undefined, by: string, now: number): Promise<RerunAnswer> {
    return rerunScript.run(this.redis, {
      prefix: this.prefix,
      runId,
      now,
      outboxAt: now + this.settings.outboxGraceMs,
      fromStep: fromStep ?? "",
      by,
    });
  }

  /** Cancels runs, keeping their history (scripts/cancel.lua); answers those that were active. */
  async cancelRuns(runIds: string[], cancellation: Cancellation, now: number): Promise<CancelledRun[]> {
    if (runIds.length === 0) return [];
    return cancelScript.run(this.redis, {
      prefix: this.prefix,
      now,
      cancellation: JSON.stringify(cancellation),
      ...this.ttls,
      runIds,
    });
  }

  /**
   * Records a run's delivery that QStash gave up on as a failed attempt (scripts/fail-delivery.lua),
   * fenced by the generation the delivery carried. `retryDelay` gives the backoff after an attempt;
   * a run it dead-letters emits `failureEvent`, as finish does.
   */
  async failDelivery(
    runId: string,
    generation: number,
    error: ErrorRecord,
    now: number,
    retryDelay: (attempt: number) => number,
    failureEvent?: NewFailureEvent,
  ): Promise<FailedDelivery> {
    // The backoff depends on the attempt, so it is read first; the script checks it is unchanged.
    const attempt = await reads.runAttempt(this.redis, this.keys, runId);
    if (attempt == null) return { status: "stale" };
    const nextAt = now + retryDelay(Number(attempt));
    const answer = await failDeliveryScript.run(this.redis, {
      prefix: this.prefix,
      runId,
      generation,
      attempt,
      now,
      lastError: JSON.stringify(error),
      retryAt: nextAt,
      outboxAt: nextAt + this.settings.outboxGraceMs,
      ...this.ttls,
      failureEventId: failureEvent?.id ?? "",
      failureEventName: failureEvent?.name ?? "",
      failureOutboxAt: now + this.settings.outboxGraceMs,
    });
    return answer.status === "delayed" ? { ...answer, nextAt } : answer;
  }

  async deleteEvents(eventIds: string[]): Promise<number> {
    if (eventIds.length === 0) return 0;
    return deleteScript.run(this.redis, { prefix: this.prefix, eventIds });
  }

  /** Deletes single runs; an event goes with its last run. */
  async deleteRuns(runIds: string[]): Promise<RunsDeleted> {
    if (runIds.length === 0) return { runs: 0, events: 0 };
    return deleteRunsScript.run(this.redis, { prefix: this.prefix, ...this.ttls, runIds });
  }

  /** Deletes the runs of these events that are in one of the states (checked atomically). */
  async deleteRunsInStates(eventIds: string[], states: readonly EventState[]): Promise<RunsDeleted> {
    if (eventIds.length === 0) return { runs: 0, events: 0 };
    return deleteInStatesScript.run(this.redis, { prefix: this.prefix, ...this.ttls, states, eventIds });
  }

  /** Events per state, overall and per event name (most events first), in one round trip. */
  stats(): Promise<EventStats> {
    return statsScript.run(this.redis, {
      prefix: this.prefix,
      pruneLimit: STATS_PRUNE_LIMIT,
      maxNames: STATS_MAX_NAMES,
    });
  }

  dueEntries(now: number, limit: number): Promise<DueEntry[]> {
    return reconcileScript.run(this.redis, {
      prefix: this.prefix,
      now,
      limit,
      nextOutboxAt: now + this.settings.outboxGraceMs,
    });
  }

  /** The run ids of events, optionally only those in one state. */
  runIdsOf(eventIds: string[], state?: RunState): Promise<string[]> {
    return reads.runIdsOf(this.redis, this.keys, eventIds, state);
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

  /** A page of events, newest first: the ids chosen in Redis (scripts/page.lua), then only those events read. */
  async listEvents(query: ListQuery): Promise<{ events: EventSummary[]; cursor: string | null }> {
    const { ids, cursor } = await this.pageOfIds(
      query.held ? { ...query, state: "pending" } : query,
      LIST_SCAN_LIMIT,
    );
    // An event deleted between the two calls is left out.
    const events = await reads.eventSummaries(this.redis, this.keys, ids);
    return { events: query.held ? events.filter((event) => event.held) : events, cursor };
  }

  private async pageOfIds(
    query: ListQuery,
    scanLimit: number,
  ): Promise<{ ids: string[]; cursor: string | null }> {
    const { score, skip } = parseCursor(query.cursor);
    const page = await pageScript.run(this.redis, {
      prefix: this.prefix,
      state: query.state ?? "",
      name: query.name?.toLowerCase() ?? "",
      score,
      skip,
      limit: query.limit,
      scanLimit,
    });
    return { ids: page.ids, cursor: formatCursor(page.next) };
  }

  /** The events with these ids, in one round trip; those gone are left out. */
  eventsById(eventIds: string[]): Promise<EventSummary[]> {
    return eventIds.length ? reads.eventSummaries(this.redis, this.keys, eventIds) : Promise.resolve([]);
  }

  getEvent(eventId: string): Promise<EventDetail | null> {
    return reads.getEvent(this.redis, this.keys, eventId);
  }

  /** The workload manifest the router published, as stored (JSON), or null before any. */
  async workloadManifest(): Promise<string | null> {
    const stored = await this.redis.get<string>(this.keys.workloadManifest);
    return stored == null ? null : String(stored);
  }
}
