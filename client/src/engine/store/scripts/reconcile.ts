/**
 * reconcile.lua: hands out the outbox entries that are due (accepted work that may not be in
 * flight), pushing each forward by the grace period. Reply: DueEntry per entry.
 */
import { defineScript } from "./define.ts";
import { asList, groups } from "./reply.ts";

export interface DueEntry {
  kind: "route" | "run";
  id: string;
  /** The event name for a route, the workload URL for a run. */
  target: string;
  /** A run's generation (0 for a route). */
  generation: number;
}

export const reconcileScript = defineScript("reconcile", (reply): DueEntry[] =>
  groups(asList("reconcile", reply), 4).map(([kind, id, target, generation]) => ({
    kind: kind as DueEntry["kind"],
    id: id as string,
    target: target as string,
    generation: Number(generation || 0),
  })),
);
