/**
 * How many events each fault scenario keeps in flight: 200 in CI (the minimum), more in
 * the soak (RELIABILITY_EVENTS=1000). Waits and test timeouts grow with it.
 */
export const EVENTS = Number(process.env.RELIABILITY_EVENTS ?? 200);

/** A duration for 200 events, stretched in proportion for more. */
export const scaled = (ms: number) => Math.round(ms * Math.max(1, EVENTS / 200));

/** The floor: at least this many events in flight when a fault strikes. */
export const MIN_IN_FLIGHT = 200;
