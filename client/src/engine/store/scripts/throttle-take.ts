/**
 * throttle-take.lua: whether a run starts now under a throttle, is called for a later slot, or
 * waits to be called; and the waiting runs called for slots, to deliver at their slots' times.
 */
import { defineScript } from "./define.ts";
import { asList, groups } from "./reply.ts";
import type { PublishTarget } from "./route.ts";

export interface ThrottleVerdict {
  /**
   * "run": start now. "park": this run is called: deliver it at `at`. "wait": wait without a
   * delivery (`at`: when it would start if no better run came). "none": a recheck's answer.
   */
  kind: "run" | "park" | "wait" | "none";
  at?: number;
  /** Waiting runs called for slots, each to deliver at its slot's time. */
  calls: { target: PublishTarget; at: number }[];
}

export const throttleTakeScript = defineScript("throttle-take", (reply): ThrottleVerdict => {
  const [kind, at, ...flat] = asList("throttle-take", reply) as string[];
  return {
    kind: kind as ThrottleVerdict["kind"],
    ...(at ? { at: Number(at) } : {}),
    calls: groups(flat, 4).map(([runId, url, generation, calledAt]) => ({
      target: { runId: runId as string, url: url as string, generation: Number(generation) },
      at: Number(calledAt),
    })),
  };
});
