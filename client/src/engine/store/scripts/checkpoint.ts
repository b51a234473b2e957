/**
 * checkpoint.lua: records one completed step in a run's journal, fenced by the invocation's
 * generation. Reply: true when written, false when fenced out.
 */
import { defineScript } from "./define.ts";

export const checkpointScript = defineScript("checkpoint", (reply): boolean => reply === 1);
