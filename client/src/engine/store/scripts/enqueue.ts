/**
 * enqueue.lua: persists a batch of accepted events (and their outbox entries) before anything is
 * published; safe to repeat. Reply: each event's id and whether it was accepted or a duplicate
 * (the id is then the earlier event's, found by its idempotency key).
 */
import { defineScript } from "./define.ts";
import { asList, pairs } from "./reply.ts";

export interface Enqueued {
  id: string;
  status: "accepted" | "duplicate";
}

export const enqueueScript = defineScript("enqueue", (reply): Enqueued[] =>
  pairs(asList("enqueue", reply)).map(([id, status]) => ({ id, status: status as Enqueued["status"] })),
);
