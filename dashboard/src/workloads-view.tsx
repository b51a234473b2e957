/**
 * The site's workloads, as its router published them (`GET /workloads`): one row per workload with
 * its events (and whether an eventFilter picks among them), retries, flow control (concurrency,
 * throttle, rateLimit, debounce), schedule with its next firing, cancelOn rules and step timeout.
 */
import type { EventsApiClient, WorkloadDescription } from "@awl/client/api-client";
import { ErrorAlert } from "./error-alert.tsx";
import { formatDuration, formatRelative, formatTime } from "./format.ts";
import { useResource } from "./use-resource.ts";

type Keyed = { key?: string; keyFunction?: true };

/** " per data.tenantId", " per key function", or nothing for one limit over all runs. */
const per = (limit: Keyed) =>
  limit.keyFunction ? " per key function" : limit.key === undefined ? "" : ` per ${limit.key}`;

/** Each flow-control setting the workload has, in words. */
function flowControl(workload: WorkloadDescription): string[] {
  const lines: string[] = [];
  for (const limit of workload.concurrency ?? [])
    lines.push(`concurrency: ${limit.limit} at once${per(limit)}`);
  if (workload.throttle) {
    lines.push(
      `throttle: ${workload.throttle.limit} per ${formatDuration(workload.throttle.periodMs)}${per(workload.throttle)}`,
    );
  }
  if (workload.rateLimit) {
    lines.push(
      `rateLimit: ${workload.rateLimit.limit} per ${formatDuration(workload.rateLimit.periodMs)}${per(workload.rateLimit)}`,
    );
  }
  if (workload.debounce) {
    const maxWait =
      workload.debounce.maxWaitMs !== undefined
        ? `, at most ${formatDuration(workload.debounce.maxWaitMs)}`
        : "";
    lines.push(
      `debounce: ${formatDuration(workload.debounce.periodMs)} of quiet${maxWait}${per(workload.debounce)}`,
    );
  }
  return lines;
}

export function WorkloadsView({ client, tick }: { client: EventsApiClient; tick: number }) {
  const listing = useResource(() => client.workloads(), "workloads", tick);
  const now = Date.now();
  const workloads = listing.data?.workloads ?? [];
  return (
    <section aria-labelledby="workloads-heading" className="panel">
      <h2 id="workloads-heading">Workloads</h2>
      <ErrorAlert error={listing.error} what="the workloads" />
      {listing.data && (
        <p className="muted">
          {listing.data.publishedAt === null
            ? "No workloads published yet: the site's router publishes them with the first event it routes."
            : `As the router published them at ${formatTime(listing.data.publishedAt)}.`}
        </p>
      )}
      <table className="workloads">
        <caption className="visually-hidden">The site's workloads and their settings</caption>
        <thead>
          <tr>
            <th scope="col">Workload</th>
            <th scope="col">Events</th>
            <th scope="col">Retries</th>
            <th scope="col">Flow control</th>
            <th scope="col">Schedule</th>
            <th scope="col">Cancel on</th>
            <th scope="col">Step timeout</th>
          </tr>
        </thead>
        <tbody>
          {workloads.map((workload) => (
            <tr key={workload.name} data-workload={workload.name}>
              <th scope="row" className="mono">
                {workload.name}
              </th>
              <td>
                {workload.events.join(", ") || <span className="muted">schedule only</span>}
                {workload.eventFilter && <span className="muted"> (eventFilter)</span>}
              </td>
              <td>{workload.maxRetries}</td>
              <td data-flow-control>
                {flowControl(workload).map((line) => (
                  <div key={line}>{line}</div>
                ))}
              </td>
              <td data-schedule>
                {workload.schedule ? (
                  <>
                    <span className="mono">{workload.schedule.cron}</span> {workload.schedule.timezone}
                    {workload.nextFiringAt !== undefined && (
                      <div className="muted">
                        next {formatTime(workload.nextFiringAt)} ({formatRelative(workload.nextFiringAt, now)}
                        )
                      </div>
                    )}
                  </>
                ) : (
                  "–"
                )}
              </td>
              <td>
                {workload.cancelOn
                  ?.map(
                    (rule) =>
                      `${rule.event}${rule.match ? ` (match ${rule.match})` : ""}${rule.if ? " (if)" : ""}`,
                  )
                  .join(", ") ?? "–"}
              </td>
              <td>{workload.stepTimeoutMs !== undefined ? formatDuration(workload.stepTimeoutMs) : "–"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
