/**
 * Every Redis key the engine uses, in one place. The Lua scripts build the same keys from the prefix
 * (see store/scripts/lib.lua); a change here must be mirrored there. Ids and names that reach a key are
 * validated first (see ../events/limits.ts), so user input cannot address another key.
 */
export const RUN_STATES = [
  "pending",
  "processing",
  "delayed",
  "sleeping",
  "completed",
  "dead-lettered",
  "cancelled",
  "skipped",
] as const;
export type RunState = (typeof RUN_STATES)[number];

/**
 * The states a run ends in: nothing delivers it again, and it is kept for its retention
 * (dead-lettered: `deadLetteredRetentionMs`; the others: `completedRetentionMs`). `skipped`: a
 * rateLimit refused the run's start (engine/rate-limit.ts). lib.lua's is_final names the same
 * states (checked by store/scripts/scripts.test.ts).
 */
export const FINAL_RUN_STATES = [
  "completed",
  "dead-lettered",
  "cancelled",
  "skipped",
] as const satisfies readonly RunState[];

/**
 * What events are indexed, listed, counted and deleted by: the states of their runs, and
 * `unmatched` for an event no workload subscribes to (a typo in a name shows up there).
 * The Lua side's STATES (store/scripts/lib.lua) is generated from this list (`npm run generate:lua`).
 */
export const EVENT_STATES = [...RUN_STATES, "unmatched"] as const;
export type EventState = (typeof EVENT_STATES)[number];

/** Ends the event name in an idempotency key: a character no event name holds (limits.ts). */
export const IDEMPOTENCY_SEPARATOR = "#";

/** A routing table's value for an event name one of whose subscribers has an eventFilter (lib.lua ROUTES_FILTERED). */
export const ROUTING_TABLE_FILTERED = "filtered";

export function engineKeys(prefix: string) {
  return {
    event: (eventId: string) => `${prefix}ev:${eventId}`,
    run: (runId: string) => `${prefix}run:${runId}`,
    runSteps: (runId: string) => `${prefix}run:${runId}:steps`,
    runAttempts: (runId: string) => `${prefix}run:${runId}:attempts`,
    allEvents: `${prefix}idx:all`,
    eventsByName: (lowerCaseName: string) => `${prefix}idx:name:${lowerCaseName}`,
    /** Every lower-cased event name that has events, for the per-name counts. */
    eventNames: `${prefix}idx:names`,
    eventsByState: (state: EventState) => `${prefix}idx:state:${state}`,
    /** One state's events of one name; the state first, as it never holds a ':' (see lib.lua). */
    eventsByNameAndState: (state: EventState, lowerCaseName: string) =>
      `${prefix}idx:ns:${state}:${lowerCaseName}`,
    outbox: `${prefix}outbox`,
    /** The steps waiting (step.waitForEvent) for an event of a name with this value at this path (lib.lua wait_key). */
    waiters: (lowerCaseName: string, path: string, value: string) =>
      `${prefix}wait:${lowerCaseName}|${path}|${value}`,
    /** The match paths in use by waiting steps for an event name, each with its count of waiters. */
    waitPaths: (lowerCaseName: string) => `${prefix}waitpaths:${lowerCaseName}`,
    /**
     * One idempotency key of one (lower-cased) event name. Names may hold '/' (`orders/created`)
     * but never IDEMPOTENCY_SEPARATOR, so the first one ends the name and no (name, key) pair can
     * build another pair's key.
     */
    idempotency: (lowerCaseName: string, key: string) =>
      `${prefix}idem:${lowerCaseName}${IDEMPOTENCY_SEPARATOR}${key}`,
    /**
     * The router's routing table (a hash, expiring): `digest`, and per lower-cased event name with
     * subscribers `e:<name>`: the unfiltered subscribers as JSON [[workload, url, maxRetries], ...],
     * or `filtered` when a subscriber has an eventFilter (see store/scripts/lib.lua).
     */
    routingTable: `${prefix}routes`,
    /** The runs holding a slot of a concurrency limit, and those waiting for one (concurrency.ts slotLimits). */
    slotHolders: (slotKey: string) => `${prefix}slots:${slotKey}`,
    slotWaiters: (slotKey: string) => `${prefix}slots:${slotKey}:wait`,
    /** Per run waiting for concurrency slots, its limits as JSON [slotKey, limit, ...]. */
    slotsWaiting: `${prefix}slots-waiting`,
    /** A debounce key's current burst (hash: latest, latestAt, firstAt, dueAt; debounce-take.lua). */
    debounceBurst: (key: string) => `${prefix}debounce:${key}`,
    /** The workload manifest the router publishes (workload-manifest.ts), read by `GET /workloads`. */
    workloadManifest: `${prefix}workloads`,
  };
}

/**
 * A throttle's or a debounce's key: the workload and the key's value (throttle.ts, debounce.ts),
 * which the Lua scripts and the API's reads put after `throttle:` or `debounce:`.
 */
export function flowKey(workload: string, keyValue: string): string {
  return `${workload.toLowerCase()}:${encodeURIComponent(keyValue)}`;
}

export type EngineKeys = ReturnType<typeof engineKeys>;
