/**
 * `npm run build:ui -w extension`: writes the extension site's UI files: the bundle into
 * `.ntli/site/static/ui` (index.html, main.js, main.css) and details.md beside it in
 * `.ntli/site/static`, which is where `netlify-extension build --site` puts them.
 *
 * Why `npm run build` calls this itself instead of leaving it to `netlify-extension build --all`:
 * for the UI, the SDK runs `netlify build` inside extension/, and in this npm-workspaces repository
 * netlify-cli then loads the repository's root netlify.toml (the demo site's; it joins the package
 * path onto a base that already holds it) and fails on its local plugin path. On its own repository
 * the extension builds with `--all`, and extension/netlify.toml runs this script in that nested build.
 */
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { bundleUi, EXTENSION_DIR, UI_INDEX_HTML, UI_OUT_DIR } from "./bundle.ts";

await mkdir(UI_OUT_DIR, { recursive: true });
await bundleUi(UI_OUT_DIR, true);
await writeFile(path.join(UI_OUT_DIR, "index.html"), UI_INDEX_HTML);
await copyFile(path.join(EXTENSION_DIR, "details.md"), path.join(UI_OUT_DIR, "../details.md"));
console.log(`Built the extension UI into ${path.relative(process.cwd(), UI_OUT_DIR) || "."}`);
