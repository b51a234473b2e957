/**
 * The router: QStash delivers each accepted event here; it matches the workloads subscribed to the
 * event's name (case-insensitively) whose eventFilter accepts it, creates one run per match (once,
 * however often the event is delivered), and publishes every new run in one QStash call.
 * The registry of workloads is generated at build time by the extension (or given by a test host).
 * Internal events (names starting with `awl:`) go to the engine's own operations workload instead,
 * whose runs are delivered back here (see operations.ts). QStash's failure callbacks for run
 * deliveries it gave up on come here too, and each counts as a failed attempt (see undelivered.ts).
 */
import { eventNameSchema, idSchema } from "../events/limits.ts";
import { jsonResponse } from "../transport/inbound.ts";
import { handleDelivery, respond } from "./delivery-endpoint.ts";
import { filterAccepts, type FilterableEvent } from "../workload/definition.ts";
import { executeRun } from "./execute.ts";
import { OPERATIONS_WORKLOAD, isInternalEvent, isOperationsRun, operationsWorkload } from "./operations.ts";
import type { Runtime } from "./runtime.ts";
import type { RouteTarget } from "./store.ts";
import { isFailureCallback, recordUndelivered, runDelivery } from "./undelivered.ts";

export interface RegisteredWorkload {
  name: string;
  /** Lower-cased event names. */
  events: string[];
  eventFilter?: (event: FilterableEvent) => unknown;
  maxRetries: number;
  /** Where the workload's function is served: absolute, or a path resolved against the router's URL. */
  url: string;
}

export interface RouteReport {
  eventId: string;
  status: "routed" | "missing";
  runs: string[];
  /** Workloads whose eventFilter threw: treated as not matching, reported here and in the logs. */
  filterErrors?: { workload: string; message: string }[];
}

export async function routeEvent(
  runtime: Runtime,
  registry: readonly RegisteredWorkload[],
  eventId: string,
  eventName: string,
): Promise<RouteReport> {
  const lowerName = eventName.toLowerCase();
  const candidates: RegisteredWorkload[] = isInternalEvent(lowerName)
    ? [operationsWorkload(runtime).registration]
    : registry.filter((workload) => workload.events.includes(lowerName));
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
  const targets: RouteTarget[] = matched.map((workload) => ({
    name: workload.name,
    url: new URL(workload.url, runtime.routerUrl).toString(),
    maxRetries: workload.maxRetries,
  }));
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

export function createRouterHandler(
  registry: readonly RegisteredWorkload[],
  runtime?: Runtime,
): (request: Request) => Promise<Response> {
  const reserved = registry.find((workload) => workload.name.toLowerCase() === OPERATIONS_WORKLOAD);
  if (reserved)
    throw new Error(`workload name "${reserved.name}" is reserved for the engine's internal events`);
  return (request) =>
    handleDelivery(request, runtime, async (resolved, body) => {
      if (isFailureCallback(body)) {
        return respond(resolved, "recording a failed delivery", () => recordUndelivered(resolved, body));
      }
      if (body.runId !== undefined) return runOperation(resolved, body.runId);
      const eventId = idSchema.safeParse(body.eventId);
      const name = eventNameSchema.safeParse(body.name);
      if (!eventId.success || !name.success) {
        return jsonResponse(400, { error: "body must be { eventId, name }" });
      }
      // Routing is idempotent: QStash's redelivery finishes what a failed attempt could not.
      return respond(resolved, `routing ${eventId.data}`, () =>
        routeEvent(resolved, registry, eventId.data, name.data),
      );
    });
}

/** Executes a run of an internal event, which the operations workload delivers back to the router. */
async function runOperation(runtime: Runtime, value: unknown): Promise<Response> {
  const runId = idSchema.safeParse(value);
  // Only the operations workload's runs: a user workload's run must never execute here.
  if (!runId.success || !isOperationsRun(runId.data)) {
    return jsonResponse(400, { error: "runId: the router executes only runs of internal events" });
  }
  const { definition, handler } = operationsWorkload(runtime);
  return respond(runtime, `run ${runId.data}`, () => executeRun(runtime, definition, handler, runId.data));
}
