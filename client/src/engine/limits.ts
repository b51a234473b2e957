/**
 * What the engine accepts from a sender, as zod schemas with messages that name the field: event
 * names and ids (which reach Redis keys, so they are restricted to a safe alphabet), data size,
 * priority and delivery time.
 */
import ms from "ms";
import { z } from "zod";

export const MAX_EVENT_DATA_BYTES = 512 * 1024;
export const MAX_STEP_RESULT_BYTES = 1024 * 1024;
export const MAX_DELAY_MS = ms("365 days");
export const MAX_EVENTS_PER_REQUEST = 100;

/**
 * How many events one chain may hold (Netlify's limit, and its variable): an event sent from a
 * workload's run continues the chain of the event that run is for, and the event that would make
 * the chain this long is refused, so workloads that send each other events forever stop.
 */
export const DEFAULT_EVENT_CHAIN_LIMIT = 20;
export const EVENT_CHAIN_LIMIT_VARIABLE = "AWL_EVENT_CHAIN_LIMIT";

/** The chain limit: `AWL_EVENT_CHAIN_LIMIT` when it is a whole number from 2, else 20. */
export function eventChainLimit(env: Readonly<Record<string, string | undefined>> = process.env): number {
  const value = Number(env[EVENT_CHAIN_LIMIT_VARIABLE]);
  return Number.isInteger(value) && value >= 2 ? value : DEFAULT_EVENT_CHAIN_LIMIT;
}

/**
 * What an event name may be: letters, digits and `. _ : - /` (Netlify's names such as
 * `orders/created` included), starting with a letter or digit. Names reach Redis keys (keys.ts), so
 * nothing else is allowed; a key that puts something after a name separates it with a character
 * this pattern refuses.
 */
export const EVENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/;

export const eventNameSchema = z
  .string({ error: "must be a string" })
  .min(1, "must not be empty")
  .max(128, "must be at most 128 characters")
  .regex(
    EVENT_NAME_PATTERN,
    "may contain only letters, digits and . _ : - / and must start with a letter or digit",
  );

export const idSchema = z
  .string()
  .min(1, "must not be empty")
  .max(128, "must be at most 128 characters")
  .regex(/^[A-Za-z0-9._:-]+$/, "may contain only letters, digits and . _ : -");

/** A run is `<eventId>.<workload>`, so its id may be longer than an event's. */
export const runIdSchema = z
  .string()
  .min(1, "must not be empty")
  .max(300, "must be at most 300 characters")
  .regex(/^[A-Za-z0-9._:-]+$/, "may contain only letters, digits and . _ : -");

export const prioritySchema = z
  .number({ error: "must be a number" })
  .int("must be a whole number")
  .min(-50, "must be between -50 and 50")
  .max(50, "must be between -50 and 50");

export const idempotencyKeySchema = z
  .string()
  .min(1, "must not be empty")
  .max(256, "must be at most 256 characters");

/** When to deliver: a Date, epoch milliseconds, an ISO date, or a duration from now ("10s"). */
export const delayUntilSchema = z.union([z.date(), z.number(), z.string()]);
export type DelayUntil = z.infer<typeof delayUntilSchema>;

/** Resolves `delayUntil` to epoch ms, or explains what is wrong with it. */
export function resolveDelayUntil(value: DelayUntil, now: number): number | string {
  let time: number;
  if (value instanceof Date) time = value.getTime();
  else if (typeof value === "number") time = value;
  else {
    if (value.trim() === "") return "must not be empty";
    const duration = durationOf(value);
    time = duration !== undefined && Number.isFinite(duration) ? now + duration : Date.parse(value);
  }
  if (Number.isNaN(new Date(time).getTime()))
    return `${JSON.stringify(value)} is not a date, a timestamp or a duration`;
  if (time < now - 1000) return `${new Date(time).toISOString()} is in the past`;
  if (time > now + MAX_DELAY_MS) return `${new Date(time).toISOString()} is more than a year ahead`;
  return time;
}

/** `ms` throws on some strings (an empty one, a very long one) instead of answering undefined. */
function durationOf(value: string): number | undefined {
  try {
    return ms(value as ms.StringValue);
  } catch {
    return undefined;
  }
}
