/**
 * Operations on stored events, shared by the events API, the CLI and the internal events (whose
 * workload is workload/operations.ts): retrying dead-lettered runs (their completed steps are kept,
 * so a retry resumes after the last step that succeeded), cancelling active runs (their history is
 * kept), re-running an ended run from the start or from a chosen step, and deleting events with
 * their runs, or single runs.
 */
import { z } from "zod";
import { EVENT_STATES, type EventState, type RunState } from "./keys.ts";
import { eventNameSchema, idSchema, runIdSchema } from "./limits.ts";
import type { Runtime } from "./runtime.ts";
import type { PublishTarget, RunsDeleted } from "./store/index.ts";
import { runDelivery } from "./undelivered.ts";
import { InvalidInputError } from "./validation-error.ts";

/** How many ids one request may name; bulk operations without a list are not limited. */
export const MAX_SELECTOR_IDS = 1000;
/** Runs retried per Redis script call, and messages per QStash batch call. */
const CHUNK = 100;

const ids = z
  .array(idSchema)
  .min(1, "must name at least one event")
  .max(MAX_SELECTOR_IDS, `at most ${MAX_SELECTOR_IDS}`);

const runIds = z
  .array(runIdSchema)
  .min(1, "must name at least one run")
  .max(MAX_SELECTOR_IDS, `at most ${MAX_SELECTOR_IDS}`);

const eventNames = z.array(eventNameSchema).min(1, "must name at least one event").max(MAX_SELECTOR_IDS);

/**
 * `{ runIds }` (one run, or a selection), `{ eventIds }`, `{ eventNames }` (every dead-lettered run
 * of those events), both (those of the events that have one of the names), or `{}` for every
 * dead-lettered run.
 */
export const retrySelectorSchema = z
  .strictObject({
    runIds: runIds.optional(),
    eventIds: ids.optional(),
    eventNames: eventNames.optional(),
  })
  .refine((selector) => !(selector.runIds && (selector.eventIds || selector.eventNames)), {
    message: "give runIds alone, or eventIds and/or eventNames",
  });
export type RetrySelector = z.infer<typeof retrySelectorSchema>;

/** The states Netlify's `awl:delete-events` selects by, and the run states each one means here. */
export const NETLIFY_EVENT_STATES = {
  processing: ["processing"],
  pending: ["pending"],
  // Netlify files a waiting event by how long it waits (delayed: from 15 s, hibernating: from a
  // day); this engine by why it waits (delayed: a retry, sleeping: step.sleep). Either is both.
  delayed: ["delayed", "sleeping"],
  hibernating: ["delayed", "sleeping"],
  "dead-lettered": ["dead-lettered"],
} as const satisfies Record<string, readonly EventState[]>;
type NetlifyEventState = keyof typeof NETLIFY_EVENT_STATES;
const netlifyStateNames = Object.keys(NETLIFY_EVENT_STATES) as [NetlifyEventState, ...NetlifyEventState[]];

/**
 * Data in this engine's shape, or else in Netlify's (read as this engine's). When it is neither,
 * the issues reported are those of this engine's shape, which name the field (a plain union would
 * only say "Invalid input").
 */
function eitherShape<T>(ours: z.ZodType<T>, theirs: z.ZodType<T>) {
  return z.unknown().transform((data, ctx): T => {
    const own = ours.safeParse(data);
    if (own.success) return own.data;
    const netlify = theirs.safeParse(data);
    if (netlify.success) return netlify.data;
    for (const { message, path } of own.error.issues) ctx.addIssue({ code: "custom", message, path });
    return z.NEVER;
  });
}

/** A list Netlify sends empty to mean "not given". */
const maybeEmpty = <T extends z.ZodType>(item: T) => z.array(item).max(MAX_SELECTOR_IDS).optional();
const given = <T>(list: T[] | undefined): list is T[] => list !== undefined && list.length > 0;

/**
 * `awl:retry-failed-events` data in Netlify's shape, `{ eventIds?, eventNames? }`, where an empty
 * list means "not given" (Netlify's own API sends both, empty): read as a retry selector.
 */
const netlifyRetrySchema = z
  .strictObject({ eventIds: maybeEmpty(idSchema), eventNames: maybeEmpty(eventNameSchema) })
  .transform(({ eventIds, eventNames }): RetrySelector => ({
    ...(given(eventIds) ? { eventIds } : {}),
    ...(given(eventNames) ? { eventNames } : {}),
  }));

/** The data of `awl:retry-failed-events`: this engine's selector or Netlify's shape. */
export const retryEventDataSchema = eitherShape(retrySelectorSchema, netlifyRetrySchema);

/**
 * `{ runIds }` (one run, or a selection), `{ eventIds }`, or `{ states }` (the runs in those states)
 * optionally narrowed to `eventNames` (e.g. every dead-lettered checkout run); an empty selector is
 * refused rather than deleting everything.
 */
export const deleteSelectorSchema = z
  .strictObject({
    runIds: runIds.optional(),
    eventIds: ids.optional(),
    states: z
      .array(z.enum(EVENT_STATES, { error: `must be one of ${EVENT_STATES.join(", ")}` }))
      .min(1, "must name at least one state")
      .optional(),
    eventNames: eventNames.optional(),
  })
  .refine((selector) => [selector.runIds, selector.eventIds, selector.states].filter(Boolean).length === 1, {
    message: "give one of runIds, eventIds or states",
  })
  .refine((selector) => !(selector.eventNames && !selector.states), {
    message: "eventNames narrows states: give states with it",
  });
export type DeleteSelector = z.infer<typeof deleteSelectorSchema>;

/** The states a run can be cancelled in. */
export const CANCELLABLE_STATES = [
  "pending",
  "processing",
  "delayed",
  "sleeping",
] as const satisfies readonly RunState[];

/**
 * `{ runIds }`, `{ eventIds }`, or `{ eventNames }` and/or `{ states }` (the active runs of events
 * with those names, in those states; every active state when none is given), with who cancels
 * (`by`) and why (`reason`). An empty selector is refused rather than cancelling everything.
 */
export const cancelSelectorSchema = z
  .strictObject({
    runIds: runIds.optional(),
    eventIds: ids.optional(),
    eventNames: eventNames.optional(),
    states: z
      .array(z.enum(CANCELLABLE_STATES, { error: `must be one of ${CANCELLABLE_STATES.join(", ")}` }))
      .min(1, "must name at least one state")
      .optional(),
    by: z.string().min(1, "must not be empty").max(200, "at most 200 characters").optional(),
    reason: z.string().max(1000, "at most 1000 characters").optional(),
  })
  .refine((s) => [s.runIds, s.eventIds, s.eventNames ?? s.states].filter(Boolean).length === 1, {
    message: "give one of runIds, eventIds, or eventNames and/or states",
  });
export type CancelSelector = z.infer<typeof cancelSelectorSchema>;

export interface CancelReport {
  /** Runs closed as cancelled now. */
  cancelled: string[];
  /** Runs an invocation holds: cancelled once their running step finishes. */
  cancelling: string[];
}

/**
 * `awl:delete-events` data in Netlify's shape, `{ eventIds?, states? }`: the events named (an empty
 * list means none), or else the events in the given Netlify states (an empty list: all of them, as
 * on Netlify; completed events, which Netlify does not keep, stay). Giving neither is refused here
 * (Netlify does nothing).
 */
const netlifyDeleteSchema = z
  .strictObject({
    eventIds: maybeEmpty(idSchema),
    states: z
      .array(z.enum(netlifyStateNames, { error: `must be one of ${netlifyStateNames.join(", ")}` }))
      .optional(),
  })
  .refine(({ eventIds, states }) => given(eventIds) || states !== undefined, {
    message: "give eventIds or states",
  })
  .transform(({ eventIds, states }): DeleteSelector => {
    if (given(eventIds)) return { eventIds };
    const chosen = states?.length ? states : netlifyStateNames;
    return { states: [...new Set(chosen.flatMap((state) => NETLIFY_EVENT_STATES[state]))] };
  });

/** The data of `awl:delete-events`: this engine's selector or Netlify's shape. */
export const deleteEventDataSchema = eitherShape(deleteSelectorSchema, netlifyDeleteSchema);

export interface RetryReport {
  /** The runs that were dead-lettered and are now pending again. */
  runIds: string[];
}

export interface DeleteReport {
  /** Events deleted: the selected ones, or (deleting runs) those whose last run was deleted. */
  deleted: number;
  /** With `runIds` or `states`: the runs deleted. */
  deletedRuns?: number;
}

/**
 * Gives the selected dead-lettered runs a fresh set of attempts and publishes each of them.
 * The runs are persisted as pending (with outbox entries) before the publish, so a failed publish
 * is logged and left to the reconciler, as everywhere else.
 */
export async function retryDeadLettered(runtime: Runtime, selector: RetrySelector): Promise<RetryReport> {
  const { store } = runtime;
  const runIds =
    selector.runIds ?? (await store.runIdsOf(await deadLetteredEventIds(runtime, selector), "dead-lettered"));
  const retried: PublishTarget[] = [];
  for (const chunk of chunks(runIds)) retried.push(...(await store.retryRuns(chunk, runtime.now())));
  for (const chunk of chunks(retried)) {
    try {
      await runtime.publisher.publish(chunk.map((run) => runDelivery(runtime, run)));
    } catch (error) {
      runtime.log(
        `awl: publishing ${chunk.length} retried run(s) failed (${(error as Error).message}); ` +
          `they are saved as pending and the reconciler will publish them`,
      );
    }
  }
  return { runIds: retried.map((run) => run.runId) };
}

/** The events a retry selector names; every dead-lettered event when it names none. */
async function deadLetteredEventIds(runtime: Runtime, selector: RetrySelector): Promise<string[]> {
  if (selector.eventIds && !selector.eventNames) return selector.eventIds;
  const names = selector.eventNames ?? [undefined];
  const perName = await Promise.all(
    names.map((name) => runtime.store.eventIdsIn({ state: "dead-lettered", ...(name ? { name } : {}) })),
  );
  const named = new Set(perName.flat());
  return selector.eventIds ? selector.eventIds.filter((id) => named.has(id)) : [...named];
}

/**
 * Deletes the selected events with their runs, journals and index entries (`eventIds`), or runs:
 * those named (`runIds`), or those in one of the `states` (of events with one of the `eventNames`),
 * so that deleting the dead-lettered runs of a checkout keeps its completed ones. An event goes
 * with its last run.
 */
export async function deleteEvents(runtime: Runtime, selector: DeleteSelector): Promise<DeleteReport> {
  const { store } = runtime;
  if (selector.eventIds) {
    let deleted = 0;
    for (const chunk of chunks(selector.eventIds)) deleted += await store.deleteEvents(chunk);
    return { deleted };
  }
  const report = { deleted: 0, deletedRuns: 0 };
  const add = ({ runs, events }: RunsDeleted) => {
    report.deletedRuns += runs;
    report.deleted += events;
  };
  if (selector.runIds) {
    for (const chunk of chunks(selector.runIds)) add(await store.deleteRuns(chunk));
    return report;
  }
  const states = selector.states ?? [];
  const names = selector.eventNames ?? [undefined];
  const perQuery = await Promise.all(
    states.flatMap((state) => names.map((name) => store.eventIdsIn({ state, ...(name ? { name } : {}) }))),
  );
  for (const chunk of chunks([...new Set(perQuery.flat())]))
    add(await store.deleteRunsInStates(chunk, states));
  return report;
}

/**
 * Cancels the selected active runs, keeping their history: one waiting for a delivery is closed
 * now; one running finishes its running step and starts nothing after it. Ended runs are left.
 */
export async function cancelRuns(
  runtime: Runtime,
  selector: CancelSelector,
  defaultBy = "events API",
): Promise<CancelReport> {
  const { store } = runtime;
  let runIds = selector.runIds;
  if (!runIds) {
    const states = selector.states ?? CANCELLABLE_STATES;
    const eventIds = selector.eventIds ?? [
      ...new Set(
        (
          await Promise.all(
            states.flatMap((state) =>
              (selector.eventNames ?? [undefined]).map((name) =>
                store.eventIdsIn({ state, ...(name ? { name } : {}) }),
              ),
            ),
          )
        ).flat(),
      ),
    ];
    const perState = await Promise.all(states.map(async (state) => store.runIdsOf(eventIds, state)));
    runIds = [...new Set(perState.flat())];
  }
  const now = runtime.now();
  const cancellation = {
    by: selector.by ?? defaultBy,
    ...(selector.reason ? { reason: selector.reason } : {}),
    at: now,
  };
  const report: CancelReport = { cancelled: [], cancelling: [] };
  for (const chunk of chunks(runIds)) {
    for (const run of await store.cancelRuns(chunk, cancellation, now)) report[run.status].push(run.runId);
  }
  return report;
}

/**
 * `{ runId }` or `{ eventId }` (an event with one run), optionally `fromStep` (the step to run again
 * from; the steps before it keep their results), with who asks (`by`).
 */
export const rerunRequestSchema = z
  .strictObject({
    runId: runIdSchema.optional(),
    eventId: idSchema.optional(),
    fromStep: z
      .string({ error: "must be a step id" })
      .min(1, "must not be empty")
      .max(256, "must be at most 256 characters")
      .optional(),
    by: z.string().min(1, "must not be empty").max(200, "at most 200 characters").optional(),
  })
  .refine((request) => (request.runId === undefined) !== (request.eventId === undefined), {
    message: "give runId, or eventId for an event with one run",
  });
export type RerunRequest = z.infer<typeof rerunRequestSchema>;

export interface RerunReport {
  runId: string;
  /** Which re-run of the run this is: 1 for the first. */
  series: number;
  /** The step it was re-run from; null for the start. */
  fromStep: string | null;
  /** The steps that run again (their stored results cleared; the step that failed, if chosen), in step order. */
  rerun: string[];
  /** The steps whose stored results replay returns, in step order. */
  kept: string[];
}

/** A re-run refused because of what is stored (not its input): no such run or event, or nothing ended to re-run. */
export class RerunRefusedError extends Error {
  constructor(
    readonly reason: "not-found" | "not-rerunnable",
    message: string,
  ) {
    super(message);
    this.name = "RerunRefusedError";
  }
}

/** A run state as a refusal names it, with what it means. */
const ACTIVE_STATE_WORDS: Record<string, string> = {
  pending: "pending (waiting for its delivery)",
  processing: "processing (an invocation is running it)",
  delayed: "delayed (waiting for its next retry)",
  sleeping: "sleeping (step.sleep)",
  waiting: "waiting for an event (step.waitForEvent)",
};

/**
 * Re-runs a completed, dead-lettered or cancelled run as a new series of attempts: from the start,
 * or from `fromStep` (it and every step started after it run again, sleeps and waits included;
 * the steps before it keep their stored results). The run is persisted as pending with its outbox
 * entry before it is published, so a failed publish is logged and left to the reconciler. Refused,
 * changing nothing: an unknown run or event (RerunRefusedError "not-found"), a run that has not
 * ended ("not-rerunnable", naming its state), an unknown step (InvalidInputError naming the run's steps).
 */
export async function rerunRun(
  runtime: Runtime,
  request: RerunRequest,
  defaultBy = "events API",
): Promise<RerunReport> {
  const runId = request.runId ?? (await onlyRunOf(runtime, request.eventId!));
  const answer = await runtime.store.rerunRun(
    runId,
    request.fromStep,
    request.by ?? defaultBy,
    runtime.now(),
  );
  switch (answer.status) {
    case "missing":
      throw new RerunRefusedError("not-found", `run ${runId} not found`);
    case "active":
      throw new RerunRefusedError(
        "not-rerunnable",
        `run ${runId} is ${ACTIVE_STATE_WORDS[answer.state] ?? answer.state}: only a completed, dead-lettered ` +
          "or cancelled run can be re-run; cancel it first, or wait for it to end",
      );
    case "unknown-step":
      throw new InvalidInputError([
        {
          path: ["fromStep"],
          message:
            `run ${runId} has no step ${JSON.stringify(request.fromStep)}; ` +
            (answer.steps.length ? `its steps: ${answer.steps.join(", ")}` : "it has no stored steps") +
            (answer.failed ? `; or ${answer.failed}, the step that failed` : ""),
        },
      ]);
  }
  try {
    await runtime.publisher.publish([
      runDelivery(runtime, { runId, url: answer.url, generation: answer.generation }),
    ]);
  } catch (error) {
    runtime.log(
      `awl: publishing the re-run of ${runId} failed (${(error as Error).message}); ` +
        "it is saved as pending and the reconciler will publish it",
    );
  }
  return {
    runId,
    series: answer.series,
    fromStep: request.fromStep ?? null,
    rerun: answer.runAgain,
    kept: answer.kept,
  };
}

/** The run of an event that has exactly one; refused naming the runs when it has several. */
async function onlyRunOf(runtime: Runtime, eventId: string): Promise<string> {
  const runIds = await runtime.store.runIdsOf([eventId]);
  if (runIds.length === 1) return runIds[0]!;
  if (runIds.length === 0) {
    const event = await runtime.store.getEvent(eventId);
    throw event
      ? new RerunRefusedError(
          "not-rerunnable",
          `event ${eventId} has no runs to re-run (no workload subscribes to it, or it is not routed yet)`,
        )
      : new RerunRefusedError("not-found", `event ${eventId} not found`);
  }
  throw new InvalidInputError([
    {
      path: ["eventId"],
      message: `event ${eventId} has ${runIds.length} runs (${runIds.join(", ")}): give the runId of the one to re-run`,
    },
  ]);
}

function chunks<T>(items: readonly T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}
