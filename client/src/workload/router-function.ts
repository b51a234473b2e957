/**
 * The router's function, as the extension injects it: one endpoint that routes events (the engine's
 * router, engine/router.ts), turns the firings of workloads' schedules into their events
 * (engine/schedule-firing.ts), and serves the runs of the internal operations workload
 * (workload/operations.ts), which are delivered to the same URL and executed as any workload's runs.
 */
import { handleDelivery, respond, type DeliveryWork } from "../engine/delivery-endpoint.ts";
import { OPERATIONS_WORKLOAD, isOperationsRun } from "../engine/internal-events.ts";
import { idSchema } from "../engine/limits.ts";
import {
  route,
  routerWork,
  type RegisteredWorkload,
  type RouteReport,
  type Routes,
} from "../engine/router.ts";
import type { Runtime } from "../engine/runtime.ts";
import { fireSchedule } from "../engine/schedule-firing.ts";
import { jsonResponse } from "../transport/inbound.ts";
import { executeDelivery } from "./async-workload.ts";
import { operationsWorkload } from "./operations.ts";

export function createRouterHandler(
  registry: readonly RegisteredWorkload[],
  runtime?: Runtime,
): (request: Request) => Promise<Response> {
  const reserved = registry.find((workload) => workload.name.toLowerCase() === OPERATIONS_WORKLOAD);
  if (reserved)
    throw new Error(`workload name "${reserved.name}" is reserved for the engine's internal events`);
  const work = scheduleFirings(registry, routerWork(routesOf(registry), runOperation));
  return (request) => handleDelivery(request, runtime, work);
}

/** A schedule's firing (`{ schedule: <workload> }`, engine/schedule-firing.ts) becomes its event; the rest is routed. */
function scheduleFirings(registry: readonly RegisteredWorkload[], work: DeliveryWork): DeliveryWork {
  return (runtime, body) => {
    const workload = body.schedule;
    if (typeof workload !== "string" || body.runId !== undefined) return work(runtime, body);
    return respond(runtime, `firing the schedule of ${workload}`, () =>
      fireSchedule(runtime, registry, workload),
    );
  };
}

/** Routes one event to the registry's workloads (or, for an internal event, the operations workload). */
export function routeEvent(
  runtime: Runtime,
  registry: readonly RegisteredWorkload[],
  eventId: string,
  eventName: string,
): Promise<RouteReport> {
  return route(runtime, routesOf(registry), eventId, eventName);
}

function routesOf(registry: readonly RegisteredWorkload[]): Routes {
  return { workloads: registry, internal: (runtime) => operationsWorkload(runtime).registration };
}

/** Executes a run of an internal event, which the operations workload delivers to the router's URL. */
async function runOperation(runtime: Runtime, body: Record<string, unknown>): Promise<Response> {
  const runId = idSchema.safeParse(body.runId);
  // Only the operations workload's runs: a user workload's run must never execute here.
  if (!runId.success || !isOperationsRun(runId.data)) {
    return jsonResponse(400, { error: "runId: the router executes only runs of internal events" });
  }
  const { definition, handler } = operationsWorkload(runtime);
  return executeDelivery(runtime, runId.data, definition, handler);
}
