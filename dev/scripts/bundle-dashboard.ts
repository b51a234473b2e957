/**
 * Part of `npm run build -w dev`: bundles the events dashboard's page (`@awl/dashboard/local`) into
 * dev/dashboard-assets, which the published @awl/dev ships and `awl dev` serves as they are, so that
 * a user's `awl dev` needs neither the dashboard's sources nor a bundler.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { build } from "esbuild";
import { DASHBOARD_ASSETS_DIR, DASHBOARD_ASSET_FILES } from "../src/dashboard/assets.ts";

const require = createRequire(import.meta.url);

const result = await build({
  entryPoints: { dashboard: require.resolve("@awl/dashboard/local") },
  bundle: true,
  write: false,
  // esbuild needs an output directory to name the CSS it splits out; nothing is written there.
  outdir: "/awl-dashboard",
  platform: "browser",
  format: "esm",
  target: "es2022",
  minify: true,
  jsx: "automatic",
  loader: { ".css": "css" },
  // The workspace's sources, so the page matches them without building @awl/client first.
  conditions: ["@awl/source"],
  // React picks its production build by this; without it the page would carry the dev build.
  define: { "process.env.NODE_ENV": '"production"' },
  legalComments: "none",
  logLevel: "warning",
});

mkdirSync(DASHBOARD_ASSETS_DIR, { recursive: true });
for (const [kind, name] of Object.entries(DASHBOARD_ASSET_FILES)) {
  const file = result.outputFiles.find((candidate) => candidate.path.endsWith(`.${kind}`));
  if (!file) throw new Error(`bundling the dashboard produced no .${kind} file`);
  writeFileSync(new URL(name, DASHBOARD_ASSETS_DIR), file.text);
}
console.log(`Bundled the events dashboard into ${DASHBOARD_ASSETS_DIR.pathname}`);
