/**
 * Concurrency limits: `concurrency: { limit, key? }` (or a list of them, which stack) caps how many
 * runs of a workload are executing at once, per value of the key. A run holds a slot of every limit
 * it is under from its claim until its invocation records an outcome: a run that sleeps, waits for
 * a retry or hands over to a fresh invocation holds none meanwhile, and a crashed invocation's slot
 * frees itself when its lease expires. A run that finds a limit full records nothing and parks as
 * `pending` without a delivery; a run giving its slots back hands them to the best waiting run and
 * publishes its delivery (store/scripts/slots-acquire.lua, slots-release.lua).
 *
 * Waiting runs start in priority order without starving the lowest: a run's place is the time it
 * began waiting minus PRIORITY_STEP_MS per priority point, so one point of priority is worth ten
 * seconds of waiting, and a run of priority -50 is ahead of every run of priority 50 that began
 * waiting more than 1,000 s after it.
 */
import type { FlowHold } from "./types.ts";
import type { ConcurrencyLimit, FilterableEvent } from "./workload-spec.ts";

/** One point of priority counts as this much waiting. */
export const PRIORITY_STEP_MS = 10_000;

/** A waiting run's place: lower goes first. */
export function waitOrder(waitingSince: number, priority: number): number {
  return waitingSince - priority * PRIORITY_STEP_MS;
}

/** The value at a dotted path (`data.tenantId`) of the event. */
function valueAt(event: FilterableEvent, path: string): unknown {
  let value: unknown = event;
  for (const part of path.split(".")) {
    if (value === null || typeof value !== "object") return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/**
 * The key value of a limit for an event (concurrency and throttle keys alike): a string; an absent or
 * non-scalar value counts as its JSON.
 */
export function keyValue(limit: Pick<ConcurrencyLimit, "key">, event: FilterableEvent): string {
  if (limit.key === undefined) return "";
  const value = typeof limit.key === "function" ? limit.key(event) : valueAt(event, limit.key);
  return typeof value === "string" ? value : (JSON.stringify(value) ?? "undefined");
}

/**
 * The slots a run of `workload` needs: (slot key, limit) pairs, flat, as the scripts take them.
 * Each limit is told apart by its position in the list, so stacked limits never share slots.
 */
export function slotLimits(
  workload: string,
  limits: readonly ConcurrencyLimit[],
  event: FilterableEvent,
): (string | number)[] {
  return limits.flatMap((limit, index) => [
    `${workload.toLowerCase()}:${index}:${encodeURIComponent(keyValue(limit, event))}`,
    limit.limit,
  ]);
}

/** What a run waiting for its slots records (its attempt entry's hold): each limit, with its key's value when keyed. */
export function slotsHold(
  limits: readonly ConcurrencyLimit[],
  slots: readonly (string | number)[],
): FlowHold {
  return {
    by: "concurrency",
    limits: limits.map((limit, index) => {
      // A slot key ends with the key's value, encoded (slotLimits); the workload's name holds no ':'.
      const value = decodeURIComponent(
        String(slots[index * 2])
          .split(":")
          .slice(2)
          .join(":"),
      );
      return { limit: limit.limit, ...(limit.key !== undefined ? { key: value } : {}) };
    }),
  };
}

/** The hold of a throttle or a debounce: its key's value, when it has a key. */
export function keyHold(
  by: "throttle" | "debounce",
  limit: Pick<ConcurrencyLimit, "key">,
  event: FilterableEvent,
): FlowHold {
  return { by, ...(limit.key !== undefined ? { key: keyValue(limit, event) } : {}) };
}
