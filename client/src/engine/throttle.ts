/**
 * Throttles: `throttle: { limit, period, key? }` spaces the starts of a workload's runs `period /
 * limit` apart (per value of the key), so no window of one period holds more than `limit` starts.
 * Nothing is dropped: a run beyond the rate parks `pending` (its attempt entry says `throttled`)
 * and starts when it is called. Each start goes to the best run waiting for it at that moment:
 * higher priority first, with the aging of concurrency limits (concurrency.ts waitOrder: ten
 * seconds of waiting count as one point), so a burst of high-priority runs goes ahead of the
 * low-priority backlog without starving it (store/scripts/throttle-take.lua). Only a run's start is
 * throttled: its retries, wakes and continuations are not.
 */
import { keyValue } from "./concurrency.ts";
import { flowKey } from "./keys.ts";
import type { FilterableEvent, ThrottleSpec } from "./workload-spec.ts";

/** The key a run's start is counted under. */
export function throttleKey(workload: string, throttle: ThrottleSpec, event: FilterableEvent): string {
  return flowKey(workload, keyValue(throttle, event));
}

/** How far apart starts are spaced. */
export function throttleInterval(throttle: ThrottleSpec): number {
  return throttle.periodMs / throttle.limit;
}

/**
 * How far ahead waiting runs are called for their slots: enough for a publish and a delivery (QStash
 * schedules whole seconds; the claim holds an early delivery until its time), so starts keep the
 * rate. A run called ahead still gives its slot to a better run waiting when the slot is due.
 */
export const THROTTLE_CALL_AHEAD_MS = 1_000;
