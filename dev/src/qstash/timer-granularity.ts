/**
 * When the QStash emulator's clock lets a message go (`awl dev --granularity`). QStash takes a
 * message's time in whole seconds (`Upstash-Not-Before` is unix seconds; the official client's
 * `delay` is whole seconds), so in production a delayed message or a retry goes out on a second's
 * boundary, never before its time. `exact` (the default) delivers at the millisecond a message is
 * due, which a test or a tight local loop wants; `1s` rounds every future due time up to the next
 * whole second, as QStash does, so timers behave locally as they will in production.
 */

export const TIMER_GRANULARITIES = ["exact", "1s"] as const;
export type TimerGranularity = (typeof TIMER_GRANULARITIES)[number];

export function isTimerGranularity(value: string): value is TimerGranularity {
  return (TIMER_GRANULARITIES as readonly string[]).includes(value);
}

/** `value`, or "exact" when undefined; throws, naming the option, when it is not a granularity. */
export function checkTimerGranularity(value: string | undefined): TimerGranularity {
  if (value === undefined) return "exact";
  if (!isTimerGranularity(value)) {
    throw new RangeError(
      `timerGranularity: ${JSON.stringify(value)} is not one of ${TIMER_GRANULARITIES.join(", ")}`,
    );
  }
  return value;
}

/** The time (ms since epoch) a message due at `dueAt` is let go; one already due goes at once. */
export function releaseTime(dueAt: number, now: number, granularity: TimerGranularity): number {
  if (granularity === "exact" || dueAt <= now) return dueAt;
  return Math.ceil(dueAt / 1000) * 1000;
}
