/**
 * Writes client/src/engine/lua-sources.generated.ts from the engine's Lua scripts
 * (client/src/engine/lua/*.lua, the source of truth). The engine imports the scripts as strings so
 * that they travel with the code through any bundler (esbuild, zip-it-and-ship-it, the Netlify SDK):
 * a bundled function has no `lua/` folder beside it to read from.
 *
 * It first writes lib.lua's list of states from keys.ts's EVENT_STATES: the stats script answers a
 * count per state in that order and store.ts labels them in its own, so the two lists must be one.
 *
 *   npm run generate:lua              rewrite lib.lua's state list and the module
 *   npm run generate:lua -- --check   exit 1 when either is out of date
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { EVENT_STATES } from "../client/src/engine/keys.ts";

const luaDir = new URL("../client/src/engine/lua/", import.meta.url);
export const GENERATED_MODULE = new URL("../client/src/engine/lua-sources.generated.ts", import.meta.url);
export const LUA_LIB = new URL("lib.lua", luaDir);

/** The one line of lib.lua that is generated; everything else in it is written by hand. */
const STATES_LINE = /^local STATES = .*$/m;

/** lib.lua with its STATES line rewritten from EVENT_STATES. */
export function renderLuaLib(current = readFileSync(LUA_LIB, "utf8")): string {
  if (!STATES_LINE.test(current)) throw new Error("lib.lua has no `local STATES = ...` line to generate");
  const list = EVENT_STATES.map((state) => `'${state}'`).join(", ");
  return current.replace(STATES_LINE, `local STATES = { ${list} } -- generated from keys.ts EVENT_STATES`);
}

export async function renderLuaSources(): Promise<string> {
  const names = readdirSync(luaDir)
    .filter((file) => file.endsWith(".lua"))
    .map((file) => file.slice(0, -".lua".length))
    .sort();
  const entries = names.map(
    (name) =>
      `${JSON.stringify(name)}: ${JSON.stringify(readFileSync(new URL(`${name}.lua`, luaDir), "utf8"))},`,
  );
  const source = [
    "// Generated from client/src/engine/lua/*.lua by scripts/generate-lua-sources.ts: do not edit.",
    "// Edit the .lua files, then run `npm run generate:lua`.",
    `export const LUA_SOURCES = {${entries.join("\n")}} as const;`,
  ].join("\n");
  // Formatted like every other file, so that `prettier --check` passes on it.
  const filepath = fileURLToPath(GENERATED_MODULE);
  return format(source, { ...(await resolveConfig(filepath)), filepath });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--check")) {
    if (readFileSync(LUA_LIB, "utf8") !== renderLuaLib()) {
      console.error("lib.lua's STATES differs from keys.ts's EVENT_STATES: run `npm run generate:lua`");
      process.exit(1);
    }
    if (readFileSync(GENERATED_MODULE, "utf8") !== (await renderLuaSources())) {
      console.error("client/src/engine/lua-sources.generated.ts is out of date: run `npm run generate:lua`");
      process.exit(1);
    }
  } else {
    writeFileSync(LUA_LIB, renderLuaLib());
    writeFileSync(GENERATED_MODULE, await renderLuaSources());
    console.log(`wrote ${fileURLToPath(GENERATED_MODULE)}`);
  }
}
