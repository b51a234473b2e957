/**
 * Modeled network latency (`awl dev --latency`): the round trip between a site's functions and
 * Upstash's region, which loopback does not have. Each HTTP exchange that crosses that link (a
 * request to the Redis REST API or the QStash API, a delivery QStash makes to the site) waits half
 * the round trip before it is handled (the request travelling) and the other half before its
 * answer is seen (the answer travelling back), so a command runs and a message is accepted when it
 * would be in production, and a caller waits the whole round trip. Without latency, nothing waits.
 */

export interface ModeledLatency {
  /** The round trip between the site's functions and Upstash Redis (ms). */
  redisMs?: number;
  /** The round trip between the site's functions and QStash, both ways (ms). */
  qstashMs?: number;
}

/** Throws, naming the field, unless `ms` is a round trip this module can model. */
export function checkRoundTripMs(field: string, ms: number | undefined): number {
  if (ms === undefined) return 0;
  if (typeof ms !== "number" || !Number.isFinite(ms) || ms < 0) {
    throw new RangeError(
      `${field}: ${String(ms)} is not a round trip in milliseconds (a finite number, 0 or more)`,
    );
  }
  return ms;
}

const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Runs `exchange` as if across a link with a `roundTripMs` round trip: half before, half after.
 * With 0 it runs at once, without a timer.
 */
export async function acrossLink<T>(roundTripMs: number, exchange: () => T | Promise<T>): Promise<T> {
  if (roundTripMs <= 0) return exchange();
  const out = roundTripMs / 2;
  await wait(out);
  const result = await exchange();
  await wait(roundTripMs - out);
  return result;
}
