/**
 * Runs whose deliveries never reach the engine: the workload's function is gone, or the platform
 * answers 404 or 500 before our code runs. Every run delivery is published with a QStash failure
 * callback to the router. QStash tries a delivery 4 times (DELIVERY_RETRIES); once every try has
 * failed it sends the callback, a new signed message with the last answer's status and body, and
 * the router records one failed attempt of the run (lua/fail-delivery.lua, fenced by the
 * generation the delivery carried), then publishes its retry or dead-letters it. QStash's retries
 * of a run's delivery are spaced to be over within the reconciler's grace period, so the attempt is
 * recorded before the reconciler would publish the same delivery again.
 */
import { z } from "zod";
import type { OutboundMessage } from "../transport/publish.ts";
import { defaultBackoff } from "./backoff.ts";
import { newFailureEvent, publishRunFailed } from "./run-failed.ts";
import type { Runtime } from "./runtime.ts";
import type { FailedDelivery, PublishTarget } from "./store/index.ts";
import type { ErrorRecord } from "./types.ts";

/**
 * Marks the engine's own "deliver this again" answer (a 503 when Redis could not be reached): the
 * engine saw that delivery, the run is still waiting, and the reconciler republishes it, so QStash
 * giving up on it is not a failed attempt of the run.
 */
export const DELIVER_AGAIN_HEADER = "awl-deliver-again";

/** How much of the function's answer an attempt's error keeps. */
const BODY_EXCERPT_CHARS = 500;

/** QStash's first retry waits grace / 8, then doubling: 1 + 2 + 4 eighths, all within the grace. */
const RETRY_DELAY_GRACE_FRACTION = 8;

/** The message that delivers a run, due at `notBefore` if given, with its failure callback. */
export function runDelivery(
  runtime: Runtime,
  target: PublishTarget,
  timing: Pick<OutboundMessage, "notBefore" | "holdsUntilDue"> = {},
): OutboundMessage {
  return {
    url: target.url,
    body: { runId: target.runId, generation: target.generation },
    ...timing,
    failureCallback: runtime.routerUrl,
    retryDelayMs: runtime.store.settings.outboxGraceMs / RETRY_DELAY_GRACE_FRACTION,
  };
}

/** What QStash posts to a failure callback (only the fields used here; see QStash's callback docs). */
const failureCallbackSchema = z.object({
  /** The failed message's body, base64: our `{ runId, generation }`. */
  sourceBody: z.string(),
  /** The last try's answer: absent when the function did not answer at all. */
  status: z.number().optional(),
  body: z.string().optional(),
  header: z.record(z.string(), z.array(z.string())).optional(),
  url: z.string().optional(),
  retried: z.number().optional(),
});

const sourceSchema = z.object({ runId: z.string(), generation: z.number().int().nonnegative() });

/** A router delivery that is QStash's failure callback rather than an event or an operations run. */
export function isFailureCallback(body: Record<string, unknown>): boolean {
  return typeof body.sourceBody === "string";
}

export type UndeliveredReport = ({ runId: string } & FailedDelivery) | { status: "ignored"; reason: string };

export async function recordUndelivered(
  runtime: Runtime,
  body: Record<string, unknown>,
): Promise<UndeliveredReport> {
  const callback = failureCallbackSchema.safeParse(body);
  if (!callback.success) return { status: "ignored", reason: "not a QStash failure callback" };
  const { status, header, url, retried } = callback.data;
  let source: z.infer<typeof sourceSchema>;
  try {
    const parsed = sourceSchema.safeParse(
      JSON.parse(Buffer.from(callback.data.sourceBody, "base64").toString("utf8")),
    );
    if (!parsed.success) return { status: "ignored", reason: "not a run delivery of this engine" };
    source = parsed.data;
  } catch {
    return { status: "ignored", reason: "not a run delivery of this engine" };
  }
  const deliverAgain = Object.keys(header ?? {}).some((name) => name.toLowerCase() === DELIVER_AGAIN_HEADER);
  if (deliverAgain) return { status: "ignored", reason: "the engine asked for this delivery again" };

  const excerpt = Buffer.from(callback.data.body ?? "", "base64")
    .toString("utf8")
    .slice(0, BODY_EXCERPT_CHARS);
  const tries = retried === undefined ? "" : ` after ${retried + 1} tries`;
  const where = url ?? "the workload's function";
  const error: ErrorRecord = {
    name: "DeliveryFailed",
    message:
      status === undefined
        ? `no answer from ${where}${tries}`
        : `HTTP ${status} from ${where}${tries}${excerpt ? `: ${excerpt}` : ""}`,
  };
  const now = runtime.now();
  const result = await runtime.store.failDelivery(
    source.runId,
    source.generation,
    error,
    now,
    (attempt) => defaultBackoff(attempt),
    newFailureEvent(now),
  );
  if (result.status === "dead-lettered" && result.failureEventId) {
    await publishRunFailed(runtime, result.failureEventId, source.runId);
  }
  if (result.status === "delayed") {
    try {
      await runtime.publisher.publish([
        runDelivery(
          runtime,
          { runId: source.runId, url: result.url, generation: result.generation },
          { notBefore: result.nextAt, holdsUntilDue: true },
        ),
      ]);
    } catch (publishError) {
      runtime.log(
        `awl: publishing the retry of ${source.runId} failed (${(publishError as Error).message}); the reconciler will`,
      );
    }
  }
  return { runId: source.runId, ...result };
}
