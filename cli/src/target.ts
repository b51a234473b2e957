/**
 * Which site the events commands talk to, and with which API key. Each comes from the first of:
 *   site: --site, AWL_SITE_URL, AWL_SITE_URL or URL in ./.env, http://localhost:8888 (netlify dev)
 *   key:  --api-key, AWL_API_KEY, AWL_API_KEY in ./.env
 * so inside a site's folder, with `netlify dev` running, no flag is needed. `.env` is read with
 * dotenv's parser (quotes, comments, `export` prefixes), never written.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isSiteUrl } from "@awl/client/api-client";
import { apiKeysFromEnv, parseApiKeys } from "@awl/client/internal";
import { parse } from "dotenv";
import { UsageError } from "./errors.ts";

export const DEFAULT_SITE_URL = "http://localhost:8888";

export interface Target {
  siteUrl: string;
  apiKey: string;
}

export interface TargetFlags {
  site?: string;
  apiKey?: string;
}

export function resolveTarget(
  flags: TargetFlags,
  env: NodeJS.ProcessEnv = process.env,
  cwd: string = process.cwd(),
): Target {
  const dotenvPath = join(cwd, ".env");
  const dotenv = existsSync(dotenvPath) ? parse(readFileSync(dotenvPath)) : {};
  // Empty values count as unset (`||`, not `??`): `AWL_API_KEY=` in a template means "not yet".
  const siteUrl = flags.site || env.AWL_SITE_URL || dotenv.AWL_SITE_URL || dotenv.URL || DEFAULT_SITE_URL;
  if (!isSiteUrl(siteUrl)) {
    throw new UsageError(
      `the site URL "${siteUrl}" (from AWL_SITE_URL or ${dotenvPath}) is not an http(s) URL: fix it or pass --site`,
    );
  }
  // Several keys may be set during a rotation; any of them works, so take the one a site sends with.
  const apiKey = parseApiKeys(flags.apiKey)[0] || apiKeysFromEnv(env)[0] || apiKeysFromEnv(dotenv)[0];
  if (!apiKey) {
    throw new UsageError(
      `no API key for the events API of ${siteUrl}: pass --api-key, or set AWL_API_KEY ` +
        `(or AWL_API_KEY_P<n>) in the environment or in ${dotenvPath} (the site's AWL_API_KEY)`,
    );
  }
  return { siteUrl, apiKey };
}
