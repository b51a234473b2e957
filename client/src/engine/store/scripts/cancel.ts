/**
 * cancel.lua: cancels runs, keeping their history: a run waiting for a delivery is closed at once,
 * one an invocation holds is marked and closed by that invocation after its running step.
 * Reply: for each run that was active, whether it is cancelled or cancelling.
 */
import { defineScript } from "./define.ts";
import { asList, groups } from "./reply.ts";

export interface CancelledRun {
  runId: string;
  status: "cancelled" | "cancelling";
}

export const cancelScript = defineScript("cancel", (reply): CancelledRun[] =>
  groups(asList("cancel", reply), 2).map(([runId, status]) => ({
    runId: runId as string,
    status: status as CancelledRun["status"],
  })),
);
