/**
 * The workload manifest: what `awl workloads`, `GET /workloads` and the dashboard show of a site's
 * workloads (events, filter, retries, flow control, schedule, cancelOn, step timeout), as JSON
 * without functions: a key function or a filter shows as present, not as code. The router holds the
 * registry, so the router publishes it (router.ts, once per router instance, with a routing) and
 * the events API, a separate function that never imports the site's workloads, only reads it.
 */
import { nextFiring, parseCron } from "./cron.ts";
import { scheduleEventName } from "./scheduled-events.ts";
import type { ConcurrencyLimit, RateLimitSpec, RegisteredWorkload, ThrottleSpec } from "./workload-spec.ts";

/** A limit's key: a path into the event, or `function: true` for a key function; absent: one limit for all runs. */
export interface KeyDescription {
  key?: string;
  keyFunction?: true;
}

export interface WorkloadDescription {
  name: string;
  /** Lower-cased event names. */
  events: string[];
  /** Whether an eventFilter decides which of those events start a run. */
  eventFilter: boolean;
  maxRetries: number;
  concurrency?: ({ limit: number } & KeyDescription)[];
  throttle?: { limit: number; periodMs: number } & KeyDescription;
  rateLimit?: { limit: number; periodMs: number } & KeyDescription;
  debounce?: { periodMs: number; maxWaitMs?: number } & KeyDescription;
  /** The cron trigger; `event` is the event each firing sends. */
  schedule?: { cron: string; timezone: string; event: string };
  cancelOn?: { event: string; match?: string; if?: true }[];
  stepTimeoutMs?: number;
  timeBudgetMs?: number;
}

/** What the router publishes: its workloads, and when it did. */
export interface WorkloadManifest {
  publishedAt: number;
  workloads: WorkloadDescription[];
}

/** `GET /workloads`: the manifest with each schedule's next firing; publishedAt null before any router published one. */
export interface WorkloadsListing {
  publishedAt: number | null;
  workloads: (WorkloadDescription & { nextFiringAt?: number })[];
}

function keyOf(limit: Pick<ConcurrencyLimit, "key">): KeyDescription {
  if (limit.key === undefined) return {};
  return typeof limit.key === "function" ? { keyFunction: true } : { key: limit.key };
}

export function describeWorkload(workload: RegisteredWorkload): WorkloadDescription {
  const spec = workload.spec;
  const rated = (limit: ThrottleSpec | RateLimitSpec) => ({
    limit: limit.limit,
    periodMs: limit.periodMs,
    ...keyOf(limit),
  });
  return {
    name: workload.name,
    events: workload.events,
    eventFilter: workload.eventFilter !== undefined,
    maxRetries: workload.maxRetries,
    ...(spec?.concurrency?.length
      ? { concurrency: spec.concurrency.map((limit) => ({ limit: limit.limit, ...keyOf(limit) })) }
      : {}),
    ...(spec?.throttle ? { throttle: rated(spec.throttle) } : {}),
    ...(spec?.rateLimit ? { rateLimit: rated(spec.rateLimit) } : {}),
    ...(spec?.debounce
      ? {
          debounce: {
            periodMs: spec.debounce.periodMs,
            ...(spec.debounce.maxWaitMs !== undefined ? { maxWaitMs: spec.debounce.maxWaitMs } : {}),
            ...keyOf(spec.debounce),
          },
        }
      : {}),
    ...(workload.schedule
      ? {
          schedule: {
            cron: workload.schedule.fields,
            timezone: workload.schedule.timezone,
            event: scheduleEventName(workload.name),
          },
        }
      : {}),
    ...(workload.cancelOn?.length
      ? {
          cancelOn: workload.cancelOn.map((rule) => ({
            event: rule.event,
            ...(rule.match !== undefined ? { match: rule.match } : {}),
            ...(rule.if ? { if: true as const } : {}),
          })),
        }
      : {}),
    ...(spec?.stepTimeoutMs !== undefined ? { stepTimeoutMs: spec.stepTimeoutMs } : {}),
    ...(spec ? { timeBudgetMs: spec.timeBudgetMs } : {}),
  };
}

export function workloadManifest(registry: readonly RegisteredWorkload[], now: number): WorkloadManifest {
  return { publishedAt: now, workloads: registry.map(describeWorkload) };
}

/** The stored manifest as `GET /workloads` answers it, with each schedule's next firing after `now`. */
export function workloadsListing(stored: string | null, now: number): WorkloadsListing {
  if (!stored) return { publishedAt: null, workloads: [] };
  const manifest = JSON.parse(stored) as WorkloadManifest;
  return {
    publishedAt: manifest.publishedAt,
    workloads: manifest.workloads.map((workload) =>
      workload.schedule
        ? {
            ...workload,
            nextFiringAt: nextFiring(parseCron(workload.schedule.cron, workload.schedule.timezone), now),
          }
        : workload,
    ),
  };
}
