/**
 * `awl workloads` as text: one block per workload, its name then one line per setting it has
 * (events and filter, retries, concurrency, throttle, rateLimit, debounce, schedule with its next
 * firing, cancelOn, step timeout), so a workload with many settings stays readable in a terminal.
 */
import type { WorkloadDescription, WorkloadsListing } from "@awl/client";
import type { Colors } from "../terminal.ts";
import { formatDuration, formatRelative, formatTime } from "./units.ts";

type Keyed = { key?: string; keyFunction?: true };

/** " per data.tenantId", " per key function", or nothing for one limit over all runs. */
function per(limit: Keyed): string {
  if (limit.keyFunction) return " per key function";
  return limit.key === undefined ? "" : ` per ${limit.key}`;
}

function rate(limit: { limit: number; periodMs: number } & Keyed): string {
  return `${limit.limit} per ${formatDuration(limit.periodMs)}${per(limit)}`;
}

/** The settings of one workload, as [label, value] rows (only those it has). */
export function workloadRows(
  workload: WorkloadDescription & { nextFiringAt?: number },
  now: number,
): [string, string][] {
  const rows: [string, string][] = [];
  const events = workload.events.length ? workload.events.join(", ") : "(none: schedule only)";
  rows.push(["events", `${events}${workload.eventFilter ? "  (eventFilter)" : ""}`]);
  rows.push(["retries", String(workload.maxRetries)]);
  if (workload.concurrency) {
    rows.push([
      "concurrency",
      workload.concurrency.map((limit) => `${limit.limit} at once${per(limit)}`).join("; "),
    ]);
  }
  if (workload.throttle) rows.push(["throttle", rate(workload.throttle)]);
  if (workload.rateLimit) rows.push(["rateLimit", rate(workload.rateLimit)]);
  if (workload.debounce) {
    const maxWait =
      workload.debounce.maxWaitMs !== undefined
        ? `, at most ${formatDuration(workload.debounce.maxWaitMs)}`
        : "";
    rows.push([
      "debounce",
      `${formatDuration(workload.debounce.periodMs)} of quiet${maxWait}${per(workload.debounce)}`,
    ]);
  }
  if (workload.schedule) {
    const next =
      workload.nextFiringAt !== undefined
        ? `; next ${formatTime(workload.nextFiringAt)} (${formatRelative(workload.nextFiringAt, now)})`
        : "";
    rows.push(["schedule", `${workload.schedule.cron} ${workload.schedule.timezone}${next}`]);
  }
  if (workload.cancelOn) {
    rows.push([
      "cancelOn",
      workload.cancelOn
        .map((rule) => `${rule.event}${rule.match ? ` (match ${rule.match})` : ""}${rule.if ? " (if)" : ""}`)
        .join(", "),
    ]);
  }
  if (workload.stepTimeoutMs !== undefined)
    rows.push(["stepTimeout", formatDuration(workload.stepTimeoutMs)]);
  return rows;
}

export function formatWorkloads(listing: WorkloadsListing, colors: Colors, now: number): string {
  const lines: string[] = [];
  const width = Math.max(
    ...listing.workloads.flatMap((w) => workloadRows(w, now).map(([label]) => label.length)),
  );
  for (const workload of listing.workloads) {
    if (lines.length > 0) lines.push("");
    lines.push(colors.bold(workload.name));
    for (const [label, value] of workloadRows(workload, now)) {
      lines.push(`  ${colors.dim(label.padEnd(width))}  ${value}`);
    }
  }
  if (listing.publishedAt !== null) {
    lines.push(
      "",
      colors.dim(
        `as the router published them ${formatTime(listing.publishedAt)} (${formatRelative(listing.publishedAt, now)})`,
      ),
    );
  }
  return lines.join("\n");
}
