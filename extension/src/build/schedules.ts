/**
 * Keeps a site's QStash schedules equal to its workloads' `schedule`s: one schedule per scheduled
 * workload, posting `{ schedule: <workload> }` to the router at each firing (the router turns it
 * into the workload's `schedule:<name>` event, client/src/engine/scheduled-events.ts). Schedule ids
 * are derived from the router's URL and the key prefix, so a sync creates or updates only this
 * site's schedules and removes those whose workload is gone (or lost its schedule), and never
 * touches another site's on the same QStash account. A schedule whose cron and target are
 * unchanged is left alone, so a build does not resume one paused in Upstash's console.
 */
import { createHash } from "node:crypto";
import type { Client } from "@upstash/qstash";
import type { CronSchedule } from "@awl/client";

export interface ScheduleSyncInput {
  qstash: Pick<Client, "schedules">;
  /** Where firings go: the router's absolute URL. */
  routerUrl: string;
  /** The site's Redis key prefix (AWL_PREFIX): sites sharing a router URL are told apart by it. */
  prefix: string;
  workloads: readonly { name: string; schedule?: CronSchedule | undefined }[];
}

export interface ScheduleSyncReport {
  created: string[];
  updated: string[];
  unchanged: string[];
  removed: string[];
}

/** The schedule ids of one site start with this. */
export function siteSchedulePrefix(routerUrl: string, prefix: string): string {
  const site = createHash("sha256").update(`${routerUrl}\n${prefix}`).digest("hex").slice(0, 12);
  return `awl-${site}-`;
}

export function scheduleIdOf(routerUrl: string, prefix: string, workload: string): string {
  return `${siteSchedulePrefix(routerUrl, prefix)}${workload.toLowerCase()}`;
}

export async function syncSchedules(input: ScheduleSyncInput): Promise<ScheduleSyncReport> {
  const { qstash, routerUrl, prefix } = input;
  const report: ScheduleSyncReport = { created: [], updated: [], unchanged: [], removed: [] };
  const ours = siteSchedulePrefix(routerUrl, prefix);
  const existing = new Map(
    (await qstash.schedules.list())
      .filter((schedule) => schedule.scheduleId.startsWith(ours))
      .map((schedule) => [schedule.scheduleId, schedule]),
  );
  const wanted = new Set<string>();
  for (const workload of input.workloads) {
    if (!workload.schedule) continue;
    const scheduleId = scheduleIdOf(routerUrl, prefix, workload.name);
    wanted.add(scheduleId);
    const body = JSON.stringify({ schedule: workload.name });
    const current = existing.get(scheduleId);
    if (
      current &&
      current.cron === workload.schedule.expression &&
      current.destination === routerUrl &&
      current.body === body
    ) {
      report.unchanged.push(workload.name);
      continue;
    }
    await qstash.schedules.create({
      scheduleId,
      destination: routerUrl,
      cron: workload.schedule.expression,
      body,
      headers: { "Content-Type": "application/json" },
    });
    (current ? report.updated : report.created).push(workload.name);
  }
  for (const scheduleId of existing.keys()) {
    if (wanted.has(scheduleId)) continue;
    await qstash.schedules.delete(scheduleId);
    report.removed.push(scheduleId.slice(ours.length));
  }
  return report;
}
