/**
 * When the extension syncs a site's schedules (schedules.ts), and with what: after a production
 * deploy has succeeded (`onSuccess`, so firings reach a router that knows the workloads; previews
 * and branch deploys leave production's schedules alone), and at every `netlify dev` start
 * (`onPreDev`, against the QStash it points at, usually `awl dev`). QStash credentials and the
 * router's URL come from the same variables as the site's functions. A sync that cannot be made is
 * reported in the build log and does not fail the deploy: the site works, only its cron triggers
 * are stale until the next build.
 */
import { Client } from "@upstash/qstash";
import { DEFAULT_PREFIX, ROUTER_PATH, type CronSchedule } from "@awl/client";
import { syncSchedules, type ScheduleSyncReport } from "./schedules.ts";

type Env = Record<string, string | undefined>;

export interface ScheduledWorkload {
  name: string;
  schedule?: CronSchedule | undefined;
}

/** Syncs, or explains in one line why not; answers the report when it synced. */
export async function syncSiteSchedules(
  workloads: readonly ScheduledWorkload[],
  env: Env = process.env,
  log: (line: string) => void = console.log,
): Promise<ScheduleSyncReport | undefined> {
  const devMode = env.QSTASH_DEV === "true" || env.QSTASH_DEV === "1";
  if (!env.QSTASH_TOKEN && !devMode) {
    const scheduled = workloads.filter((w) => w.schedule).length;
    if (scheduled > 0) {
      log(
        `Async Workloads: QSTASH_TOKEN is not set, so the schedules of ${scheduled} workload(s) were not synced`,
      );
    }
    return undefined;
  }
  if (!env.AWL_ROUTER_URL && !env.URL) {
    log("Async Workloads: neither URL nor AWL_ROUTER_URL is set, so schedules were not synced");
    return undefined;
  }
  const routerUrl = env.AWL_ROUTER_URL ?? new URL(ROUTER_PATH, env.URL).toString();
  try {
    const report = await syncSchedules({
      qstash: new Client({ baseUrl: env.QSTASH_URL, token: env.QSTASH_TOKEN ?? "" }),
      routerUrl,
      prefix: env.AWL_PREFIX ?? DEFAULT_PREFIX,
      workloads,
    });
    const parts = (["created", "updated", "unchanged", "removed"] as const)
      .filter((kind) => report[kind].length > 0)
      .map((kind) => `${kind} ${report[kind].join(", ")}`);
    if (parts.length > 0) log(`Async Workloads: schedules ${parts.join("; ")}`);
    return report;
  } catch (error) {
    log(`Async Workloads: could not sync schedules with QStash: ${(error as Error).message}`);
    return undefined;
  }
}
