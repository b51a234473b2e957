/**
 * checkpoint.lua: records one completed step in a run's journal, fenced by the invocation's
 * generation. Reply: true when written, "cancelling" when written and the run was cancelled
 * meanwhile (the invocation starts nothing more), false when fenced out.
 */
import { defineScript } from "./define.ts";

export type Checkpointed = boolean | "cancelling";

export const checkpointScript = defineScript("checkpoint", (reply): Checkpointed =>
  reply === 2 ? "cancelling" : reply === 1,
);
