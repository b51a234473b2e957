/**
 * debounce-take.lua: whether a run starts now, waits for its burst to be quiet, or was replaced by
 * a later event with the same key.
 */
import { defineScript } from "./define.ts";
import { asList } from "./reply.ts";

export type DebounceVerdict =
  { kind: "run" } | { kind: "wait"; dueAt: number } | { kind: "replaced"; latestRunId: string };

export const debounceTakeScript = defineScript("debounce-take", (reply): DebounceVerdict => {
  const [kind, value] = asList("debounce-take", reply) as [string, string | undefined];
  if (kind === "wait") return { kind, dueAt: Number(value) };
  if (kind === "replaced") return { kind, latestRunId: value ?? "" };
  return { kind: "run" };
});
