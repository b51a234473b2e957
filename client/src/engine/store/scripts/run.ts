/**
 * Loads the engine's Lua scripts (each prefixed with the library: lib-*.lua, then lib.lua) and runs
 * them by SHA, falling back to EVAL when the server does not have the script cached yet (after a
 * restart or a SCRIPT FLUSH). One call of `runScript` is one Redis round trip in the common case.
 *
 * Arguments go in as an object named by the script's header (see header.ts) and are laid out in the
 * header's order here, in one place: the script reads them back by the same names. The reply comes
 * back as Redis gave it (`unknown`); each script's wrapper beside it decodes it.
 *
 * The scripts come from generated.ts (generated from the .lua files, checked by scripts.test.ts),
 * not from the file system: a function bundled by esbuild or Netlify has no .lua files beside it.
 */
import { createHash } from "node:crypto";
import type { Redis } from "@upstash/redis";
import { LUA_LIB, LUA_SOURCES, SCRIPT_ARGV, type ScriptArgv, type ScriptName } from "./generated.ts";
import { countFields } from "./header.ts";

export type { ScriptArgv, ScriptName } from "./generated.ts";

interface LoadedScript {
  source: string;
  sha: string;
}

const cache = new Map<ScriptName, LoadedScript>();

export function loadScript(name: ScriptName): LoadedScript {
  let script = cache.get(name);
  if (!script) {
    const source = `${LUA_LIB}\n${LUA_SOURCES[name]}`;
    script = { source, sha: createHash("sha1").update(source).digest("hex") };
    cache.set(name, script);
  }
  return script;
}

/**
 * A script's ARGV from its arguments object, in the order of its header: each scalar, each list's
 * values (a list of groups: each group's fields in order), and each count as its list's length.
 * Throws a TypeError naming the script and field for a field its header does not name, a missing
 * field, or a value of the wrong type: the arguments object and the header agree, or nothing is sent.
 */
export function encodeArgv<N extends ScriptName>(name: N, args: ScriptArgv[N]): string[] {
  const fields = args as unknown as Record<string, unknown>;
  const spec = SCRIPT_ARGV[name];
  const counts = countFields([...spec]);
  const value = (field: string, given: unknown): string => {
    if (typeof given === "string" || typeof given === "number") return String(given);
    throw new TypeError(`${name}.lua: ${field} must be a string or a number, not ${typeof given}`);
  };
  const list = (field: string): unknown[] => {
    const given = fields[field];
    if (!Array.isArray(given)) throw new TypeError(`${name}.lua: ${field} must be an array`);
    return given;
  };
  const known = new Set(spec.map((arg) => arg.name));
  for (const field of Object.keys(fields)) {
    if (!known.has(field) || counts.has(field)) {
      throw new TypeError(`${name}.lua: its header names no argument ${field}`);
    }
  }
  const argv: string[] = [];
  for (const arg of spec) {
    if (arg.kind === "scalar") {
      if (counts.has(arg.name)) {
        const counted = spec.find((other) => other.kind === "list" && other.count === arg.name)!;
        argv.push(String(list(counted.name).length));
      } else argv.push(value(arg.name, fields[arg.name]));
      continue;
    }
    list(arg.name).forEach((item, i) => {
      if (!arg.fields) return void argv.push(value(`${arg.name}[${i}]`, item));
      if (typeof item !== "object" || item === null) {
        throw new TypeError(`${name}.lua: ${arg.name}[${i}] must be an object`);
      }
      const group = item as Record<string, unknown>;
      for (const field of Object.keys(group)) {
        if (!arg.fields.includes(field)) {
          throw new TypeError(`${name}.lua: its header names no field ${field} in ${arg.name}`);
        }
      }
      for (const field of arg.fields) argv.push(value(`${arg.name}[${i}].${field}`, group[field]));
    });
  }
  return argv;
}

/** Runs a script with its arguments object: one round trip (two when Redis lacks the script). */
export async function runScript<N extends ScriptName>(
  redis: Redis,
  name: N,
  args: ScriptArgv[N],
): Promise<unknown> {
  const script = loadScript(name);
  const argv = encodeArgv(name, args);
  try {
    return await redis.evalsha<string[], unknown>(script.sha, [], argv);
  } catch (error) {
    if (!String((error as Error).message).includes("NOSCRIPT")) throw error;
    return redis.eval<string[], unknown>(script.source, [], argv);
  }
}
