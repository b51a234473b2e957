/**
 * The reserved names, in one place: every event whose lower-cased name starts with `awl:` is an
 * internal event, routed to the engine-owned workload `awl-operations` (workload/operations.ts),
 * whose runs are delivered to the router's function. Senders, the router, the extension's build
 * and the CLI all read these names from here.
 */

/** Event names starting with this (whatever their case) are reserved for internal events. */
export const INTERNAL_EVENT_PREFIX = "awl:";
/** Retries dead-lettered runs (data: a retry selector, see operations.ts). */
export const RETRY_FAILED_EVENTS = "awl:retry-failed-events";
/** Deletes events or runs (data: a delete selector, see operations.ts). */
export const DELETE_EVENTS = "awl:delete-events";
/** Every internal event there is; any other `awl:` name is refused when sent. */
export const INTERNAL_EVENTS: readonly string[] = [RETRY_FAILED_EVENTS, DELETE_EVENTS];
/** The engine-owned workload that runs internal events; no site workload may take its name. */
export const OPERATIONS_WORKLOAD = "awl-operations";

export function isInternalEvent(name: string): boolean {
  return name.toLowerCase().startsWith(INTERNAL_EVENT_PREFIX);
}

/** True for the runs of the operations workload (run ids are `<eventId>.<workload>`). */
export function isOperationsRun(runId: string): boolean {
  return runId.endsWith(`.${OPERATIONS_WORKLOAD}`);
}
