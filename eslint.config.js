// One lint setup for every workspace package.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

/** client/src's folders above the engine, as a file `depth` folders below client/src names them. */
function above(depth, withDefinitions) {
  const up = "../".repeat(depth);
  const folders = ["api/*", "client/*", "compat/*", "index.ts", "internal.ts"];
  if (withDefinitions) folders.push("workload/*", "events/*");
  return folders.map((path) => `${up}${path}`);
}
/** engine/'s own modules (all but the store's), as a file of the store names them from `from`. */
function engineModules(from) {
  return [`${from}*.ts`, ...["keys", "types", "settings"].map((name) => `!${from}${name}.ts`)];
}
const STORE_MODULES = "client/src/engine/{keys,types,settings}.ts";

function layer(files, name, forbidden) {
  return {
    files,
    ignores: ["**/*.test.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: forbidden, message: `${name} may import only its own layer and the ones below` },
          ],
        },
      ],
    },
  };
}

export default tseslint.config(
  {
    ignores: ["**/node_modules/**", "**/dist/**", "**/dashboard-assets/**", "**/.netlify/**", "**/.ntli/**"],
  },
  js.configs.recommended,
  ...tseslint.configs.strict,
  prettier,
  {
    rules: {
      "@typescript-eslint/no-explicit-any": "error",
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      // With noUncheckedIndexedAccess every indexed read may be undefined; `!` marks the reads whose
      // presence the code has already established (pairs of a flat Redis reply, a tuple just built).
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  // client/src's layers point down (client/ARCHITECTURE.md): the definitions users write → the engine's
  // execution of a run → the store and its scripts → transport, with the entry points and the surfaces
  // over the engine (events API, clients, the Netlify API) on top. test/architecture checks the same
  // on the whole import graph, with cycles.
  layer(["client/src/workload/**", "client/src/events/**"], "the definitions", above(1, false)),
  layer(["client/src/engine/*.ts"], "the engine", above(1, true)),
  layer([STORE_MODULES], "the store", [...above(1, true), ...engineModules("./")]),
  layer(["client/src/engine/store/*.ts"], "the store", [...above(2, true), ...engineModules("../")]),
  layer(["client/src/engine/store/scripts/**"], "the store", [...above(3, true), ...engineModules("../../")]),
  layer(["client/src/transport/**"], "transport", [...above(1, true), "../engine/*"]),
);
