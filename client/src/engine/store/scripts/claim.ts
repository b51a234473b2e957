/**
 * claim.lua: claims a run for one invocation (a fenced lease) and hands back what the invocation
 * needs to replay: the event and the journal of completed steps. Reply: a ClaimResult.
 */
import type { RunState } from "../../keys.ts";
import { defineScript } from "./define.ts";
import { asList, pairs } from "./reply.ts";

export type ClaimResult =
  | {
      status: "claimed";
      generation: number;
      attempt: number;
      eventId: string;
      workload: string;
      eventName: string;
      data: string;
      priority: number;
      createdAt: number;
      journal: Map<string, string>;
      url: string;
      maxRetries: number;
      /** When the run was due (0 if at once): a delivery that came early waits until then. */
      dueAt: number;
      /** How many events led to the run's event through workloads' sends (0: sent from outside). */
      chain: number;
    }
  | { status: "busy" | "missing" }
  /** failureEventId: the run-failed event the run emitted, to publish to the router. */
  | { status: "dead-lettered"; failureEventId?: string }
  | { status: "early"; nextAt: number }
  | { status: "done"; state: RunState };

function decodeClaim(answer: unknown): ClaimResult {
  const reply = asList("claim", answer);
  const status = reply[0] as string;
  switch (status) {
    case "claimed": {
      const [
        ,
        generation,
        attempt,
        eventId,
        workload,
        eventName,
        data,
        priority,
        createdAt,
        journal,
        url,
        maxRetries,
        dueAt,
        chain,
      ] = reply as string[];
      return {
        status,
        generation: Number(generation),
        attempt: Number(attempt),
        eventId: eventId!,
        workload: workload!,
        eventName: eventName!,
        data: data!,
        priority: Number(priority),
        createdAt: Number(createdAt),
        journal: new Map(pairs(journal as unknown as string[])),
        url: url!,
        maxRetries: Number(maxRetries),
        dueAt: Number(dueAt || 0),
        chain: Number(chain || 0),
      };
    }
    case "early":
      return { status, nextAt: Number(reply[1]) };
    case "done":
      return { status, state: reply[1] as RunState };
    case "busy":
    case "missing":
      return { status };
    case "dead-lettered":
      return { status, ...(reply[1] ? { failureEventId: reply[1] as string } : {}) };
    default:
      throw new Error(`Unexpected claim reply: ${status}`);
  }
}

export const claimScript = defineScript("claim", decodeClaim);
