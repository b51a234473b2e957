/**
 * What holds a pending run back, in words, for the events list, the run's facts and its attempts:
 * a concurrency limit ("waiting for a slot (limit 2, key "tenant-a"), 3rd in line"), a throttle or
 * a debounce, with its key and until when. The engine records the hold (RunHold); this words it.
 */
import type { FlowHold, RunHold } from "@awl/client/api-client";
import { formatRelative, formatTime } from "./format.ts";

/** "1st", "2nd", "3rd", "11th"... */
function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${n}${suffix}`;
}

const keyed = (key: string | undefined) => (key === undefined ? "" : ` (key ${JSON.stringify(key)})`);

/** The limits a waiting run is under: those known to be full, or all when nothing says which. */
function slotWait(hold: FlowHold): string {
  const limits = hold.limits ?? [];
  const full = limits.filter((limit) => limit.running !== undefined && limit.running >= limit.limit);
  const parts = (full.length > 0 ? full : limits).map((limit) => {
    const key = limit.key === undefined ? "" : `, key ${JSON.stringify(limit.key)}`;
    const place = limit.place !== undefined ? `, ${ordinal(limit.place)} in line` : "";
    return `limit ${limit.limit}${key}${place}`;
  });
  return `waiting for a slot (${parts.join("; ")})`;
}

/** One sentence: what holds the run, its key, until when. */
export function describeHold(hold: RunHold, now: number): string {
  const at = (time: number | undefined) =>
    time === undefined ? "?" : `${formatTime(time)} (${formatRelative(time, now)})`;
  switch (hold.by) {
    case "concurrency":
      return slotWait(hold);
    case "throttle":
      return `throttled${keyed(hold.key)}: starts at ${at(hold.until)}`;
    case "debounce":
      return hold.supersededBy
        ? `debounced${keyed(hold.key)}: superseded by ${hold.supersededBy}, ends without running at ${at(hold.until)}`
        : `debounced${keyed(hold.key)}: runs at ${at(hold.until)} unless a later event with the same key comes`;
  }
}

/** What an attempt entry that parked the run says (undefined for other outcomes). */
export function describeParking(outcome: string, hold: FlowHold | undefined): string | undefined {
  const key = keyed(hold?.key);
  switch (outcome) {
    case "waiting":
      return hold ? `Parked ${slotWait(hold)}` : "Parked waiting for a concurrency slot";
    case "throttled":
      return `Throttled${key}: start reserved at`;
    case "debounced-wait":
      return `Debounced${key}: due, if no later event with the same key comes, at`;
    case "debounced":
      return `Not run (debounced${key}): superseded by ${hold?.supersededBy ?? "a later event's run"}`;
    default:
      return undefined;
  }
}
