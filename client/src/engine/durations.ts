/**
 * Durations and points in time as users write them: milliseconds, `ms` strings ("10s", "7 days")
 * or Dates. Every conversion checks its input and names the field it came from.
 */
import ms from "ms";

export type Duration = number | string;
export type Delay = Duration | Date;

export function toDurationMs(value: Duration, field: string): number {
  const parsed = typeof value === "number" ? value : parseMs(value);
  if (typeof parsed !== "number" || !Number.isFinite(parsed) || parsed < 0) {
    throw new RangeError(
      `${field}: ${JSON.stringify(value)} is not a duration (milliseconds or e.g. "10s", "7 days")`,
    );
  }
  return parsed;
}

/** A delay relative to now, from a duration or an absolute Date. */
export function toDelayMs(value: Delay, field: string, now = Date.now()): number {
  if (value instanceof Date) {
    const time = value.getTime();
    if (Number.isNaN(time)) throw new RangeError(`${field}: invalid Date`);
    return Math.max(0, time - now);
  }
  return toDurationMs(value, field);
}

/** `ms` throws on some inputs (an empty string, a non-string): those are not durations either. */
function parseMs(value: unknown): number | undefined {
  try {
    return ms(value as ms.StringValue);
  } catch {
    return undefined;
  }
}
