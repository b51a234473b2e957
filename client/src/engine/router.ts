/**
 * The router: QStash delivers each accepted event here; it matches the workloads subscribed to the
 * event's name (case-insensitively) whose eventFilter accepts it, creates one run per match (once,
 * however often the event is delivered), and publishes every new run in one QStash call.
 * The registry of workloads is generated at build time by the extension (or given by a test host).
 * Internal events (names starting with `awl:`) go to the workload `Routes.internal` names instead.
 * QStash's failure callbacks for run deliveries it gave up on come here too, and each counts as a
 * failed attempt (see undelivered.ts). Runs delivered to the router's URL (those of the internal
 * workload) are not executed here: they go to the `runs` work its function is built with
 * (workload/router-function.ts).
 */
import { jsonResponse } from "../transport/inbound.ts";
import { respond, type DeliveryWork } from "./delivery-endpoint.ts";
import { isInternalEvent } from "./internal-events.ts";
import { eventNameSchema, idSchema } from "./limits.ts";
import type { Runtime } from "./runtime.ts";
import type { RouteTarget } from "./store/index.ts";
import { isFailureCallback, recordUndelivered, runDelivery } from "./undelivered.ts";
import { filterAccepts, type FilterableEvent, type RegisteredWorkload } from "./workload-spec.ts";

export type { RegisteredWorkload } from "./workload-spec.ts";

export interface RouteReport {
  eventId: string;
  status: "routed" | "missing";
  runs: string[];
  /** Workloads whose eventFilter threw: treated as not matching, reported here and in the logs. */
  filterErrors?: { workload: string; message: string }[];
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
  const candidates = isInternalEvent(lowerName)
    ? [routes.internal(runtime)]
    : subscribers(routes.workloads, lowerName);
  const filterErrors: { workload: string; message: string }[] = [];
  let matched = candidates;
  if (candidates.some((workload) => workload.eventFilter)) {
    // Only filters need the event's data: unfiltered routing costs one Redis round trip, not two.
    const event = await runtime.store.loadEvent(eventId);
    if (!event) return { eventId, status: "missing", runs: [] };
    const filterable: FilterableEvent = {
      eventId,
      name: event.name,
      data: JSON.parse(event.data),
      priority: event.priority,
    };
    matched = candidates.filter((workload) => {
      if (!workload.eventFilter) return true;
      try {
        return filterAccepts(workload.eventFilter, filterable);
      } catch (error) {
        filterErrors.push({ workload: workload.name, message: (error as Error).message });
        runtime.log(`awl: eventFilter of ${workload.name} threw for ${eventId}: ${(error as Error).message}`);
        return false;
      }
    });
  }
  const targets = matched.map((workload) => routeTarget(runtime, workload));
  const runs = await runtime.store.route(eventId, targets, runtime.now());
  if (!runs) return { eventId, status: "missing", runs: [] };
  await runtime.publisher.publish(runs.map((run) => runDelivery(runtime, run)));
  return {
    eventId,
    status: "routed",
    runs: runs.map((run) => run.runId),
    ...(filterErrors.length ? { filterErrors } : {}),
  };
}

function subscribers(workloads: readonly RegisteredWorkload[], lowerName: string): RegisteredWorkload[] {
  return workloads.filter((workload) => workload.events.includes(lowerName));
}

function routeTarget(runtime: Runtime, workload: RegisteredWorkload): RouteTarget {
  return {
    name: workload.name,
    url: new URL(workload.url, runtime.routerUrl).toString(),
    maxRetries: workload.maxRetries,
  };
}

/**
 * Routing at send: the runs an event starts, when the sender can decide them as the router would,
 * or undefined to leave the event to the router. The sender decides only when it knows the site's
 * workloads (`runtime.workloads`), and never for an internal event (the operations workload is the
 * router's own), a delayed event (the router sees it when it is due, as documented) or an event a
 * subscribed workload filters: a filter is the workload's code, judged by the router as it always
 * was, with the event's data as stored. An event no workload subscribes to is routed here as well:
 * no runs, so it is recorded unmatched with no message at all.
 */
export function routeAtSend(
  runtime: Runtime,
  event: { name: string; delayUntil?: number },
): RouteTarget[] | undefined {
  if (!runtime.workloads || event.delayUntil !== undefined) return undefined;
  const lowerName = event.name.toLowerCase();
  if (isInternalEvent(lowerName)) return undefined;
  const matched = subscribers(runtime.workloads, lowerName);
  if (matched.some((workload) => workload.eventFilter)) return undefined;
  return matched.map((workload) => routeTarget(runtime, workload));
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
