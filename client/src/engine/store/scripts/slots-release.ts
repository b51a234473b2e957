/**
 * slots-release.lua: gives back a run's concurrency slots and hands the free ones to waiting runs.
 * Reply: a PublishTarget for each run to deliver now (it holds its slots).
 */
import { defineScript } from "./define.ts";
import { asList, groups } from "./reply.ts";
import type { PublishTarget } from "./route.ts";

export const slotsReleaseScript = defineScript("slots-release", (reply): PublishTarget[] =>
  groups(asList("slots-release", reply), 3).map(([runId, url, generation]) => ({
    runId: runId as string,
    url: url as string,
    generation: Number(generation),
  })),
);
