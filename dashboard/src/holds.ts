/**
 * What holds a pending run back, in words, for the events list, the run's facts and its attempts:
 * a concurrency limit ("waiting for a slot (limit 2, key "tenant-a"), 3rd in line"), a throttle or
 * a debounce, with its key and until when. The engine records the hold (RunHold); this words it.
 */
import type { FlowHold, RunHold } from "@awl/client/api-client";
import { keyWords, slotWaitWords } from "@awl/client/api-client";
import { formatRelative, formatTime } from "./format.ts";

/** One sentence: what holds the run, its key, until when. */
export function describeHold(hold: RunHold, now: number): string {
  const at = (time: number | undefined) =>
    time === undefined ? "?" : `${formatTime(time)} (${formatRelative(time, now)})`;
  switch (hold.by) {
    case "concurrency":
      return slotWaitWords(hold);
    case "throttle":
      return `throttled${keyWords(hold.key)}: starts at ${at(hold.until)}`;
    case "debounce":
      return hold.supersededBy
        ? `debounced${keyWords(hold.key)}: superseded by ${hold.supersededBy}, ends without running at ${at(hold.until)}`
        : `debounced${keyWords(hold.key)}: runs at ${at(hold.until)} unless a later event with the same key comes`;
  }
}

/** What an attempt entry that parked the run says (undefined for other outcomes). */
export function describeParking(outcome: string, hold: FlowHold | undefined): string | undefined {
  const key = keyWords(hold?.key);
  switch (outcome) {
    case "waiting":
      return hold ? `Parked ${slotWaitWords(hold)}` : "Parked waiting for a concurrency slot";
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
