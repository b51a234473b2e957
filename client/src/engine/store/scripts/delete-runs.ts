/**
 * delete-runs.lua: deletes single runs; an event goes with its last run.
 * Reply: RunsDeleted (runs, and events that went with their last run).
 */
import { defineScript } from "./define.ts";
import { asList } from "./reply.ts";

/** What a run-level delete removed: runs, and events that went with their last run. */
export interface RunsDeleted {
  runs: number;
  events: number;
}

/** The reply of both run-level deletes (delete-runs.lua, delete-in-states.lua): { runs, events }. */
export function decodeRunsDeleted(script: string, reply: unknown): RunsDeleted {
  const [runs, events] = asList(script, reply);
  return { runs: runs as number, events: events as number };
}

export const deleteRunsScript = defineScript("delete-runs", (reply) =>
  decodeRunsDeleted("delete-runs", reply),
);
