/**
 * The engine's records as the API, the CLI and the dashboard see them.
 */
import type { EventState, RunState } from "./keys.ts";

export type { EventState } from "./keys.ts";

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

export interface ErrorRecord {
  name: string;
  message: string;
  stack?: string;
  /** The step that threw, when the error came from a step. */
  step?: string;
}

export interface StepRecord {
  id: string;
  /** "waiting": a step.waitForEvent whose event has not come (see waitFor, timeoutAt). */
  status: "completed" | "sleeping" | "waiting";
  result?: JsonValue;
  startedAt?: number;
  endedAt?: number;
  /** Size of the stored result: UTF-8 bytes of its JSON (absent while a step sleeps). */
  size?: number;
  attempt?: number;
  wakeAt?: number;
  /** A step.waitForEvent: the event it waits (or waited) for, and the matched path and value. */
  waitFor?: { event: string; match?: string; value?: JsonValue };
  /** When a step.waitForEvent gives up (returns null). */
  timeoutAt?: number;
  /** The event a step.waitForEvent received. */
  eventId?: string;
}

/** Who cancelled a run, why and when. */
export interface Cancellation {
  /** Who or what: "dashboard", "cli:alice", "cancelOn order.cancelled (evt_…)", or what the API caller said. */
  by: string;
  reason?: string;
  at: number;
}

export interface AttemptRecord {
  attempt?: number;
  outcome: string;
  startedAt?: number;
  endedAt: number;
  error?: ErrorRecord;
  nextAt?: number;
  steps?: string[];
  /** A problem the engine worked around in this attempt (a backoffSchedule that gave no duration). */
  warning?: string;
  /** On the "cancelled" entry: who cancelled the run, and why; on a "rerun" entry: who re-ran it. */
  by?: string;
  reason?: string;
  /** On a "rerun" entry (a new series of attempts starts): which re-run (1 for the first), the step it
   * started from (absent: from the start) and the steps it runs again, in step order. */
  series?: number;
  fromStep?: string;
  runAgain?: string[];
}

export interface RunRecord {
  id: string;
  eventId: string;
  workload: string;
  state: RunState;
  attempt: number;
  maxRetries: number;
  createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  nextAt?: number;
  manualRetries: number;
  lastError?: ErrorRecord;
  /** Set once the run is cancelled (or, while its invocation finishes the running step, being cancelled). */
  cancellation?: Cancellation;
  steps: StepRecord[];
  attempts: AttemptRecord[];
}

export interface EventSummary {
  id: string;
  name: string;
  data: JsonValue;
  priority: number;
  createdAt: number;
  delayUntil?: number;
  idempotencyKey?: string;
  routedAt?: number;
  state: EventState;
  /** How many of the event's runs are in each state. */
  runStates: Partial<Record<RunState, number>>;
}

export interface EventDetail extends EventSummary {
  runs: RunRecord[];
}

/** What `GET /stats` answers: how many events are in each state, overall and per event name. */
export interface EventStats {
  /** Events per state; an event counts once in every state one of its runs is in. */
  states: Record<EventState, number>;
  /** Every event name with events, most events first. */
  names: { name: string; total: number; states: Partial<Record<EventState, number>> }[];
}
