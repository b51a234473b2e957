/**
 * The events API's list cursor: the position page.lua stopped at, as `score:skip` (the creation
 * time reached, and how many entries with exactly that score were already passed). Opaque to
 * callers; a cursor this API did not hand out is a RangeError naming it.
 */

/** Where page.lua starts: from the newest entry when there is no cursor. */
export interface PagePosition {
  score: number | "+inf";
  skip: number;
}

export function parseCursor(cursor: string | undefined): PagePosition {
  if (!cursor) return { score: "+inf", skip: 0 };
  const [score, skip] = cursor.split(":");
  if (!score || !/^\d+$/.test(score) || !skip || !/^\d+$/.test(skip)) {
    throw new RangeError(`cursor: "${cursor}" is not a cursor this API returned`);
  }
  return { score: Number(score), skip: Number(skip) };
}

/** The cursor of the next page, or null when there is none. */
export function formatCursor(next: { score: string; skip: string } | null): string | null {
  return next ? `${next.score}:${next.skip}` : null;
}
