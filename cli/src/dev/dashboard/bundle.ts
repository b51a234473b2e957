/**
 * Builds the dashboard's page script and stylesheet in memory with esbuild when `awl dev` starts
 * (a few hundred milliseconds), so that nobody has to run a build step before opening the dashboard
 * and what is served always matches the source in dashboard/src.
 */
import { createRequire } from "node:module";
import { build } from "esbuild";

/**
 * The page's entry: renders `<EventsDashboard>` against this server's /awl/api. Resolved through the
 * package's exports, so it is found wherever `@awl/dashboard` is installed, not only in this repo.
 */
export const DASHBOARD_ENTRY = createRequire(import.meta.url).resolve("@awl/dashboard/local");

export interface DashboardBundle {
  js: string;
  css: string;
}

export async function bundleDashboard(entry = DASHBOARD_ENTRY): Promise<DashboardBundle> {
  const result = await build({
    entryPoints: { dashboard: entry },
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
    // React picks its production build by this; without it the page would carry the dev build.
    define: { "process.env.NODE_ENV": '"production"' },
    legalComments: "none",
    logLevel: "silent",
  });
  const output = (extension: string) => {
    const file = result.outputFiles.find((candidate) => candidate.path.endsWith(extension));
    if (!file) throw new Error(`bundling the dashboard produced no ${extension} file`);
    return file.text;
  };
  return { js: output(".js"), css: output(".css") };
}
