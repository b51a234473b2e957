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
  /**
   * "waiting": a step.waitForEvent whose event has not come (see waitFor, timeoutAt); "cancelled":
   * one whose run was cancelled while it waited.
   */
  status: "completed" | "sleeping" | "waiting" | "cancelled";
  result?: JsonValue;
  startedAt?: number;
  endedAt?: number;
  /** Size of the stored result: UTF-8 bytes of its JSON (absent while a step sleeps). */
  size?: number;
  attempt?: number;
  wakeAt?: number;
  /** A step.waitForEvent: the event it waits (or waited) for, the matched path and value, and its `if`. */
  waitFor?: { event: string; match?: string; value?: JsonValue; if?: string };
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

/**
 * What held a run's start back (engine/concurrency.ts, throttle.ts, debounce.ts), recorded on the
 * attempt entry that parked it (outcomes "waiting", "throttled", "debounced-wait", "debounced").
 */
export interface FlowHold {
  by: "concurrency" | "throttle" | "debounce";
  /** throttle, debounce: the key's value, when the option has a key. */
  key?: string;
  /** concurrency: every limit the run is under, with its key's value (and, in RunRecord.held, how full it is). */
  limits?: { limit: number; key?: string; running?: number; place?: number }[];
  /** debounce: the run with a later event of the same key, which runs instead of this one. */
  supersededBy?: string;
}

/** A pending run held back by flow control now: its attempt entry's hold, with what is read live. */
export interface RunHold extends FlowHold {
  /** When the run was parked. */
  since: number;
  /** throttle: the start time reserved for it; debounce: when the burst's quiet period ends. */
  until?: number;
}

export interface AttemptRecord {
  attempt?: number;
  outcome: string;
  startedAt?: number;
  endedAt: number;
  error?: ErrorRecord;
  nextAt?: number;
  steps?: string[];
  /**
   * A problem the engine worked around in this attempt (a backoffSchedule that gave no duration), or
   * why the run did not run: `debounced` (the later run that replaced it), `skipped` (the rateLimit,
   * e.g. "rateLimit 10 per 1m for key tenant-a exceeded").
   */
  warning?: string;
  /** On the "cancelled" entry: who cancelled the run, and why; on a "rerun" entry: who re-ran it. */
  by?: string;
  reason?: string;
  /** On an entry that parked the run for flow control: what held it back. */
  hold?: FlowHold;
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
  /** While the run is pending because flow control holds it back: by what, under which key, until when. */
  held?: RunHold;
  /** The `awl:run-failed` event its dead-lettering emitted (the latest, when retried and failed again). */
  failureEventId?: string;
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
  /** The event's pending runs that flow control holds back: what holds each, under which key, until when. */
  held?: (RunHold & { runId: string })[];
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
