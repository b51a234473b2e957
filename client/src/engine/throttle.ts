/**
 * Throttles: `throttle: { limit, period, key? }` spaces the starts of a workload's runs `period /
 * limit` apart (per value of the key), so no window of one period holds more than `limit` starts.
 * Nothing is dropped: a run beyond the rate is given the next free start time once
 * (store/scripts/throttle-take.lua), parks `pending` until then (its attempt entry says
 * `throttled`) and starts when its delivery comes. Only a run's start is throttled: its retries,
 * wakes and continuations are not.
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
