/**
 * rate-limit.lua: whether a run may start under a rateLimit (its sliding window has room, or it
 * was admitted before), or is skipped.
 */
import { defineScript } from "./define.ts";

export const rateLimitScript = defineScript("rate-limit", (reply): "run" | "skip" =>
  Number(reply) === 1 ? "run" : "skip",
);
