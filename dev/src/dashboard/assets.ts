/**
 * The events dashboard's page script and stylesheet, bundled when @awl/dev is built
 * (dev/scripts/bundle-dashboard.ts) into dev/dashboard-assets, which the package ships. The folder
 * sits beside src/ and dist/, so this module finds it from either.
 */
import { existsSync, readFileSync } from "node:fs";

export const DASHBOARD_ASSETS_DIR = new URL("../../dashboard-assets/", import.meta.url);
export const DASHBOARD_ASSET_FILES = { js: "dashboard.js", css: "dashboard.css" } as const;

export interface DashboardAssets {
  js: string;
  css: string;
}

export function loadDashboardAssets(): DashboardAssets {
  const read = (name: string) => {
    const url = new URL(name, DASHBOARD_ASSETS_DIR);
    if (!existsSync(url)) {
      throw new Error(
        `the dashboard's ${name} is missing from ${DASHBOARD_ASSETS_DIR.pathname}: run \`npm run build\``,
      );
    }
    return readFileSync(url, "utf8");
  };
  return { js: read(DASHBOARD_ASSET_FILES.js), css: read(DASHBOARD_ASSET_FILES.css) };
}
