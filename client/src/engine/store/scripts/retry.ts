/**
 * retry.lua: gives dead-lettered runs a fresh set of attempts, keeping their completed steps.
 * Reply: a PublishTarget for each run that was dead-lettered and is now pending.
 */
import { defineScript } from "./define.ts";
import { asList, groups } from "./reply.ts";
import type { PublishTarget } from "./route.ts";

export const retryScript = defineScript("retry", (reply): PublishTarget[] =>
  groups(asList("retry", reply), 3).map(([runId, url, generation]) => ({
    runId: runId as string,
    url: url as string,
    generation: Number(generation),
  })),
);
