/**
 * Loads the engine's Lua scripts (lua/*.lua, each prefixed with lua/lib.lua) and runs them by SHA,
 * falling back to EVAL when the server does not have the script cached yet (after a restart or a
 * SCRIPT FLUSH). One call of `run` is one Redis round trip in the common case.
 *
 * The scripts come from lua-sources.generated.ts (generated from the .lua files, checked by
 * scripts.test.ts), not from the file system: a function bundled by esbuild or Netlify has no
 * `lua/` folder beside it.
 */
import { createHash } from "node:crypto";
import type { Redis } from "@upstash/redis";
import { LUA_SOURCES } from "./lua-sources.generated.ts";

export type ScriptName =
  | "enqueue"
  | "route"
  | "claim"
  | "checkpoint"
  | "finish"
  | "fail-delivery"
  | "retry"
  | "delete"
  | "delete-runs"
  | "delete-in-states"
  | "reconcile"
  | "page"
  | "stats";

interface LoadedScript {
  source: string;
  sha: string;
}

const cache = new Map<ScriptName, LoadedScript>();

export function loadScript(name: ScriptName): LoadedScript {
  let script = cache.get(name);
  if (!script) {
    const source = `${LUA_SOURCES.lib}\n${LUA_SOURCES[name]}`;
    script = { source, sha: createHash("sha1").update(source).digest("hex") };
    cache.set(name, script);
  }
  return script;
}

export async function runScript<T>(redis: Redis, name: ScriptName, args: (string | number)[]): Promise<T> {
  const script = loadScript(name);
  const argv = args.map(String);
  try {
    return await redis.evalsha<string[], T>(script.sha, [], argv);
  } catch (error) {
    if (!String((error as Error).message).includes("NOSCRIPT")) throw error;
    return redis.eval<string[], T>(script.source, [], argv);
  }
}
