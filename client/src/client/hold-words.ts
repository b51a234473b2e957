/**
 * The words for what holds a pending run back that do not depend on how a surface prints times:
 * a key ("(key "tenant-a")"), a place in line ("3rd") and a concurrency wait ("waiting for a slot
 * (limit 2, key "tenant-a", 3rd in line)"). The CLI and the dashboard word holds with these, each
 * adding its own times.
 */
import type { FlowHold } from "../engine/types.ts";

/** "1st", "2nd", "3rd", "11th"... */
export function ordinal(n: number): string {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? "th" : (["th", "st", "nd", "rd"][n % 10] ?? "th");
  return `${n}${suffix}`;
}

/** ` (key "tenant-a")`, or nothing for a limit without a key. */
export function keyWords(key: string | undefined): string {
  return key === undefined ? "" : ` (key ${JSON.stringify(key)})`;
}

/** The limits a waiting run is under: those known to be full, or all when nothing says which. */
export function slotWaitWords(hold: FlowHold): string {
  const limits = hold.limits ?? [];
  const full = limits.filter((limit) => limit.running !== undefined && limit.running >= limit.limit);
  const parts = (full.length > 0 ? full : limits).map((limit) => {
    const key = limit.key === undefined ? "" : `, key ${JSON.stringify(limit.key)}`;
    const place = limit.place !== undefined ? `, ${ordinal(limit.place)} in line` : "";
    return `limit ${limit.limit}${key}${place}`;
  });
  return `waiting for a slot (${parts.join("; ")})`;
}
