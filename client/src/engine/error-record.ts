/**
 * What a failed attempt stores about its error. Whatever a workload throws (an Error, a string, a
 * Symbol, a null-prototype object, an object whose toString or getters throw, a hostile Proxy) becomes
 * a readable record, and this never throws: a failure to describe the error would otherwise fail the
 * recording of the attempt, leave the run in `processing` until its lease expired and lose the error.
 * Messages and stacks are capped before storing, since each is kept twice (the attempt, the run's last
 * error) and read by every listing.
 */
import { failedStepOf } from "./step.ts";
import type { ErrorRecord } from "./types.ts";

/** Characters of a message kept (documented in docs/workloads.md). */
export const MAX_ERROR_MESSAGE_CHARS = 4096;
/** Characters of a stack kept. */
export const MAX_ERROR_STACK_CHARS = 16_384;

const UNPRINTABLE = "(a value that cannot be shown)";

export function errorRecord(error: unknown): ErrorRecord {
  const step = attempt(() => failedStepOf(error));
  const tagged = step ? { step } : {};
  if (attempt(() => error instanceof Error)) {
    const err = error as Error;
    const name = attempt(() => err.name);
    const stack = attempt(() => err.stack);
    return {
      name: typeof name === "string" && name ? cap(name, 256) : "Error",
      message: cap(textOf(attempt(() => err.message)) ?? UNPRINTABLE, MAX_ERROR_MESSAGE_CHARS),
      ...(typeof stack === "string" && stack ? { stack: cap(stack, MAX_ERROR_STACK_CHARS) } : {}),
      ...tagged,
    };
  }
  return { name: "NonError", message: cap(textOf(error) ?? UNPRINTABLE, MAX_ERROR_MESSAGE_CHARS), ...tagged };
}

/** Text for any value: strings as they are, objects as their own toString or else as JSON. */
function textOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (typeof value === "symbol") return value.toString();
  if (typeof value !== "object" && typeof value !== "function") return String(value);
  if (value === null) return "null";
  const custom = attempt(() => {
    const toString = (value as { toString?: unknown }).toString;
    return typeof toString === "function" && toString !== Object.prototype.toString
      ? String(value)
      : undefined;
  });
  if (typeof custom === "string") return custom;
  const json = attempt(() => JSON.stringify(value));
  if (typeof json === "string") return json;
  return attempt(() => Object.prototype.toString.call(value));
}

function cap(text: string, limit: number): string {
  return text.length <= limit ? text : `${text.slice(0, limit)}… (${text.length - limit} more characters)`;
}

function attempt<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}
