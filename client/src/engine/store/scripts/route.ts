/**
 * route.lua: creates one run per matching workload for an event, once; a repeated router delivery
 * only hands back the runs that have not started. Reply: the runs to publish, or null when the
 * event no longer exists.
 */
import { defineScript } from "./define.ts";
import { asList, pairs } from "./reply.ts";

export interface PublishTarget {
  runId: string;
  url: string;
  /** The run's generation when the delivery is published; it travels with the delivery (see undelivered.ts). */
  generation: number;
}

export const routeScript = defineScript("route", (reply): PublishTarget[] | null => {
  if (!reply) return null;
  // route.lua hands back only runs that were never claimed: still at generation 0.
  return pairs(asList("route", reply)).map(([runId, url]) => ({ runId, url, generation: 0 }));
});
