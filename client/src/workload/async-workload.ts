/**
 * `asyncWorkload(handler, config)`: turns a handler into a Netlify Functions v2 handler that QStash
 * delivers runs to (its onFailure handler's runs too, `<name>:on-failure`). The returned function
 * carries its definition (`awlWorkload`), so the build step and the router can discover the workload
 * without calling it.
 */
import type { CatalogEvents, EventCatalog, EventData } from "../events/define-events.ts";
import { isFailureHandlerRun } from "../engine/internal-events.ts";
import { idSchema } from "../engine/limits.ts";
import { executeRun, type WorkloadContext, type WorkloadHandler } from "../engine/execute.ts";
import { handleDelivery, respond } from "../engine/delivery-endpoint.ts";
import type { Runtime } from "../engine/runtime.ts";
import { jsonResponse } from "../transport/inbound.ts";
import {
  defineWorkload,
  failureHandlerOf,
  type WorkloadConfig,
  type WorkloadDefinition,
  type WorkloadOptions,
} from "./definition.ts";

export interface AsyncWorkloadFunction {
  (request: Request, context?: unknown): Promise<Response>;
  readonly awlWorkload: { definition: WorkloadDefinition; handler: WorkloadHandler };
}

type TypedOptions<C extends EventCatalog, N extends keyof EventData<C> & string> = Omit<
  WorkloadOptions<EventData<C>[N]>,
  "events" | "catalog"
> & { events: N | N[]; catalog: C };

export function asyncWorkload<C extends EventCatalog, N extends keyof EventData<C> & string>(
  handler: (context: WorkloadContext<EventData<C>[N], CatalogEvents<C>>) => unknown,
  config: TypedOptions<C, N>,
): AsyncWorkloadFunction;
export function asyncWorkload<D = unknown>(
  handler: (context: WorkloadContext<D>) => unknown,
  config: WorkloadConfig<D>,
): AsyncWorkloadFunction;
export function asyncWorkload(
  handler: (context: WorkloadContext<never>) => unknown,
  config: WorkloadConfig<never>,
): AsyncWorkloadFunction {
  const definition = defineWorkload(config);
  const run = handler as WorkloadHandler;
  const fn = (request: Request) => handleWorkloadRequest(request, definition, run);
  return Object.assign(fn, { awlWorkload: { definition, handler: run } });
}

export function isAsyncWorkload(value: unknown): value is AsyncWorkloadFunction {
  return typeof value === "function" && "awlWorkload" in value;
}

export async function handleWorkloadRequest(
  request: Request,
  definition: WorkloadDefinition,
  handler: WorkloadHandler,
  runtime?: Runtime,
): Promise<Response> {
  return handleDelivery(request, runtime, async (resolved, body) => {
    const runId = idSchema.safeParse(body.runId);
    if (!runId.success) return jsonResponse(400, { error: "runId: must be a run id" });
    if (isFailureHandlerRun(runId.data)) {
      const failure = failureHandlerOf(definition);
      return executeDelivery(resolved, runId.data, failure.definition, failure.handler);
    }
    return executeDelivery(resolved, runId.data, definition, handler);
  });
}

/** Executes the run a verified delivery names: the same for a site's workloads and the engine's own. */
export function executeDelivery(
  runtime: Runtime,
  runId: string,
  definition: WorkloadDefinition,
  handler: WorkloadHandler,
): Promise<Response> {
  // Redis or the network failing before an outcome is stored gets a 503: QStash delivers again.
  return respond(runtime, `run ${runId}`, () => executeRun(runtime, definition, handler, runId));
}
