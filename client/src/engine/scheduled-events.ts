/**
 * Cron triggers' events, in one place: a workload with a `schedule` receives a `schedule:<workload>`
 * event at each firing of its QStash schedule (schedule-firing.ts makes them; the extension's build
 * syncs the schedules, extension/src/build/schedules.ts). Only that workload receives it (the
 * router matches it by this name); sending `schedule:<workload>` yourself runs it now.
 */

export const SCHEDULE_EVENT_PREFIX = "schedule:";

/** The (lower-cased) event a workload's schedule sends. */
export function scheduleEventName(workloadName: string): string {
  return `${SCHEDULE_EVENT_PREFIX}${workloadName.toLowerCase()}`;
}

/** The data of a scheduled event. */
export interface ScheduledEventData {
  /** The firing this event is for (ISO 8601, UTC). */
  scheduledAt: string;
  /** The schedule, as QStash has it (`CRON_TZ=<zone> ` prefixed unless UTC). */
  cron: string;
}
