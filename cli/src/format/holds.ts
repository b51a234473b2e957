/**
 * What holds a pending run back, in words, for the events table and the timeline: a concurrency
 * limit ("waiting for a slot (limit 2, key tenant-a), 3rd in line"), a throttle ("throttled (key
 * tenant-a): starts at …") or a debounce ("debounced (key u1): runs at … unless a later event comes;
 * superseded by …"). The engine records the hold (RunHold); this only words it.
 */
import type { FlowHold, RunHold } from "@awl/client";
import { keyWords, slotWaitWords } from "@awl/client/api-client";
import { formatRelative, formatTime } from "./units.ts";

/** One line: what holds the run, its key, until when (relative to `now` when `relative`). */
export function describeHold(hold: RunHold, now: number, relative = true): string {
  const at = (time: number) => `${formatTime(time)}${relative ? ` (${formatRelative(time, now)})` : ""}`;
  switch (hold.by) {
    case "concurrency":
      return slotWaitWords(hold);
    case "throttle":
      return `throttled${keyWords(hold.key)}: starts at ${hold.until !== undefined ? at(hold.until) : "?"}`;
    case "debounce": {
      const due = hold.until !== undefined ? at(hold.until) : "?";
      return hold.supersededBy
        ? `debounced${keyWords(hold.key)}: superseded by ${hold.supersededBy}, ends without running at ${due}`
        : `debounced${keyWords(hold.key)}: runs at ${due} unless a later event with the same key comes`;
    }
  }
}

/** The hold an attempt entry recorded when it parked the run (the timeline's line for that attempt). */
export function describeParking(
  outcome: string,
  hold: FlowHold | undefined,
  nextAt: number | undefined,
  now: number,
): string | undefined {
  const at = (time: number | undefined) =>
    time === undefined ? "?" : `${formatTime(time)} (${formatRelative(time, now)})`;
  const key = keyWords(hold?.key);
  switch (outcome) {
    case "waiting":
      return hold ? `parked ${slotWaitWords(hold)}` : "parked waiting for a concurrency slot";
    case "throttled":
      return `throttled${key}: start reserved at ${at(nextAt)}`;
    case "debounced-wait":
      return `debounced${key}: due at ${at(nextAt)} if no later event with the same key comes`;
    case "debounced":
      return `not run (debounced${key}): superseded by ${hold?.supersededBy ?? "a later event's run"}`;
    default:
      return undefined;
  }
}
