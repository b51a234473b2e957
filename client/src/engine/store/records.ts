/**
 * Stored records as the API shows them: an event hash to an EventSummary, a run's hash, journal and
 * attempts to a RunRecord, and an event's state from its runs' (the most active one). Pure mapping:
 * reading the records is reads.ts's.
 */
import { RUN_STATES, type EventState, type RunState } from "../keys.ts";
import type {
  AttemptRecord,
  Cancellation,
  ErrorRecord,
  EventSummary,
  JsonValue,
  RunHold,
  RunRecord,
  StepRecord,
} from "../types.ts";
import { pairs } from "./scripts/reply.ts";

/**
 * Hash replies as the REST API returns them with automatic deserialization off (a flat
 * field/value list), which keeps every value the exact string that was stored.
 */
export function asRecord(reply: unknown): Record<string, string> | null {
  if (!Array.isArray(reply) || reply.length === 0) return null;
  return Object.fromEntries(pairs(reply as string[]));
}

const ACTIVE_ORDER: RunState[] = [
  "processing",
  "pending",
  "delayed",
  "sleeping",
  "dead-lettered",
  "cancelled",
  "skipped",
  "completed",
];

/** An event's state is the most active state among its runs. */
export function stateOf(runStates: Partial<Record<RunState, number>>): RunState {
  return ACTIVE_ORDER.find((state) => runStates[state]) ?? "completed";
}

export function toSummary(record: Record<string, string>): EventSummary {
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

export function toRun(
  run: Record<string, string>,
  steps: Record<string, string>,
  attempts: string[],
): RunRecord {
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
    ...(run.cancellation ? { cancellation: JSON.parse(run.cancellation) as Cancellation } : {}),
    ...(run.failureEventId ? { failureEventId: run.failureEventId } : {}),
    steps: Object.entries(steps)
      .map(([id, text]) => stepRecord(id, text))
      .sort((a, b) => (a.startedAt ?? a.wakeAt ?? 0) - (b.startedAt ?? b.wakeAt ?? 0)),
    attempts: attempts.map((text) => JSON.parse(text) as AttemptRecord),
  };
}

/** The outcomes of an attempt entry that parks a run for flow control (engine/execute.ts). */
const HOLDING_OUTCOMES = new Set(["waiting", "throttled", "debounced-wait"]);

/** What holds a pending run back, from its last attempt entry; undefined when that entry did not park it for flow control. */
export function runHold(last: AttemptRecord): RunHold | undefined {
  if (!last.hold || !HOLDING_OUTCOMES.has(last.outcome)) return undefined;
  return {
    ...last.hold,
    since: last.endedAt,
    ...(last.nextAt !== undefined && last.hold.by !== "concurrency" ? { until: last.nextAt } : {}),
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
  // A waiting step's `key` (the waiter's set) and `condition` (its `if`, parsed) are the engine's own: not shown.
  const record = JSON.parse(text) as Omit<StepRecord, "id" | "size"> & { key?: string; condition?: string };
  delete record.key;
  delete record.condition;
  if (record.result === undefined) return { id, ...record };
  return { id, ...record, size: utf8.encode(JSON.stringify(record.result)).length };
}
