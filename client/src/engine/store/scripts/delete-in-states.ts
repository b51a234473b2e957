/**
 * delete-in-states.lua: deletes the runs of some events that are in some states (checked
 * atomically); an event without runs goes whole when its own state is selected.
 * Reply: RunsDeleted.
 */
import { decodeRunsDeleted } from "./delete-runs.ts";
import { defineScript } from "./define.ts";

export const deleteInStatesScript = defineScript("delete-in-states", (reply) =>
  decodeRunsDeleted("delete-in-states", reply),
);
