/**
 * Rate limits: `rateLimit: { limit, period, key? }` lets at most `limit` runs of a workload start
 * in any window of one `period` (per value of the key); a run beyond that is not run at all. It ends
 * in the final state `skipped`, its attempt entry (outcome `skipped`) saying which limit and key
 * refused it; its event and the event's other runs go on as usual. The window slides
 * (store/scripts/rate-limit.lua: the starts of the last period, kept per key), so no burst across a
 * window boundary lets twice the limit through. Only a run's start is limited, and it is decided
 * once: a run admitted and then debounced or throttled is not counted again when it starts, and
 * retries, wakes and continuations are never limited. A skipped run cannot be retried (there is
 * nothing to resume: it never started); send the event again to run it.
 */
import ms from "ms";
import { keyValue } from "./concurrency.ts";
import type { FilterableEvent, RateLimitSpec } from "./workload-spec.ts";

/**
 * The key a run's start is counted under, and the key's value for the skip's reason. A key function
 * that throws counts the run under the empty key (as concurrency limits do), reported to `onKeyError`.
 */
export function rateLimitKey(
  workload: string,
  rateLimit: RateLimitSpec,
  event: FilterableEvent,
  onKeyError: (error: Error) => void,
): { key: string; value: string } {
  let value = "";
  try {
    value = keyValue(rateLimit, event);
  } catch (error) {
    onKeyError(error as Error);
  }
  return { key: `${workload.toLowerCase()}:${encodeURIComponent(value)}`, value };
}

/** Why a run was skipped, as its history shows it: "rateLimit 10 per 1m for key tenant-a exceeded". */
export function skipReason(rateLimit: RateLimitSpec, value: string): string {
  const forKey = rateLimit.key === undefined ? "" : ` for key ${value}`;
  return `rateLimit ${rateLimit.limit} per ${ms(rateLimit.periodMs)}${forKey} exceeded`;
}
