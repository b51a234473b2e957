/**
 * One engine script as its wrapper presents it: its name (its file's), the decoder of its reply,
 * and `run`, which takes the arguments object its header names and answers the decoded reply in
 * one round trip. Each <script>.ts beside a <script>.lua defines exactly one of these.
 */
import type { Redis } from "@upstash/redis";
import type { ScriptArgv, ScriptName } from "./generated.ts";
import { runScript } from "./run.ts";

export interface Script<N extends ScriptName, Reply> {
  readonly name: N;
  readonly decode: (reply: unknown) => Reply;
  run(redis: Redis, args: ScriptArgv[N]): Promise<Reply>;
}

export function defineScript<N extends ScriptName, Reply>(
  name: N,
  decode: (reply: unknown) => Reply,
): Script<N, Reply> {
  return {
    name,
    decode,
    run: async (redis, args) => decode(await runScript(redis, name, args)),
  };
}
