/**
 * throttle-take.lua: the time a run may start under a throttle (its reservation).
 * Reply: epoch ms; at or before now means at once.
 */
import { defineScript } from "./define.ts";

export const throttleTakeScript = defineScript("throttle-take", (reply): number => Number(reply));
