/**
 * route.lua: creates one run per matching workload for an event, once; a repeated router delivery
 * only hands back the runs that have not started. Reply: the runs to publish (with those the event
 * woke from a wait), or null when the event no longer exists.
 */
import { defineScript } from "./define.ts";
import { asList, groups } from "./reply.ts";

export interface PublishTarget {
  runId: string;
  url: string;
  /** The run's generation when the delivery is published; it travels with the delivery (see undelivered.ts). */
  generation: number;
}

/** A flat list of runId, url, generation (route_event's `out` in lib.lua) as the runs to publish. */
export function publishTargets(script: string, flat: unknown): PublishTarget[] {
  // New runs are at generation 0; a run woken from a wait is at its last claim's, which its next claim fences.
  return groups(asList(script, flat), 3).map(([runId, url, generation]) => ({
    runId: runId as string,
    url: url as string,
    generation: Number(generation),
  }));
}

export const routeScript = defineScript("route", (reply): PublishTarget[] | null =>
  reply ? publishTargets("route", reply) : null,
);
