/**
 * A workload's `cancelOn` rules, applied when an event is routed: the active runs of every
 * workload with a rule for the event's name are cancelled when the rule matches their triggering
 * event (`match`: the same value at that path in both events; `if`: a function of both). Only runs
 * whose event was accepted before the cancelling one are considered, so a cancel does not reach
 * ahead into runs that start later.
 *
 * Cost: the rules read the workload's active events (ids by state and name, then the events in one
 * pipelined round trip per 1,000) each time a cancelling event arrives.
 */
import { runIdOf } from "./ids.ts";
import { CANCELLABLE_STATES } from "./operations.ts";
import type { Runtime } from "./runtime.ts";
import type { EventSummary } from "./types.ts";
import type { CancelRule, FilterableEvent, RegisteredWorkload } from "./workload-spec.ts";

/** Whether any of the workloads has a cancelOn rule for this (lower-cased) event name. */
export function cancelsOn(workloads: readonly RegisteredWorkload[], lowerName: string): boolean {
  return workloads.some((workload) => workload.cancelOn?.some((rule) => rule.event === lowerName));
}

/** The value at a dotted path ("data.order.id") of an event; undefined when any part is missing. */
export function valueAt(event: FilterableEvent, path: string): unknown {
  let value: unknown = event;
  for (const part of path.split(".")) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Whether a rule cancels the run started by `trigger` (a missing `match` value never matches). */
export function ruleMatches(rule: CancelRule, event: FilterableEvent, trigger: FilterableEvent): boolean {
  if (rule.match !== undefined) {
    const mine = valueAt(event, rule.match);
    if (mine === undefined || JSON.stringify(mine) !== JSON.stringify(valueAt(trigger, rule.match)))
      return false;
  }
  return rule.if === undefined || Boolean(rule.if({ event, trigger }));
}

/** Cancels the runs the event's cancelOn rules select; answers the run ids cancelled or cancelling. */
export async function applyCancelOn(
  runtime: Runtime,
  workloads: readonly RegisteredWorkload[],
  event: FilterableEvent & { createdAt: number },
): Promise<string[]> {
  const lowerName = event.name.toLowerCase();
  const cancelling = workloads.flatMap((workload) => {
    const rules = workload.cancelOn?.filter((rule) => rule.event === lowerName) ?? [];
    return rules.length ? [{ workload, rules }] : [];
  });
  const done: string[] = [];
  for (const { workload, rules } of cancelling) {
    const ids = await Promise.all(
      CANCELLABLE_STATES.flatMap((state) =>
        workload.events.map((name) => runtime.store.eventIdsIn({ state, name })),
      ),
    );
    const candidates = [...new Set(ids.flat())].filter((id) => id !== event.eventId);
    const runIds: string[] = [];
    for (let i = 0; i < candidates.length; i += 1000) {
      for (const trigger of await runtime.store.eventsById(candidates.slice(i, i + 1000))) {
        if (trigger.createdAt > event.createdAt) continue;
        if (
          rules.some((rule) =>
            safely(runtime, workload.name, () => ruleMatches(rule, event, asFilterable(trigger))),
          )
        ) {
          runIds.push(runIdOf(trigger.id, workload.name));
        }
      }
    }
    const cancellation = { by: `cancelOn ${event.name} (${event.eventId})`, at: runtime.now() };
    for (let i = 0; i < runIds.length; i += 100) {
      const answered = await runtime.store.cancelRuns(runIds.slice(i, i + 100), cancellation, runtime.now());
      done.push(...answered.map((run) => run.runId));
    }
  }
  return done;
}

function asFilterable(summary: EventSummary): FilterableEvent {
  return { eventId: summary.id, name: summary.name, data: summary.data, priority: summary.priority };
}

function safely(runtime: Runtime, workload: string, check: () => boolean): boolean {
  try {
    return check();
  } catch (error) {
    runtime.log(`awl: a cancelOn rule of ${workload} threw: ${(error as Error).message}`);
    return false;
  }
}
