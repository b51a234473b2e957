/**
 * The run-failed event (`awl:run-failed`, internal-events.ts): what its data holds, and its
 * publishing. A run that is dead-lettered (finish.lua, fail-delivery.lua) persists the event with
 * its routing outbox entry in the same script (lib.lua record_run_failed), as a send persists an
 * event; the caller then publishes it to the router, which routes it to the workloads subscribed to
 * `awl:run-failed` and to the failed workload's onFailure handler. A lost publish is the
 * reconciler's, as for any event.
 */
import { newEventId } from "./ids.ts";
import { RUN_FAILED } from "./internal-events.ts";
import type { Runtime } from "./runtime.ts";
import type { NewFailureEvent } from "./store/index.ts";
import type { ErrorRecord, JsonValue } from "./types.ts";

/** The data of an `awl:run-failed` event: the run that was dead-lettered, and why. */
export interface RunFailedData {
  /** The dead-lettered run (`<eventId>.<workload>`). */
  runId: string;
  workload: string;
  /** Its attempt that failed last (attempts restart at 1 after a retry through the API). */
  attempt: number;
  /** The error of that attempt, as recorded: name, message, stack, and the step it came from. */
  error: ErrorRecord;
  /** The step whose error dead-lettered the run; null when the error came from outside a step. */
  failedStep: string | null;
  /** The event the run was for. */
  event: { id: string; name: string; data: JsonValue };
}

/** The run-failed event a run that is being finished would emit if it is dead-lettered. */
export function newFailureEvent(now: number): NewFailureEvent {
  return { id: newEventId(now), name: RUN_FAILED };
}

/** Publishes a recorded run-failed event to the router; a lost publish is left to the reconciler. */
export async function publishRunFailed(runtime: Runtime, eventId: string, runId: string): Promise<void> {
  try {
    await runtime.publisher.publish([{ url: runtime.routerUrl, body: { eventId, name: RUN_FAILED } }]);
  } catch (error) {
    runtime.log(
      `awl: publishing ${RUN_FAILED} ${eventId} of ${runId} failed (${(error as Error).message}); the reconciler will`,
    );
  }
}
