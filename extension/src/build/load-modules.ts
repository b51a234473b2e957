/**
 * Imports a site's function modules inside the build, to read their workload definitions. The
 * modules are TypeScript or ESM that Node cannot always load as they are, so esbuild bundles them
 * first into `outDir` (inside the site, so that the packages left external resolve as they would
 * for the site): packages Node can load stay external; packages that export TypeScript sources
 * (a workspace package such as @awl/client) are bundled in.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Plugin } from "esbuild";
import type { FunctionFile } from "./function-files.ts";

export type LoadResult = { module: Record<string, unknown> } | { error: string };

// esbuild's JavaScript API drives its native binary, found beside its own package at run time: it
// must be imported from node_modules, not bundled into the extension's build plugin (which bundles
// every static import). A computed specifier keeps the bundler away.
const ESBUILD = ["es", "build"].join("");

const TYPESCRIPT = /\.[cm]?tsx?$/;
const FROM_RESOLVER = Symbol("awl:resolving");

const bundleTypeScriptPackages: Plugin = {
  name: "awl-bundle-typescript-packages",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, async (args) => {
      if (args.pluginData === FROM_RESOLVER) return undefined;
      const resolved = await build.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: FROM_RESOLVER,
      });
      if (resolved.errors.length > 0 || resolved.external || TYPESCRIPT.test(resolved.path)) return undefined;
      return { path: args.path, external: true };
    });
  },
};

/**
 * Loads every function; a module that throws while it is imported gets its error instead. Throws
 * when esbuild cannot bundle them (its message names the file and line).
 */
export async function loadFunctionModules(
  functions: readonly FunctionFile[],
  outDir: string,
): Promise<Map<string, LoadResult>> {
  const results = new Map<string, LoadResult>();
  if (functions.length === 0) return results;
  const { build } = (await import(ESBUILD)) as typeof import("esbuild");
  // A fresh folder: chunks of an earlier run must not be imported instead of this run's.
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: Object.fromEntries(functions.map((fn) => [fn.name, fn.file])),
    outdir: outDir,
    outExtension: { ".js": ".mjs" },
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node20",
    logLevel: "silent",
    plugins: [bundleTypeScriptPackages],
  });
  for (const fn of functions) {
    try {
      const url = pathToFileURL(join(outDir, `${fn.name}.mjs`)).href;
      results.set(fn.name, { module: (await import(url)) as Record<string, unknown> });
    } catch (error) {
      results.set(fn.name, { error: (error as Error).message });
    }
  }
  return results;
}
