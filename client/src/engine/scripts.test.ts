/**
 * The engine's Lua scripts reach Redis from wherever the code runs: the generated module matches
 * the .lua files, and a bundle of the engine (as esbuild, the Netlify SDK or zip-it-and-ship-it make
 * one, far from client/src/engine/lua/) still finds every script.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { afterAll, expect, test } from "vitest";
import {
  GENERATED_MODULE,
  LUA_LIB,
  renderLuaLib,
  renderLuaSources,
} from "../../../scripts/generate-lua-sources.ts";
import { EVENT_STATES } from "./keys.ts";
import { LUA_SOURCES } from "./lua-sources.generated.ts";
import { loadScript, type ScriptName } from "./scripts.ts";

const lua = (name: string) => readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), "utf8");
const scriptNames = Object.keys(LUA_SOURCES).filter((name) => name !== "lib") as ScriptName[];
const outDir = mkdtempSync(join(tmpdir(), "awl-bundled-scripts-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

test("lua-sources.generated.ts is up to date with the .lua files (else: npm run generate:lua)", async () => {
  expect(readFileSync(GENERATED_MODULE, "utf8")).toBe(await renderLuaSources());
});

// The stats script answers a count per state in lib.lua's STATES order and store.ts labels them in
// EVENT_STATES order: two entries swapped in either would mislabel every count.
test("lib.lua's STATES is keys.ts's EVENT_STATES, in order (else: npm run generate:lua)", () => {
  const lib = readFileSync(LUA_LIB, "utf8");
  expect(lib).toBe(renderLuaLib(lib));
  const luaStates = [.../^local STATES = \{(.*)\}/m.exec(lib)![1]!.matchAll(/'([^']*)'/g)].map((m) => m[1]);
  expect(luaStates).toEqual([...EVENT_STATES]);
});

test("every script is the library followed by its own file", () => {
  expect(scriptNames.length).toBeGreaterThan(0);
  for (const name of scriptNames) expect(loadScript(name).source).toBe(`${lua("lib")}\n${lua(name)}`);
});

test("a bundle of the engine, away from the .lua files, still loads every script", async () => {
  const outfile = join(outDir, "scripts.mjs");
  await build({
    entryPoints: [new URL("./scripts.ts", import.meta.url).pathname],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile,
    logLevel: "silent",
  });
  const bundled = (await import(pathToFileURL(outfile).href)) as typeof import("./scripts.ts");
  for (const name of scriptNames) {
    expect(bundled.loadScript(name).source).toBe(`${lua("lib")}\n${lua(name)}`);
  }
});
