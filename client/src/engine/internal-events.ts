/**
 * The reserved names, in one place: every event whose lower-cased name starts with `awl:` is an
 * internal event. The operations (`awl:retry-failed-events`, `awl:delete-events`) are sent by the
 * events API and routed to the engine-owned workload `awl-operations` (workload/operations.ts),
 * whose runs are delivered to the router's function. `awl:run-failed` is emitted by the engine
 * itself when a run is dead-lettered, and routed to the site's workloads that subscribe to it and to
 * the failed workload's onFailure handler. Senders, the router, the extension's build and the CLI
 * all read these names from here.
 */

/** Event names starting with this (whatever their case) are reserved for internal events. */
export const INTERNAL_EVENT_PREFIX = "awl:";
/** Retries dead-lettered runs (data: a retry selector, see operations.ts). */
export const RETRY_FAILED_EVENTS = "awl:retry-failed-events";
/** Deletes events or runs (data: a delete selector, see operations.ts). */
export const DELETE_EVENTS = "awl:delete-events";
/**
 * A run was dead-lettered (data: RunFailedData, engine/run-failed.ts). Emitted by the engine only,
 * in the script that dead-letters the run; sending it is refused, since a forged one would start
 * onFailure handlers (refunds, compensations) for a run that did not fail. Site workloads may
 * subscribe to it. A run whose own event is `awl:run-failed` never emits it, so an onFailure
 * handler or a subscriber that fails does not start itself again.
 */
export const RUN_FAILED = "awl:run-failed";
/** The operations: sent through the events API, run by the operations workload. */
export const OPERATION_EVENTS: readonly string[] = [RETRY_FAILED_EVENTS, DELETE_EVENTS];
/** Every internal event there is; any other `awl:` name is refused when sent, and so is RUN_FAILED. */
export const INTERNAL_EVENTS: readonly string[] = [...OPERATION_EVENTS, RUN_FAILED];
/** The internal events a site's workload may subscribe to (`events: ["awl:run-failed"]`). */
export const SUBSCRIBABLE_INTERNAL_EVENTS: readonly string[] = [RUN_FAILED];
/** The engine-owned workload that runs internal events; no site workload may take its name. */
export const OPERATIONS_WORKLOAD = "awl-operations";
/**
 * A workload's onFailure handler runs as the workload `<name>:on-failure` (run id
 * `<eventId>.<name>:on-failure`), delivered to the workload's own function. No workload name holds
 * a ":", so the name is never a site workload's, and a workload may both have an onFailure handler
 * and subscribe to `awl:run-failed`.
 */
export const FAILURE_HANDLER_SUFFIX = ":on-failure";

export function isInternalEvent(name: string): boolean {
  return name.toLowerCase().startsWith(INTERNAL_EVENT_PREFIX);
}

/** True for the runs of the operations workload (run ids are `<eventId>.<workload>`). */
export function isOperationsRun(runId: string): boolean {
  return runId.endsWith(`.${OPERATIONS_WORKLOAD}`);
}

/** The workload name an onFailure handler's runs have. */
export function failureHandlerName(workload: string): string {
  return `${workload}${FAILURE_HANDLER_SUFFIX}`;
}

/** True for the runs of a workload's onFailure handler. */
export function isFailureHandlerRun(runId: string): boolean {
  return runId.endsWith(FAILURE_HANDLER_SUFFIX);
}
