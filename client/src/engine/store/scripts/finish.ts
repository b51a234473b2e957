/**
 * finish.lua: records the one outcome of an invocation atomically (with the journal entries of
 * sleeps first reached), fenced by its generation. Reply: true when recorded (or already recorded
 * by a repeat of this call), "cancelled" when the run was cancelled while the invocation ran and is
 * closed instead (nothing to publish), "woken" when a step waiting in this invocation got its event
 * and the run is pending instead of parked (publish it now), "failure-recorded" when the run was
 * dead-lettered with its run-failed event (publish that event to the router), false when fenced out.
 */
import { defineScript } from "./define.ts";

export type Finished = boolean | "cancelled" | "woken" | "failure-recorded";

export const finishScript = defineScript("finish", (reply): Finished =>
  reply === 2 ? "cancelled" : reply === 3 ? "woken" : reply === 4 ? "failure-recorded" : reply === 1,
);
