/**
 * A site's identity on this machine, which keeps two sites developed against one Redis apart by
 * default: its engine keys live under its own `AWL_PREFIX`, and `awl dev` keeps its QStash messages
 * under the same name, so a site never sees another's events, runs or queued deliveries.
 * The name comes from the site's folder: readable (its base name) and unique (a hash of its path).
 */
import { createHash } from "node:crypto";
import { basename, resolve } from "node:path";

/** `<folder name>-<8 hex digits of the folder's absolute path>`, e.g. `my-shop-3f9a1c2e`. */
export function siteNamespace(siteDir: string): string {
  const path = resolve(siteDir);
  const slug =
    basename(path)
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 40) || "site";
  const hash = createHash("sha256").update(path).digest("hex").slice(0, 8);
  return `${slug}-${hash}`;
}

/** The engine's key prefix for the site in `siteDir`, as `awl init` and `awl dev --write-env` write it. */
export function sitePrefix(siteDir: string): string {
  return `awl:${siteNamespace(siteDir)}:`;
}
