/**
 * Writes client/src/engine/store/scripts/generated.ts from the engine's Lua scripts
 * (client/src/engine/store/scripts/*.lua, the source of truth). The engine imports the scripts as
 * strings so that they travel with the code through any bundler (esbuild, zip-it-and-ship-it, the
 * Netlify SDK): a bundled function has no folder of .lua files beside it to read from.
 *
 * From the files it derives, so that nothing is kept by hand twice:
 * - the script names (every .lua but the libraries, lib.lua and lib-*.lua) and their union type, ScriptName;
 * - the library every script is prefixed with: the lib-*.lua files (pure helpers that build no keys,
 *   such as lib-condition.lua), then lib.lua, which may use them;
 * - each script's argument layout and the TypeScript type of its arguments object, from the script's
 *   `-- ARGV:` header line (see header.ts);
 * - each script's binding block (the Lua locals its body reads its arguments through), rewritten in
 *   the .lua file from the same line;
 * - lib.lua's list of states, from keys.ts's EVENT_STATES: the stats script answers a count per
 *   state in that order and the stats wrapper labels them in its own, so the two lists must be one.
 *
 *   npm run generate:lua              rewrite lib.lua's state list, the binding blocks and the module
 *   npm run generate:lua -- --check   exit 1 when any of them is out of date
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";
import { EVENT_STATES } from "../client/src/engine/keys.ts";
import { parseHeader, renderArgvType, withBinding } from "../client/src/engine/store/scripts/header.ts";

export const SCRIPTS_DIR = new URL("../client/src/engine/store/scripts/", import.meta.url);
export const GENERATED_MODULE = new URL("generated.ts", SCRIPTS_DIR);
export const LUA_LIB = new URL("lib.lua", SCRIPTS_DIR);

/** The one line of lib.lua that is generated; everything else in it is written by hand. */
const STATES_LINE = /^local STATES = .*$/m;

/** lib.lua with its STATES line rewritten from EVENT_STATES. */
export function renderLuaLib(current = readFileSync(LUA_LIB, "utf8")): string {
  if (!STATES_LINE.test(current)) throw new Error("lib.lua has no `local STATES = ...` line to generate");
  const list = EVENT_STATES.map((state) => `'${state}'`).join(", ");
  return current.replace(STATES_LINE, `local STATES = { ${list} } -- generated from keys.ts EVENT_STATES`);
}

/** A library file: lib.lua, or a lib-*.lua of helpers it uses. */
export const isLibraryFile = (file: string) => /^lib(-[\w-]+)?\.lua$/.test(file);

/** The library's files in the order they are joined: the lib-*.lua helpers, sorted, then lib.lua. */
export function libraryFiles(): URL[] {
  const helpers = readdirSync(SCRIPTS_DIR)
    .filter((file) => isLibraryFile(file) && file !== "lib.lua")
    .sort();
  return [...helpers.map((file) => new URL(file, SCRIPTS_DIR)), LUA_LIB];
}

/** The library every script is prefixed with (run.ts), from the files on disk. */
export function libraryText(): string {
  return libraryFiles()
    .map((file) => readFileSync(file, "utf8"))
    .join("\n");
}

/** The scripts' names: the .lua files of the folder but the library's, sorted. */
export function scriptNames(): string[] {
  return readdirSync(SCRIPTS_DIR)
    .filter((file) => file.endsWith(".lua") && !isLibraryFile(file))
    .map((file) => file.slice(0, -".lua".length))
    .sort();
}

export const scriptFile = (name: string) => new URL(`${name}.lua`, SCRIPTS_DIR);

/** A script's file with its binding block rewritten from its header. */
export function renderScript(name: string, current = readFileSync(scriptFile(name), "utf8")): string {
  return withBinding(current, name);
}

/** The generated module, from the files as they are on disk (render the scripts first). */
export async function renderLuaSources(): Promise<string> {
  const names = scriptNames();
  const read = (file: URL) => JSON.stringify(readFileSync(file, "utf8"));
  const library = JSON.stringify(libraryText());
  const headers = names.map(
    (name) => [name, parseHeader(readFileSync(scriptFile(name), "utf8"), name)] as const,
  );
  const source = [
    "// Generated from client/src/engine/store/scripts/*.lua by scripts/generate-lua-sources.ts: do not edit.",
    "// Edit the .lua files (each one's header states its ARGV), then run `npm run generate:lua`.",
    'import type { ArgSpec } from "./header.ts";',
    "",
    "/** A script's argument as the caller gives it: sent to Redis as its string form. */",
    "export type ScriptArg = string | number;",
    "",
    "/** The engine's scripts, one per .lua file (the library, lib-*.lua then lib.lua, is prepended to each). */",
    `export const SCRIPT_NAMES = [${names.map((name) => JSON.stringify(name)).join(", ")}] as const;`,
    "export type ScriptName = (typeof SCRIPT_NAMES)[number];",
    "",
    "export const LUA_LIB = " + library + ";",
    "",
    "export const LUA_SOURCES: { readonly [N in ScriptName]: string } = {",
    ...names.map((name) => `${JSON.stringify(name)}: ${read(scriptFile(name))},`),
    "};",
    "",
    "/** Each script's ARGV, in order, as its header states it. */",
    "export const SCRIPT_ARGV: { readonly [N in ScriptName]: readonly ArgSpec[] } = {",
    ...headers.map(([name, header]) => `${JSON.stringify(name)}: ${JSON.stringify(header.argv)},`),
    "};",
    "",
    "/** The arguments object of each script, by the names of its header (counts are filled in from lists). */",
    "export interface ScriptArgv {",
    ...headers.map(([name, header]) => `${JSON.stringify(name)}: ${renderArgvType(header.argv)};`),
    "}",
  ].join("\n");
  // Formatted like every other file, so that `prettier --check` passes on it.
  const filepath = fileURLToPath(GENERATED_MODULE);
  return format(source, { ...(await resolveConfig(filepath)), filepath });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv.includes("--check")) {
    let stale = false;
    if (readFileSync(LUA_LIB, "utf8") !== renderLuaLib()) {
      console.error("lib.lua's STATES differs from keys.ts's EVENT_STATES: run `npm run generate:lua`");
      stale = true;
    }
    for (const name of scriptNames()) {
      if (readFileSync(scriptFile(name), "utf8") !== renderScript(name)) {
        console.error(`${name}.lua's ARGV binding differs from its header: run \`npm run generate:lua\``);
        stale = true;
      }
    }
    if (readFileSync(GENERATED_MODULE, "utf8") !== (await renderLuaSources())) {
      console.error(
        "client/src/engine/store/scripts/generated.ts is out of date: run `npm run generate:lua`",
      );
      stale = true;
    }
    if (stale) process.exit(1);
  } else {
    writeFileSync(LUA_LIB, renderLuaLib());
    for (const name of scriptNames()) writeFileSync(scriptFile(name), renderScript(name));
    writeFileSync(GENERATED_MODULE, await renderLuaSources());
    console.log(`wrote ${fileURLToPath(GENERATED_MODULE)}`);
  }
}
