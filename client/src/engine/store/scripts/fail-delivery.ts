/**
 * fail-delivery.lua: records a run's delivery that QStash gave up on as a failed attempt, fenced
 * by the generation the delivery carried. Reply: delayed (with the generation, URL and attempt to
 * publish the retry with), dead-lettered (with the run-failed event it emitted, to publish to the
 * router), or stale (changed nothing).
 */
import { defineScript } from "./define.ts";
import { asList } from "./reply.ts";

export type FailDeliveryReply =
  | { status: "delayed"; generation: number; url: string; attempt: number }
  | { status: "dead-lettered"; failureEventId?: string }
  | { status: "stale" };

export const failDeliveryScript = defineScript("fail-delivery", (reply): FailDeliveryReply => {
  const answer = asList("fail-delivery", reply) as string[];
  if (answer[0] === "dead-lettered") {
    return { status: "dead-lettered", ...(answer[1] ? { failureEventId: answer[1] } : {}) };
  }
  if (answer[0] !== "delayed") return { status: "stale" };
  return { status: "delayed", generation: Number(answer[1]), url: answer[2]!, attempt: Number(answer[3]) };
});
