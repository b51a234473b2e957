/**
 * rerun.lua: re-runs an ended run as a new series of attempts, from the start or from one step (that
 * step and the steps started after it are cleared; those before it keep their results).
 * Reply: a RerunAnswer.
 */
import type { RunState } from "../../keys.ts";
import { defineScript } from "./define.ts";
import { asList } from "./reply.ts";

export type RerunAnswer =
  | {
      status: "rerun";
      /** Where to deliver the run, and the generation its delivery carries. */
      url: string;
      generation: number;
      /** Which re-run of the run this is: 1 for the first. */
      series: number;
      /** The steps that run again (a stored one is cleared), and those whose stored results replay returns, in step order. */
      runAgain: string[];
      kept: string[];
    }
  | { status: "missing" }
  /** The run has not ended; "waiting" is a sleeping run parked on step.waitForEvent. */
  | { status: "active"; state: RunState | "waiting" }
  /** steps: the run's stored steps, in order; failed: the step whose failure ended it, if one did. */
  | { status: "unknown-step"; steps: string[]; failed?: string };

export const rerunScript = defineScript("rerun", (answer): RerunAnswer => {
  const reply = asList("rerun", answer);
  switch (reply[0]) {
    case "rerun": {
      const [, url, generation, series, cleared, kept] = reply as [
        string,
        string,
        string,
        string,
        string[],
        string[],
      ];
      return {
        status: "rerun",
        url,
        generation: Number(generation),
        series: Number(series),
        runAgain: cleared,
        kept,
      };
    }
    case "missing":
      return { status: "missing" };
    case "active":
      return { status: "active", state: reply[1] as RunState | "waiting" };
    case "unknown-step":
      return {
        status: "unknown-step",
        steps: reply[1] as string[],
        ...(reply[2] ? { failed: reply[2] as string } : {}),
      };
    default:
      throw new Error(`rerun.lua: unexpected reply ${JSON.stringify(reply[0])}`);
  }
});
