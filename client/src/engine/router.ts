/**
 * The router: QStash delivers each accepted event here; it matches the workloads subscribed to the
 * event's name (case-insensitively) whose eventFilter accepts it, creates one run per match (once,
 * however often the event is delivered), and publishes every new run in one QStash call.
 * The registry of workloads is generated at build time by the extension (or given by a test host).
 * Each routing also publishes the registry as the routing table (routingTable below), by which
 * senders route events at send without the router's hop (docs/how-it-works.md, "Routing at send").
 * Internal events (names starting with `awl:`) go to the workload `Routes.internal` names instead,
 * but for `awl:run-failed`, which goes to its subscribers and to the failed workload's onFailure
 * handler (internal-events.ts).
 * QStash's failure callbacks for run deliveries it gave up on come here too, and each counts as a
 * failed attempt (see undelivered.ts). Runs delivered to the router's URL (those of the internal
 * workload) are not executed here: they go to the `runs` work its function is built with
 * (workload/router-function.ts).
 */
import { createHash } from "node:crypto";
import { jsonResponse } from "../transport/inbound.ts";
import { respond, type DeliveryWork } from "./delivery-endpoint.ts";
import { RUN_FAILED, failureHandlerName, isInternalEvent } from "./internal-events.ts";
import { eventNameSchema, idSchema } from "./limits.ts";
import type { RunFailedData } from "./run-failed.ts";
import type { Runtime } from "./runtime.ts";
import { ROUTING_TABLE_FILTERED } from "./keys.ts";
import { scheduleEventName } from "./scheduled-events.ts";
import type { RouteTarget, RoutingTable } from "./store/index.ts";
import { isFailureCallback, recordUndelivered, runDelivery } from "./undelivered.ts";
import { filterAccepts, type FilterableEvent, type RegisteredWorkload } from "./workload-spec.ts";
import { applyCancelOn, cancelsOn } from "./cancel-on.ts";
import { workloadManifest } from "./workload-manifest.ts";

export type { RegisteredWorkload } from "./workload-spec.ts";

export interface RouteReport {
  eventId: string;
  status: "routed" | "missing";
  runs: string[];
  /** Workloads whose eventFilter threw: treated as not matching, reported here and in the logs. */
  filterErrors?: { workload: string; message: string }[];
  /** Runs this event cancelled through workloads' cancelOn rules. */
  cancelled?: string[];
}

/** Where events go: the site's workloads, and the one workload every internal event goes to. */
export interface Routes {
  workloads: readonly RegisteredWorkload[];
  internal(runtime: Runtime): RegisteredWorkload;
}

export async function route(
  runtime: Runtime,
  routes: Routes,
  eventId: string,
  eventName: string,
): Promise<RouteReport> {
  const lowerName = eventName.toLowerCase();
  // awl:run-failed is the one internal event for the site's workloads (internal-events.ts).
  const runFailed = lowerName === RUN_FAILED;
  let candidates =
    isInternalEvent(lowerName) && !runFailed
      ? [routes.internal(runtime)]
      : subscribers(routes.workloads, lowerName);
  const filterErrors: { workload: string; message: string }[] = [];
  const cancels = !isInternalEvent(lowerName) && cancelsOn(routes.workloads, lowerName);
  let filterable: (FilterableEvent & { createdAt: number }) | undefined;
  if (runFailed || cancels || candidates.some((workload) => workload.eventFilter)) {
    // Only filters and cancelOn rules need the event's data: plain routing costs one Redis round trip, not two.
    const event = await runtime.store.loadEvent(eventId);
    if (!event) return { eventId, status: "missing", runs: [] };
    filterable = {
      eventId,
      name: event.name,
      data: JSON.parse(event.data),
      priority: event.priority,
      createdAt: event.createdAt,
    };
  }
  if (runFailed && filterable) candidates = [...candidates, ...failureHandlers(routes.workloads, filterable)];
  let matched = candidates;
  if (filterable && candidates.some((workload) => workload.eventFilter)) {
    const event = filterable;
    matched = candidates.filter((workload) => {
      if (!workload.eventFilter) return true;
      try {
        return filterAccepts(workload.eventFilter, event);
      } catch (error) {
        filterErrors.push({ workload: workload.name, message: (error as Error).message });
        runtime.log(`awl: eventFilter of ${workload.name} threw for ${eventId}: ${(error as Error).message}`);
        return false;
      }
    });
  }
  const targets = matched.map((workload) => routeTarget(runtime, workload));
  const now = runtime.now();
  const manifest = manifestPublished(runtime, routes.workloads)
    ? undefined
    : JSON.stringify(workloadManifest(routes.workloads, now));
  const runs = await runtime.store.route(
    eventId,
    targets,
    now,
    routingTable(runtime, routes.workloads),
    manifest,
  );
  if (manifest) markManifestPublished(runtime, routes.workloads);
  if (!runs) return { eventId, status: "missing", runs: [] };
  // Before the publish: should it fail, QStash delivers the event again and the cancel is repeated
  // (cancelling a cancelled run changes nothing).
  const cancelled = cancels && filterable ? await applyCancelOn(runtime, routes.workloads, filterable) : [];
  await runtime.publisher.publish(runs.map((run) => runDelivery(runtime, run)));
  return {
    eventId,
    status: "routed",
    runs: runs.map((run) => run.runId),
    ...(filterErrors.length ? { filterErrors } : {}),
    ...(cancelled.length ? { cancelled } : {}),
  };
}

/** The (lower-cased) names a workload receives: its events, and its schedule's event if it has one. */
function subscribedNames(workload: RegisteredWorkload): string[] {
  return workload.schedule ? [...workload.events, scheduleEventName(workload.name)] : workload.events;
}

function subscribers(workloads: readonly RegisteredWorkload[], lowerName: string): RegisteredWorkload[] {
  return workloads.filter((workload) => subscribedNames(workload).includes(lowerName));
}

/**
 * The onFailure handler of the workload whose run an awl:run-failed event reports, if it has one:
 * run as the workload `<name>:on-failure` at the workload's own URL, with its retries.
 */
function failureHandlers(
  workloads: readonly RegisteredWorkload[],
  event: FilterableEvent,
): RegisteredWorkload[] {
  const failed = (event.data as Partial<RunFailedData> | null)?.workload;
  const workload = workloads.find((candidate) => candidate.onFailure && candidate.name === failed);
  if (!workload) return [];
  return [
    {
      name: failureHandlerName(workload.name),
      events: [],
      maxRetries: workload.maxRetries,
      url: workload.url,
    },
  ];
}

function routeTarget(runtime: Runtime, workload: RegisteredWorkload): RouteTarget {
  return {
    name: workload.name,
    url: new URL(workload.url, runtime.routerUrl).toString(),
    maxRetries: workload.maxRetries,
  };
}

const tables = new WeakMap<readonly RegisteredWorkload[], { routerUrl: string; table: RoutingTable }>();

/**
 * The routing table the router publishes with every routing (written only when its digest changed):
 * per lower-cased event name with subscribers, the unfiltered subscribers in registry order (as
 * route() would create their runs), or `filtered` when one of them has an eventFilter, which only
 * the router judges, or a workload's cancelOn names the event, whose rules only the router applies. Senders read it in their enqueue script to route at send; a name it does not
 * hold has no subscribers. Internal events are the router's own and never in it.
 */
export function routingTable(runtime: Runtime, registry: readonly RegisteredWorkload[]): RoutingTable {
  const cached = tables.get(registry);
  if (cached?.routerUrl === runtime.routerUrl) return cached.table;
  const byName = new Map<string, RegisteredWorkload[]>();
  for (const workload of registry) {
    for (const name of new Set(subscribedNames(workload))) {
      if (isInternalEvent(name)) continue;
      byName.set(name, [...(byName.get(name) ?? []), workload]);
    }
  }
  // An event a cancelOn names is the router's too: it applies the rules when it routes it.
  for (const workload of registry) {
    for (const rule of workload.cancelOn ?? []) byName.set(rule.event, byName.get(rule.event) ?? []);
  }
  const entries: Record<string, string> = {};
  for (const name of [...byName.keys()].sort()) {
    const workloads = byName.get(name)!;
    entries[name] =
      workloads.some((workload) => workload.eventFilter) || cancelsOn(registry, name)
        ? ROUTING_TABLE_FILTERED
        : JSON.stringify(
            workloads.map((workload) => {
              const target = routeTarget(runtime, workload);
              return [target.name, target.url, String(target.maxRetries)];
            }),
          );
  }
  const digest = createHash("sha256").update(JSON.stringify(entries)).digest("hex").slice(0, 32);
  const table = { digest, entries };
  tables.set(registry, { routerUrl: runtime.routerUrl, table });
  return table;
}

/**
 * Publishes the registry's routing table without routing an event (as every routing does), so that
 * senders route at send from their next event, and its workload manifest: for a router before its
 * first event, a test, a bench.
 */
export async function publishRoutingTable(
  runtime: Runtime,
  registry: readonly RegisteredWorkload[],
): Promise<void> {
  await runtime.store.publishRoutingTable(
    routingTable(runtime, registry),
    JSON.stringify(workloadManifest(registry, runtime.now())),
  );
  markManifestPublished(runtime, registry);
}

/**
 * The registries whose workload manifest this process has published, per key prefix. The manifest
 * changes only with a deploy, so a router instance writes it with its first routing and never
 * again: no routing after that carries it, and the newest deploy's instances write last.
 */
const manifests = new WeakMap<readonly RegisteredWorkload[], Set<string>>();

function manifestPublished(runtime: Runtime, registry: readonly RegisteredWorkload[]): boolean {
  return manifests.get(registry)?.has(runtime.store.prefix) ?? false;
}

function markManifestPublished(runtime: Runtime, registry: readonly RegisteredWorkload[]): void {
  manifests.set(registry, (manifests.get(registry) ?? new Set()).add(runtime.store.prefix));
}

/**
 * The router's work for one verified delivery: record a failure callback, hand a run to `runs`,
 * or route an event.
 */
export function routerWork(routes: Routes, runs: DeliveryWork): DeliveryWork {
  return async (runtime, body) => {
    if (isFailureCallback(body)) {
      return respond(runtime, "recording a failed delivery", () => recordUndelivered(runtime, body));
    }
    if (body.runId !== undefined) return runs(runtime, body);
    const eventId = idSchema.safeParse(body.eventId);
    const name = eventNameSchema.safeParse(body.name);
    if (!eventId.success || !name.success) {
      return jsonResponse(400, { error: "body must be { eventId, name }" });
    }
    // Routing is idempotent: QStash's redelivery finishes what a failed attempt could not.
    return respond(runtime, `routing ${eventId.data}`, () => route(runtime, routes, eventId.data, name.data));
  };
}
