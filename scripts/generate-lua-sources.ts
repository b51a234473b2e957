/**
 * Writes client/src/engine/lua-sources.generated.ts from the engine's Lua scripts
 * (client/src/engine/lua/*.lua, the source of truth). The engine imports the scripts as strings so
 * that they travel with the code through any bundler (esbuild, zip-it-and-ship-it, the Netlify SDK):
 * a bundled function has no `lua/` folder beside it to read from.
 *
 *   npm run generate:lua              rewrite the module
 *   npm run generate:lua -- --check   exit 1 when the module is out of date
 */
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { format, resolveConfig } from "prettier";

const luaDir = new URL("../client/src/engine/lua/", import.meta.url);
export const GENERATED_MODULE = new URL("../client/src/engine/lua-sources.generated.ts", import.meta.url);

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
  const rendered = await renderLuaSources();
  if (process.argv.includes("--check")) {
    if (readFileSync(GENERATED_MODULE, "utf8") !== rendered) {
      console.error("client/src/engine/lua-sources.generated.ts is out of date: run `npm run generate:lua`");
      process.exit(1);
    }
  } else {
    writeFileSync(GENERATED_MODULE, rendered);
    console.log(`wrote ${fileURLToPath(GENERATED_MODULE)}`);
  }
}
