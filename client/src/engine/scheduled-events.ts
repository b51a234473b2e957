/**
 * Cron triggers: a workload with a `schedule` has a QStash schedule (created by the extension's
 * build, extension/src/build/schedules.ts) that posts `{ schedule: <workload> }` to the router at
 * each firing. The router turns each firing into an ordinary event, `schedule:<workload>`, which
 * only that workload receives, and which is persisted and delivered like any other (retries, the
 * dashboard, `awl events`). The event's idempotency key is the firing's time, so a firing delivered
 * twice (QStash is at-least-once) is one event. Sending `schedule:<workload>` yourself runs it now.
 */
import { previousFiring, type CronSchedule } from "./cron.ts";
import type { Runtime } from "./runtime.ts";
import { sendEvents, type SendResult } from "./send.ts";

export const SCHEDULE_EVENT_PREFIX = "schedule:";

/** How early a firing may arrive by this process's clock and still count as its own slot. */
const CLOCK_SKEW_MS = 2000;

export interface ScheduledWorkload {
  name: string;
  schedule?: CronSchedule;
}

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

export type FiringReport =
  | { status: "sent"; workload: string; scheduledAt: string; eventId: string; duplicate: boolean }
  | { status: "unscheduled"; workload: string };

/** Sends the event of one firing of `workloadName`'s schedule; a workload without one sends nothing. */
export async function fireSchedule(
  runtime: Runtime,
  workloads: readonly ScheduledWorkload[],
  workloadName: string,
): Promise<FiringReport> {
  const workload = workloads.find((w) => w.name.toLowerCase() === workloadName.toLowerCase());
  if (!workload?.schedule) {
    // A schedule outliving its workload (until the next build removes it): nothing to run, and
    // nothing QStash should retry.
    runtime.log(`awl: a schedule fired for "${workloadName}", which has no schedule in this deploy`);
    return { status: "unscheduled", workload: workloadName };
  }
  const scheduledAt = new Date(
    previousFiring(workload.schedule, runtime.now() + CLOCK_SKEW_MS),
  ).toISOString();
  const data: ScheduledEventData = { scheduledAt, cron: workload.schedule.expression };
  const [result] = (await sendEvents(runtime, [
    { name: scheduleEventName(workload.name), data, idempotencyKey: scheduledAt },
  ])) as [SendResult];
  return {
    status: "sent",
    workload: workload.name,
    scheduledAt,
    eventId: result.eventId,
    duplicate: result.status === "duplicate",
  };
}
