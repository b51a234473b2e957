/**
 * The local environment of a site developed with `awl dev`: what `awl init` and
 * `awl dev --write-env` put in its `.env` for `netlify dev` and the `awl` commands to read. A value
 * the file already has is kept (a key the site already hands out, a prefix other tools use); only
 * missing ones are added, so running either command twice changes nothing.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "dotenv";
import { generateApiKey } from "@awl/client/internal";
import { sitePrefix } from "./identity.ts";

/** A dotenv file, parsed; empty when there is none. */
export function readEnvFile(path: string): Record<string, string> {
  return existsSync(path) ? parse(readFileSync(path)) : {};
}

/** The site's `.env`, parsed. */
export function readSiteEnv(siteDir: string): Record<string, string> {
  return readEnvFile(join(siteDir, ".env"));
}

/** The site's own variables: its key prefix and an events API key. */
export function siteVariables(
  siteDir: string,
  current: Record<string, string>,
): { AWL_PREFIX: string; AWL_API_KEY: string } {
  return {
    AWL_PREFIX: current.AWL_PREFIX || sitePrefix(siteDir),
    AWL_API_KEY: current.AWL_API_KEY || generateApiKey(),
  };
}

export interface EnvChanges {
  /** Variables to write: those the file lacks (or has empty). */
  add: Record<string, string>;
  /** Variables the file has with another value, kept as they are. */
  kept: string[];
}

/** What writing `wanted` into a dotenv file holding `current` adds and what it keeps. */
export function envChanges(current: Record<string, string>, wanted: Record<string, string>): EnvChanges {
  const add: Record<string, string> = {};
  const kept: string[] = [];
  for (const [name, value] of Object.entries(wanted)) {
    if (!current[name]) add[name] = value;
    else if (current[name] !== value) kept.push(name);
  }
  return { add, kept };
}
