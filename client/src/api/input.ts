/**
 * Reading what a request sends to the events API: the body is size-limited while it is read (before
 * any parsing), parsed as JSON with the position of a syntax error, and checked with a strict zod
 * schema whose issues name the field, unknown fields included. JSON.parse and zod only ever create
 * own properties, so keys such as `__proto__` or `constructor` stay inert data (and strict schemas
 * refuse them as unknown fields). Anything refused here has touched no state.
 */
import type { z } from "zod";
import { InvalidInputError, issuesFromZod, type Issue } from "../engine/validation-error.ts";
import { readLimitedBody } from "../transport/inbound.ts";

export const MAX_BODY_BYTES = 1024 * 1024;

/** A refusal with its HTTP status; a 400 may carry issues naming the fields. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly issues?: Issue[],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

/** The parsed JSON body, or `undefined` for an empty body when `optional`. */
export async function readJson(request: Request, { optional = false } = {}): Promise<unknown> {
  const text = await readLimitedBody(request, MAX_BODY_BYTES);
  if (text === null) throw new ApiError(413, `body: larger than ${MAX_BODY_BYTES} bytes (1 MB)`);
  if (text.trim() === "") {
    if (optional) return undefined;
    throw new ApiError(400, "body: a JSON body is required", [
      { path: [], message: "a JSON body is required" },
    ]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const reason = (error as Error).message;
    const position = /position (\d+)/.exec(reason)?.[1];
    const message = position
      ? `is not valid JSON at position ${position}: ${reason}`
      : `is not valid JSON: ${reason}`;
    throw new ApiError(400, `body: ${message}`, [{ path: [], message }]);
  }
}

/** The value checked against a schema; throws InvalidInputError naming every bad field. */
export function check<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix: (string | number)[] = [],
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidInputError(
    result.error.issues.flatMap((issue) =>
      // One issue per unknown key, so that each names its field.
      issue.code === "unrecognized_keys"
        ? issuesFromZod(
            issue.keys.map((key) => ({ path: [...issue.path, key], message: "is not a known field" })),
            prefix,
          )
        : issuesFromZod([issue], prefix),
    ),
  );
}
