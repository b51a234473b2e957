/**
 * slots-acquire.lua: takes a concurrency slot of every limit a run is under, all or none.
 * Reply: "acquired", or "wait" (the run now waits for a release to hand it the slots).
 */
import { defineScript } from "./define.ts";

export const slotsAcquireScript = defineScript("slots-acquire", (reply): "acquired" | "wait" =>
  reply === "acquired" ? "acquired" : "wait",
);
