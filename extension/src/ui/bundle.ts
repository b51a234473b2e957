/**
 * How the extension's UI is bundled, in one place for the real build (build.ts, which writes
 * `.ntli/site/static/ui`) and the local harness (which serves the same output from memory):
 * esbuild bundles main.tsx and everything it imports, CSS included, into `main.js` + `main.css`
 * beside an `index.html` that loads them by relative URL, so the UI works wherever it is served.
 */
import path from "node:path";
import { build, type BuildOptions, type OutputFile } from "esbuild";

export const UI_SOURCE_DIR = import.meta.dirname;
export const EXTENSION_DIR = path.resolve(UI_SOURCE_DIR, "../..");
/** Where the SDK expects the UI: the extension site's publish dir is `.ntli/site/static`. */
export const UI_OUT_DIR = path.join(EXTENSION_DIR, ".ntli/site/static/ui");

export const UI_INDEX_HTML = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>Async Workloads on Upstash</title>
    <link rel="stylesheet" href="./main.css" />
  </head>
  <body>
    <div id="root"></div>
    <script type="module" src="./main.js"></script>
  </body>
</html>
`;

export function uiBuildOptions(outdir: string): BuildOptions {
  return {
    absWorkingDir: EXTENSION_DIR,
    entryPoints: { main: path.join(UI_SOURCE_DIR, "main.tsx") },
    outdir,
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    jsx: "automatic",
    minify: true,
    sourcemap: false,
    // CSS @import and url() resolve packages by their "import"/"style" export conditions.
    conditions: ["style", "import", "browser"],
    // React and the UI kit branch on NODE_ENV; the surface always runs their production builds.
    define: { "process.env.NODE_ENV": '"production"' },
    loader: { ".svg": "dataurl", ".png": "dataurl", ".woff": "file", ".woff2": "file" },
    // The kit's stylesheet names two icons it does not ship; the browser skips a missing url().
    external: ["../images/*"],
    logLevel: "silent",
  };
}

/** Bundles the UI; `write: false` keeps the files in memory (the harness serves them from there). */
export async function bundleUi(outdir: string, write: boolean): Promise<OutputFile[]> {
  const result = await build({ ...uiBuildOptions(outdir), write });
  return result.outputFiles ?? [];
}
