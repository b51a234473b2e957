/**
 * The colour of each event and run state, shared by the table and the timeline, so "dead-lettered"
 * reads the same everywhere: red for what needs a person, yellow for what is retrying or ended without
 * running to completion (cancelled, skipped by a rateLimit), green for done.
 */
import type { EventState } from "@awl/client";
import type { Colors } from "../terminal.ts";

export function paintState(state: EventState, colors: Colors): string {
  switch (state) {
    case "completed":
      return colors.green(state);
    case "dead-lettered":
      return colors.red(state);
    case "delayed":
    case "cancelled":
    case "skipped":
      return colors.yellow(state);
    case "sleeping":
    case "pending":
    case "processing":
      return colors.cyan(state);
    default:
      return colors.dim(state);
  }
}
