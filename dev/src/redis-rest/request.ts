/**
 * Turns what a request carries into commands, rejecting malformed input before anything runs:
 * the JSON forms (`["SET","k","v"]` for `/`, an array of those for `/pipeline` and `/multi-exec`)
 * and Upstash's path form (`/set/k/v`, where a POST body is the last argument before the query
 * parameters: `POST /set/k?EX=100` with body `v` is `SET k v EX 100`). Numbers and booleans become
 * the strings Redis would receive from them; nothing else about a command is changed.
 */
import type { Argument, RedisCommand } from "./commands.ts";
import { BadRequestError } from "./errors.ts";

export function parseJsonBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new BadRequestError(`ERR failed to parse the request body as JSON: ${(error as Error).message}`);
  }
}

/** The body of `POST /`. */
export function parseCommand(body: unknown): RedisCommand {
  const command = toCommand(body);
  if (typeof command === "string") throw new BadRequestError(`ERR ${command}`);
  return command;
}

/** The body of `/pipeline` and `/multi-exec`: all commands valid, or none runs. */
export function parseCommands(body: unknown): RedisCommand[] {
  if (!Array.isArray(body)) {
    throw new BadRequestError(
      'ERR the request body must be a JSON array of commands, e.g. [["SET","key","value"],["GET","key"]]',
    );
  }
  if (body.length === 0) throw new BadRequestError("ERR the request body holds no commands");
  return body.map((element: unknown, index) => {
    const command = toCommand(element);
    if (typeof command === "string") throw new BadRequestError(`ERR command ${index + 1}: ${command}`);
    return command;
  });
}

/** The path form: `/<command>/<arg>/...`, an optional raw body, then query parameters. */
export function commandFromPath(
  pathname: string,
  query: URLSearchParams,
  body: Buffer | undefined,
): RedisCommand {
  let segments: string[];
  try {
    segments = pathname
      .split("/")
      .filter((segment) => segment !== "")
      .map(decodeURIComponent);
  } catch {
    throw new BadRequestError(`ERR the path is not valid percent-encoded UTF-8: ${pathname}`);
  }
  const [name, ...args] = segments;
  if (name === undefined) {
    throw new BadRequestError(
      'ERR empty command: POST a JSON array like ["SET","key","value"], or use /set/key/value',
    );
  }
  const all: Argument[] = args;
  if (body !== undefined && body.length > 0) all.push(body);
  for (const [key, value] of query) {
    if (key === "_token") continue;
    all.push(key);
    if (value !== "") all.push(value);
  }
  return { name, args: all };
}

/** A command, or what is wrong with the value. */
function toCommand(value: unknown): RedisCommand | string {
  if (!Array.isArray(value)) {
    return `a command must be a JSON array of the command name and its arguments, e.g. ["SET","key","value"]; got ${describe(value)}`;
  }
  const [name, ...rest] = value as unknown[];
  if (name === undefined) return "empty command: the array must start with the command name";
  if (typeof name !== "string") return `the command name must be a string; got ${describe(name)}`;
  const args: Argument[] = new Array(rest.length);
  for (let index = 0; index < rest.length; index++) {
    const arg = rest[index];
    if (typeof arg === "string") args[index] = arg;
    else if (typeof arg === "number" || typeof arg === "boolean") args[index] = String(arg);
    else return `argument ${index + 1} of ${name} must be a string, number or boolean; got ${describe(arg)}`;
  }
  return { name, args };
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  return typeof value === "object" ? "an object" : typeof value;
}
