/**
 * Every Redis key the engine uses, in one place. The Lua scripts build the same keys from the prefix
 * (see lua/lib.lua); a change here must be mirrored there. Ids and names that reach a key are
 * validated first (see ../events/limits.ts), so user input cannot address another key.
 */
export const EVENT_STATES = [
  "pending",
  "processing",
  "delayed",
  "sleeping",
  "completed",
  "dead-lettered",
] as const;
export type RunState = (typeof EVENT_STATES)[number];

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
    eventsByState: (state: RunState) => `${prefix}idx:state:${state}`,
    outbox: `${prefix}outbox`,
  };
}

export type EngineKeys = ReturnType<typeof engineKeys>;
