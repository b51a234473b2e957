/**
 * How a step's result is stored: as JSON, and only when JSON keeps it as it is. A replay returns the
 * stored JSON, so a value JSON would change (a Map or Set becomes {}, NaN and Infinity become null, an
 * undefined array element becomes null, a class instance loses its class, a function disappears) would
 * make the first run and every replay see different values. Such a result is refused, naming the step
 * and where in the result the value is; refusing is deterministic, so the run is dead-lettered at once.
 *
 * Kept on purpose: a value with `toJSON` (a Date becomes its ISO string) is stored as that form and the
 * first run already sees it; an object field that is `undefined` is left out, as if it were absent.
 */
import { MAX_STEP_RESULT_BYTES } from "./limits.ts";
import { StepResultError } from "./errors.ts";

/** The JSON text to store for a step's result (`undefined` for no result), or a StepResultError. */
export function stepResultJson(stepId: string, result: unknown): string | undefined {
  const paths = new Map<object, string>();
  let problem: string | undefined;
  let json: string | undefined;
  try {
    json = JSON.stringify(result, function (this: unknown, key: string, value: unknown) {
      if (problem) return undefined;
      const holder = this as object;
      const parent = paths.get(holder);
      const path =
        parent === undefined ? "result" : Array.isArray(holder) ? `${parent}[${key}]` : `${parent}.${key}`;
      problem = changeOf(value, path, parent === undefined || Array.isArray(holder));
      if (typeof value === "object" && value !== null) paths.set(value, path);
      return value;
    });
  } catch (error) {
    throw new StepResultError(stepId, `a value that is not JSON-serializable (${(error as Error).message})`);
  }
  if (problem) throw new StepResultError(stepId, problem);
  if (json !== undefined && Buffer.byteLength(json) > MAX_STEP_RESULT_BYTES) {
    throw new StepResultError(stepId, `${Buffer.byteLength(json)} bytes of JSON; the limit is 1 MB`);
  }
  return json;
}

/** What JSON would do to this value (after its toJSON), if it would not keep it; `inList`: in an array or the top. */
function changeOf(value: unknown, path: string, inList: boolean): string | undefined {
  const at = (what: string, becomes: string) => `${what} at ${path}, which JSON would ${becomes}`;
  if (typeof value === "number" && !Number.isFinite(value)) return at(String(value), "store as null");
  if (typeof value === "function" || typeof value === "symbol") {
    return at(`a ${typeof value}`, inList && path !== "result" ? "store as null" : "leave out");
  }
  if (value === undefined) return inList && path !== "result" ? at("undefined", "store as null") : undefined;
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  const prototype = Object.getPrototypeOf(value) as object | null;
  if (prototype === Object.prototype || prototype === null) return undefined;
  const name = (prototype.constructor as { name?: unknown } | undefined)?.name;
  const kind = typeof name === "string" && name ? name : "class instance";
  const article = /^[AEIOU]/i.test(kind) ? "an" : "a";
  return `${at(`${article} ${kind}`, `store as ${preview(value)}`)}; return plain objects and arrays instead (for example Object.fromEntries(map) or [...set])`;
}

function preview(value: object): string {
  try {
    const json = JSON.stringify(value) ?? "nothing";
    return json.length > 40 ? `${json.slice(0, 40)}…` : json;
  } catch {
    return "something else";
  }
}
