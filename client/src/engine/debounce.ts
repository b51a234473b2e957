/**
 * Debounce: `debounce: { period, key?, maxWait? }` runs a burst of events with the same key once,
 * with the last event, once no event of that key has come for `period` (or `maxWait` after the
 * burst's first event, at the latest). Each run of the burst parks `pending` until its time
 * (attempt entry `debounced-wait`); when it comes back, the latest runs and every earlier one ends
 * `completed` without running, its attempt entry `debounced` naming the run that replaced it
 * (store/scripts/debounce-take.lua). Only a run's start is debounced.
 */
import { keyValue } from "./concurrency.ts";
import { flowKey } from "./keys.ts";
import type { DebounceSpec, FilterableEvent } from "./workload-spec.ts";

/** The key a run's burst is counted under. */
export function debounceKey(workload: string, debounce: DebounceSpec, event: FilterableEvent): string {
  return flowKey(workload, keyValue(debounce, event));
}
