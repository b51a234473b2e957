/**
 * The internal events `awl:retry-failed-events` and `awl:delete-events` as an ordinary workload,
 * `awl-operations`, defined like any site's: the router routes every `awl:` event to it, and its runs
 * are delivered to the router's function (workload/router-function.ts), which executes them as any
 * workload function does. Running the operation as a run (rather than inline in the router) makes it
 * durable like any other work, retried on failure, and visible: the event shows as completed, with
 * the operation's result as the step `awl:retry-failed-events` or `awl:delete-events` in its run's
 * journal. The operations themselves are engine/operations.ts.
 */
import { ErrorDoNotRetry } from "../engine/errors.ts";
import type { WorkloadHandler } from "../engine/execute.ts";
import {
  DELETE_EVENTS,
  INTERNAL_EVENT_PREFIX,
  OPERATIONS_WORKLOAD,
  RETRY_FAILED_EVENTS,
} from "../engine/internal-events.ts";
import {
  deleteEventDataSchema,
  deleteEvents,
  retryDeadLettered,
  retryEventDataSchema,
} from "../engine/operations.ts";
import type { RegisteredWorkload } from "../engine/router.ts";
import type { Runtime } from "../engine/runtime.ts";
import { defineEvents } from "../events/define-events.ts";
import { defineWorkload, type WorkloadDefinition } from "./definition.ts";

/**
 * The data of the internal events, checked when they are sent through the API and when they run:
 * this engine's selectors, or Netlify's shapes (engine/operations.ts).
 */
export const internalEvents = defineEvents({
  [RETRY_FAILED_EVENTS]: retryEventDataSchema,
  [DELETE_EVENTS]: deleteEventDataSchema,
});

const operationsDefinition: WorkloadDefinition = defineWorkload({
  events: [RETRY_FAILED_EVENTS, DELETE_EVENTS],
  name: OPERATIONS_WORKLOAD,
  catalog: internalEvents,
});

/** The operations workload, bound to a runtime: its definition, handler and router registration. */
export function operationsWorkload(runtime: Runtime): {
  definition: WorkloadDefinition;
  handler: WorkloadHandler;
  registration: RegisteredWorkload;
} {
  const handler: WorkloadHandler = async ({ name, data, step }) => {
    const lower = name.toLowerCase();
    // The step records what was done in the run's journal, and keeps a retry of the run (after a
    // failed outcome write) from repeating the operation.
    if (lower === RETRY_FAILED_EVENTS) {
      return step.run(RETRY_FAILED_EVENTS, async () => {
        const report = await retryDeadLettered(runtime, retryEventDataSchema.parse(data));
        return { retried: report.runIds.length };
      });
    }
    if (lower === DELETE_EVENTS) {
      return step.run(DELETE_EVENTS, () => deleteEvents(runtime, deleteEventDataSchema.parse(data)));
    }
    throw new ErrorDoNotRetry(
      `"${name}" is not an internal event; names starting with "${INTERNAL_EVENT_PREFIX}" are reserved ` +
        `(known: ${RETRY_FAILED_EVENTS}, ${DELETE_EVENTS})`,
    );
  };
  return {
    definition: operationsDefinition,
    handler,
    registration: {
      name: OPERATIONS_WORKLOAD,
      events: operationsDefinition.events,
      maxRetries: operationsDefinition.maxRetries,
      url: runtime.routerUrl,
    },
  };
}
