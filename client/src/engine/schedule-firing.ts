/**
 * A schedule's firing: QStash posts `{ schedule: <workload> }` to the router at each firing, and it
 * becomes an ordinary `schedule:<workload>` event (scheduled-events.ts), persisted and delivered like
 * any other (retries, the dashboard, `awl events`). The event's idempotency key is the firing's
 * time, so a firing delivered twice (QStash is at-least-once) is one event.
 */
import { previousFiring, type CronSchedule } from "./cron.ts";
import type { Runtime } from "./runtime.ts";
import { scheduleEventName, type ScheduledEventData } from "./scheduled-events.ts";
import { sendEvents, type SendResult } from "./send.ts";

/** How early a firing may arrive by this process's clock and still count as its own slot. */
const CLOCK_SKEW_MS = 2000;

export interface ScheduledWorkload {
  name: string;
  schedule?: CronSchedule;
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
