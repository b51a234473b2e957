/**
 * What holds a pending run back, in words, for the events table and the timeline: a concurrency
 * limit ("waiting for a slot (limit 2, key tenant-a), 3rd in line"), a throttle ("throttled (key
 * tenant-a): starts at …") or a debounce ("debounced (key u1): runs at … unless a later event comes;
 * superseded by …"). The engine records the hold (RunHold); this only words it.
 */
import type { FlowHold, RunHold } from "@awl/client";
import { formatRelative, formatTime } from "./units.ts";

/** "1st", "2nd", "3rd", "11th"... */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${n}${suffix}`;
}

const keyed = (key: string | undefined) => (key === undefined ? "" : ` (key ${JSON.stringify(key)})`);

/** The limits a waiting run is under: those known to be full, or all when nothing says which. */
function slotWait(hold: FlowHold): string {
  const limits = hold.limits ?? [];
  const full = limits.filter((limit) => limit.running !== undefined && limit.running >= limit.limit);
  const shown = full.length > 0 ? full : limits;
  const parts = shown.map((limit) => {
    const key = limit.key === undefined ? "" : `, key ${JSON.stringify(limit.key)}`;
    const place = limit.place !== undefined ? `, ${ordinal(limit.place)} in line` : "";
    return `limit ${limit.limit}${key}${place}`;
  });
  return `waiting for a slot (${parts.join("; ")})`;
}

/** One line: what holds the run, its key, until when (relative to `now` when `relative`). */
export function describeHold(hold: RunHold, now: number, relative = true): string {
  const at = (time: number) => `${formatTime(time)}${relative ? ` (${formatRelative(time, now)})` : ""}`;
  switch (hold.by) {
    case "concurrency":
      return slotWait(hold);
    case "throttle":
      return `throttled${keyed(hold.key)}: starts at ${hold.until !== undefined ? at(hold.until) : "?"}`;
    case "debounce": {
      const due = hold.until !== undefined ? at(hold.until) : "?";
      return hold.supersededBy
        ? `debounced${keyed(hold.key)}: superseded by ${hold.supersededBy}, ends without running at ${due}`
        : `debounced${keyed(hold.key)}: runs at ${due} unless a later event with the same key comes`;
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
  const key = keyed(hold?.key);
  switch (outcome) {
    case "waiting":
      return hold ? `parked ${slotWait(hold)}` : "parked waiting for a concurrency slot";
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
