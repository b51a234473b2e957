/**
 * stats.lua: counts events per state, overall and per event name, pruning expired index entries
 * on the way. Reply: EventStats, labelled in keys.ts's EVENT_STATES order (lib.lua's STATES is
 * generated from it), names with the most events first.
 */
import { EVENT_STATES, type EventState } from "../../keys.ts";
import type { EventStats } from "../../types.ts";
import { defineScript } from "./define.ts";
import { asList } from "./reply.ts";

export const statsScript = defineScript("stats", (reply): EventStats => {
  const flat = asList("stats", reply) as (string | number)[];
  const countsAt = (offset: number): Record<EventState, number> =>
    Object.fromEntries(EVENT_STATES.map((state, i) => [state, Number(flat[offset + i])])) as Record<
      EventState,
      number
    >;
  const states = countsAt(0);
  const names: EventStats["names"] = [];
  const width = 2 + EVENT_STATES.length;
  for (let at = EVENT_STATES.length; at + width <= flat.length; at += width) {
    const counts = countsAt(at + 2);
    names.push({
      name: String(flat[at]),
      total: Number(flat[at + 1]),
      states: Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0)),
    });
  }
  names.sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
  return { states, names };
});
