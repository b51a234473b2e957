/**
 * enqueue.lua: persists a batch of accepted events (and their outbox entries) before anything is
 * published, and routes at send those the router's routing table allows; safe to repeat. Reply:
 * each event's id, whether it was accepted or a duplicate (the id is then the earlier event's, found
 * by its idempotency key), whether it was routed here, and the runs to publish for one that was.
 */
import { defineScript } from "./define.ts";
import { asList, groups } from "./reply.ts";
import { publishTargets, type PublishTarget } from "./route.ts";

export interface Enqueued {
  id: string;
  status: "accepted" | "duplicate";
  /** Routed here, at send: its runs go out directly. Not routed: the router routes it. */
  routed: boolean;
  /** The runs created at send (never claimed yet) and those it woke from a wait, to publish; empty for an event left to the router. */
  runs: PublishTarget[];
}

export const enqueueScript = defineScript("enqueue", (reply): Enqueued[] =>
  groups(asList("enqueue", reply), 4).map(([id, status, routed, runs]) => ({
    id: id as string,
    status: status as Enqueued["status"],
    routed: routed === "1",
    runs: publishTargets("enqueue", runs),
  })),
);
