/**
 * The workspace's import graph, read from the sources (every relative `import`, `export ... from` and
 * `import()`, type-only ones included): its cycles, and the imports inside client/src that point up
 * its layers (client/ARCHITECTURE.md). Used by test/architecture/layers.test.ts (so `npm test`
 * enforces both) and by `npm run check:cycles` (this file run as a script: prints every problem and
 * exits non-zero).
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** The source folders checked for cycles: every workspace package's src/. */
export const SOURCE_ROOTS = ["client/src", "dev/src", "cli/src", "dashboard/src", "extension/src"];

/** Repository-relative file → the repository-relative files it imports (relative specifiers only). */
export type ImportGraph = Map<string, string[]>;

export function importGraph(roots: readonly string[] = SOURCE_ROOTS, root = ROOT): ImportGraph {
  const graph: ImportGraph = new Map();
  for (const dir of roots) {
    for (const file of sourceFiles(path.join(root, dir), root)) {
      const info = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
      const targets = info.importedFiles
        .map((imported) => imported.fileName)
        .filter((specifier) => specifier.startsWith("./") || specifier.startsWith("../"))
        .map((specifier) => resolve(path.dirname(file), specifier))
        .filter((target): target is string => target !== undefined)
        .map((target) => path.relative(root, target));
      graph.set(path.relative(root, file), [...new Set(targets)]);
    }
  }
  return graph;
}

/** Every import cycle, each as the files along it (the first repeated at the end). */
export function findCycles(graph: ImportGraph): string[][] {
  const cycles: string[][] = [];
  const state = new Map<string, "open" | "done">();
  const stack: string[] = [];
  const visit = (file: string) => {
    state.set(file, "open");
    stack.push(file);
    for (const next of graph.get(file) ?? []) {
      if (state.get(next) === "open") cycles.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, "done");
  };
  for (const file of [...graph.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}

/**
 * The layers of client/src, top first; a module may import its own layer and the ones below it.
 * The definitions users write → the engine's execution of a run → the store and its scripts →
 * transport. The entry points and the surfaces over the engine (events API, clients, the Netlify
 * API) sit on top.
 */
export const CLIENT_LAYERS = ["entry", "surface", "definitions", "engine", "store", "transport"] as const;
export type ClientLayer = (typeof CLIENT_LAYERS)[number];

const STORE_MODULES = [
  "keys.ts",
  "types.ts",
  "settings.ts",
  "store.ts",
  "scripts.ts",
  "lua-sources.generated.ts",
];

/** The layer of a file in client/src (a repository-relative path), or undefined outside it. */
export function clientLayer(file: string): ClientLayer | undefined {
  const inClient = path.posix.relative("client/src", file.split(path.sep).join("/"));
  if (inClient.startsWith("..")) return undefined;
  const [top, ...rest] = inClient.split("/");
  if (rest.length === 0) return "entry";
  if (top === "api" || top === "client" || top === "compat") return "surface";
  if (top === "workload" || top === "events") return "definitions";
  if (top === "transport") return "transport";
  if (top === "engine") {
    return rest[0] === "store" || rest[0] === "lua" || STORE_MODULES.includes(rest.join("/"))
      ? "store"
      : "engine";
  }
  return "surface";
}

/** Imports inside client/src that point up its layers, as "from → to (layer → layer)". */
export function upwardImports(graph: ImportGraph): string[] {
  const problems: string[] = [];
  for (const [file, targets] of graph) {
    const from = clientLayer(file);
    if (!from) continue;
    for (const target of targets) {
      const to = clientLayer(target);
      if (to && CLIENT_LAYERS.indexOf(to) < CLIENT_LAYERS.indexOf(from)) {
        problems.push(`${file} → ${target} (${from} imports ${to})`);
      }
    }
  }
  return problems.sort();
}

function sourceFiles(dir: string, root: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === "node_modules" || name === "dist") return [];
    if (statSync(full).isDirectory()) return sourceFiles(full, root);
    return /\.(ts|tsx|mts)$/.test(name) && !name.endsWith(".d.ts") ? [full] : [];
  });
}

function resolve(from: string, specifier: string): string | undefined {
  const base = path.resolve(from, specifier);
  const candidates = [
    base,
    base.replace(/\.js$/, ".ts"),
    `${base}.ts`,
    `${base}.tsx`,
    path.join(base, "index.ts"),
  ];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const graph = importGraph();
  const problems = [
    ...findCycles(graph).map((cycle) => `import cycle: ${cycle.join(" → ")}`),
    ...upwardImports(graph).map((line) => `import points up the layers: ${line}`),
  ];
  for (const problem of problems) console.error(problem);
  console.log(
    problems.length
      ? `${problems.length} problem(s)`
      : `no import cycles or upward imports (${graph.size} files)`,
  );
  process.exitCode = problems.length ? 1 : 0;
}
