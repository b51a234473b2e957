/**
 * page.lua: selects a page of event ids from an index, newest first, without reading the events.
 * Reply: the ids and the position to go on from (none when the index has no further entries).
 */
import { defineScript } from "./define.ts";
import { asList } from "./reply.ts";

export interface IdPage {
  ids: string[];
  /** Where the next page starts: the creation time reached and the entries with it already passed. */
  next: { score: string; skip: string } | null;
}

export const pageScript = defineScript("page", (reply): IdPage => {
  const [more, score, skip, ...ids] = asList("page", reply) as (string | number)[];
  return { ids: ids.map(String), next: Number(more) ? { score: String(score), skip: String(skip) } : null };
});
