// One lint setup for every workspace package.
import js from "@eslint/js";
import tseslint from "typescript-eslint";
import prettier from "eslint-config-prettier";

/** Entry points and surfaces: only the entry points may import them. */
function folder(name) {
  return [`../${name}/*`, `../../${name}/*`, `../../../${name}/*`];
}
const SURFACES = [
  ...folder("api"),
  ...folder("client"),
  ...folder("compat"),
  "../index.ts",
  "../../index.ts",
  "../internal.ts",
  "../../internal.ts",
];
const DEFINITIONS = [...folder("workload"), ...folder("events")];
/** The engine's execution modules, which the store must not know about. */
const ENGINE = [
  "execute",
  "router",
  "send",
  "operations",
  "runtime",
  "reconciler",
  "undelivered",
  "step",
].map((name) => `**/engine/${name}.ts`);
const STORE = ["client/src/engine/store/**", "client/src/engine/{keys,types,settings}.ts"];

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
  layer(["client/src/workload/**", "client/src/events/**"], "the definitions", SURFACES),
  layer(["client/src/engine/**"], "the engine", [...SURFACES, ...DEFINITIONS]),
  layer(STORE, "the store", [...SURFACES, ...DEFINITIONS, ...ENGINE]),
  layer(["client/src/transport/**"], "transport", [...SURFACES, ...DEFINITIONS, "**/engine/**"]),
);
