/**
 * enqueue.lua: persists a batch of accepted events (and their outbox entries) before anything is
 * published, and routes those whose targets the sender knows; safe to repeat. Reply: each event's
 * id, whether it was accepted or a duplicate (the id is then the earlier event's, found by its
 * idempotency key), and the runs to publish for an event routed here.
 */
import { defineScript } from "./define.ts";
import { asList, groups, pairs } from "./reply.ts";
import type { PublishTarget } from "./route.ts";

export interface Enqueued {
  id: string;
  status: "accepted" | "duplicate";
  /** The runs created at send (never claimed yet), to publish; empty for an event left to the router. */
  runs: PublishTarget[];
}

export const enqueueScript = defineScript("enqueue", (reply): Enqueued[] =>
  groups(asList("enqueue", reply), 3).map(([id, status, runs]) => ({
    id: id as string,
    status: status as Enqueued["status"],
    runs: pairs(asList("enqueue", runs)).map(([runId, url]) => ({ runId, url, generation: 0 })),
  })),
);
