/**
 * Accepting events, the one path shared by the client, the events API and `step.sendEvent`:
 * validate everything first (a refused batch changes nothing), persist the batch in one Redis
 * round trip, then publish, in one QStash call, each accepted event to the router, or, for an
 * event routed at send (by the routing table the router publishes: store/scripts/enqueue.lua), its
 * runs straight to their workloads, created by that same round trip. Sends in flight together through
 * one runtime share that round trip and that call (send-queue.ts). A failed publish is logged, not
 * thrown: events and runs are already persisted with outbox entries, and the reconciler republishes them.
 */
import { newEventId } from "./ids.ts";
import {
  INTERNAL_EVENT_PREFIX,
  INTERNAL_EVENTS,
  OPERATION_EVENTS,
  RUN_FAILED,
  isInternalEvent,
} from "./internal-events.ts";
import {
  MAX_EVENT_DATA_BYTES,
  MAX_EVENTS_PER_REQUEST,
  EVENT_CHAIN_LIMIT_VARIABLE,
  delayUntilSchema,
  eventChainLimit,
  eventNameSchema,
  idempotencyKeySchema,
  prioritySchema,
  resolveDelayUntil,
  type DelayUntil,
} from "./limits.ts";
import { InvalidInputError, issuesFromZod, type Issue } from "./validation-error.ts";
import type { Runtime } from "./runtime.ts";
import { enqueueBatched } from "./send-queue.ts";
import type { Enqueued, NewEvent } from "./store/index.ts";
import { runDelivery } from "./undelivered.ts";
import type { EventValidator } from "./workload-spec.ts";

export interface SendOptions {
  /** Deliver no earlier than this: a Date, epoch ms, an ISO date, or a duration from now ("10s"). */
  delayUntil?: DelayUntil;
  /** -50 (lowest) to 50 (highest); default 0. */
  priority?: number;
  /** A repeated key (within 24 hours) returns the first event's id and enqueues nothing. */
  idempotencyKey?: string;
}

export interface SendInput extends SendOptions {
  name: string;
  data?: unknown;
  /**
   * How many events led to this one through workloads' sends (0, the default: sent from outside).
   * Set by the engine for sends from a run; an event that would reach the chain limit is refused.
   */
  chain?: number;
}

export interface SendResult {
  eventId: string;
  status: "accepted" | "duplicate";
}

/** Validates a batch of sends; throws InvalidInputError naming every bad field, or returns the events. */
export function prepareEvents(
  inputs: readonly SendInput[],
  now: number,
  catalog?: EventValidator,
): NewEvent[] {
  const issues: Issue[] = [];
  if (inputs.length === 0) issues.push({ path: [], message: "at least one event is required" });
  if (inputs.length > MAX_EVENTS_PER_REQUEST) {
    issues.push({
      path: [],
      message: `at most ${MAX_EVENTS_PER_REQUEST} events per request, got ${inputs.length}`,
    });
  }
  const events: NewEvent[] = [];
  const chainLimit = eventChainLimit();
  inputs.forEach((input, index) => {
    const at = (field: string) => (inputs.length > 1 ? [index, field] : [field]);
    const before = issues.length;
    const name = eventNameSchema.safeParse(input.name);
    if (!name.success) issues.push(...issuesFromZod(name.error.issues, at("name")));
    else if (name.data.toLowerCase() === RUN_FAILED) {
      issues.push({
        path: at("name"),
        message: `"${name.data}" is emitted by the engine when a run is dead-lettered; it cannot be sent`,
      });
    } else if (isInternalEvent(name.data) && !OPERATION_EVENTS.includes(name.data.toLowerCase())) {
      issues.push({
        path: at("name"),
        message:
          `"${name.data}" is reserved: names starting with "${INTERNAL_EVENT_PREFIX}" are internal events ` +
          `(known: ${INTERNAL_EVENTS.join(", ")})`,
      });
    }
    let data: unknown = input.data ?? null;
    if (catalog && name.success) {
      const validated = catalog.validate(name.data, data, at("data"));
      if ("issues" in validated) issues.push(...validated.issues);
      else data = validated.data;
    }
    const json = serialize(data);
    if (json === undefined) {
      issues.push({
        path: at("data"),
        message: "must be JSON-serializable (no functions, BigInts or cycles)",
      });
    } else if (Buffer.byteLength(json) > MAX_EVENT_DATA_BYTES) {
      issues.push({
        path: at("data"),
        message: `is ${Buffer.byteLength(json)} bytes as JSON; the limit is ${MAX_EVENT_DATA_BYTES} (512 KB)`,
      });
    }
    const priority = prioritySchema.optional().safeParse(input.priority);
    if (!priority.success) issues.push(...issuesFromZod(priority.error.issues, at("priority")));
    const chain = input.chain ?? 0;
    if (chain + 1 >= chainLimit) {
      issues.push({
        path: at("name"),
        message:
          `would be event ${chain + 1} of a chain of events sent from workloads, each sending the next; ` +
          `chains stop before ${chainLimit} events (${EVENT_CHAIN_LIMIT_VARIABLE}), as they appear to be looping`,
      });
    }
    const key = idempotencyKeySchema.optional().safeParse(input.idempotencyKey);
    if (!key.success) issues.push(...issuesFromZod(key.error.issues, at("idempotencyKey")));
    let delayUntil: number | undefined;
    if (input.delayUntil !== undefined) {
      const parsed = delayUntilSchema.safeParse(input.delayUntil);
      const resolved = parsed.success
        ? resolveDelayUntil(parsed.data, now)
        : "must be a date, a timestamp or a duration";
      if (typeof resolved === "string") issues.push({ path: at("delayUntil"), message: resolved });
      else if (resolved > now) delayUntil = resolved;
    }
    if (issues.length > before) return;
    events.push({
      id: newEventId(now),
      name: input.name,
      data: json!,
      priority: input.priority ?? 0,
      createdAt: now,
      ...(delayUntil !== undefined ? { delayUntil } : {}),
      ...(input.idempotencyKey ? { idempotencyKey: input.idempotencyKey } : {}),
      ...(chain > 0 ? { chain } : {}),
    });
  });
  if (issues.length) throw new InvalidInputError(issues);
  return events;
}

export async function sendEvents(
  runtime: Runtime,
  inputs: readonly SendInput[],
  catalog?: EventValidator,
): Promise<SendResult[]> {
  const now = runtime.now();
  // A delayed event is the router's when it is due (as documented), an internal one always (the
  // operations workload is the router's own); any other may be routed at send.
  const events = prepareEvents(inputs, now, catalog).map((event) =>
    event.delayUntil === undefined && !isInternalEvent(event.name) ? { ...event, atSend: true } : event,
  );
  const results = await enqueueBatched(runtime, events, publishSent);
  return results.map((result) => ({ eventId: result.id, status: result.status }));
}

/** One QStash call for a persisted batch: each accepted event to the router, or its runs (routed at send) to their workloads. */
async function publishSent(
  runtime: Runtime,
  events: readonly NewEvent[],
  results: readonly Enqueued[],
): Promise<void> {
  const messages = events.flatMap((event, i) => {
    const result = results[i];
    if (result?.status !== "accepted") return [];
    if (result.routed) return result.runs.map((run) => runDelivery(runtime, run));
    return [
      {
        url: runtime.routerUrl,
        body: { eventId: event.id, name: event.name },
        ...(event.delayUntil ? { notBefore: event.delayUntil } : {}),
      },
    ];
  });
  if (messages.length === 0) return;
  try {
    await runtime.publisher.publish(messages);
  } catch (error) {
    const accepted = results.filter((result) => result.status === "accepted").length;
    runtime.log(
      `awl: publishing ${accepted} event(s) failed (${(error as Error).message}); ` +
        `they are saved and the reconciler will publish them`,
    );
  }
}

function serialize(data: unknown): string | undefined {
  try {
    return JSON.stringify(data);
  } catch {
    return undefined;
  }
}
