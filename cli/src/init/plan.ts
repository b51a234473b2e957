/**
 * What `awl init` would change in a site, worked out before anything is written, so `--dry-run`
 * prints exactly what a real run does and a real run changes nothing it did not announce. Each
 * change adds: a file that is missing, an entry netlify.toml lacks, variables `.env` lacks, lines
 * `.gitignore` lacks. An existing file or value is never replaced; the plan says it was kept.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parse as parseToml } from "smol-toml";
import {
  DEFAULT_QSTASH_PORT,
  DEFAULT_REDIS_REST_PORT,
  DEFAULT_REDIS_REST_TOKEN,
  devEnvironment,
} from "@awl/dev/env";
import { UsageError } from "../errors.ts";
import { envChanges, readSiteEnv, siteVariables } from "../site/local-env.ts";
import {
  DEFAULT_FUNCTIONS_DIRECTORY,
  EXAMPLE_SENDER,
  EXAMPLE_SENDER_FILE,
  EXAMPLE_WORKLOAD,
  EXAMPLE_WORKLOAD_FILE,
  NEW_NETLIFY_TOML,
  PLUGIN_ENTRY,
} from "./templates.ts";

export type Change =
  | { kind: "create"; path: string; content: string; why: string }
  | { kind: "append"; path: string; content: string; why: string }
  | { kind: "env"; path: string; values: Record<string, string>; why: string }
  | { kind: "keep"; path: string; why: string };

/** Files the site must ignore: the local secrets and Netlify's build output. */
const IGNORED = [".env", ".netlify"];

export function planInit(siteDir: string): Change[] {
  const changes: Change[] = [];
  const tomlPath = join(siteDir, "netlify.toml");
  let functionsDirectory = DEFAULT_FUNCTIONS_DIRECTORY;
  if (!existsSync(tomlPath)) {
    changes.push({
      kind: "create",
      path: tomlPath,
      content: NEW_NETLIFY_TOML,
      why: "the extension's build plugin and the functions folder",
    });
  } else {
    const config = readNetlifyToml(tomlPath);
    functionsDirectory = config.functionsDirectory ?? functionsDirectory;
    changes.push(
      config.hasPlugin
        ? { kind: "keep", path: tomlPath, why: "already loads @awl/extension" }
        : { kind: "append", path: tomlPath, content: PLUGIN_ENTRY, why: "the extension's build plugin" },
    );
  }

  const functionsDir = join(siteDir, functionsDirectory);
  for (const [file, content, why] of [
    [EXAMPLE_WORKLOAD_FILE, EXAMPLE_WORKLOAD, 'an example workload, run for every "hello" event'],
    [EXAMPLE_SENDER_FILE, EXAMPLE_SENDER, 'POST /api/send-hello sends a "hello" event'],
  ] as const) {
    const path = join(functionsDir, file);
    changes.push(
      existsSync(path)
        ? { kind: "keep", path, why: "exists; left as it is" }
        : { kind: "create", path, content, why },
    );
  }

  const envPath = join(siteDir, ".env");
  const current = readSiteEnv(siteDir);
  const wanted = {
    ...devEnvironment({
      redisRestUrl: `http://127.0.0.1:${DEFAULT_REDIS_REST_PORT}`,
      redisRestToken: DEFAULT_REDIS_REST_TOKEN,
      qstashUrl: `http://127.0.0.1:${DEFAULT_QSTASH_PORT}`,
    }),
    ...siteVariables(siteDir, current),
  };
  const { add, kept } = envChanges(current, wanted);
  if (Object.keys(add).length > 0) {
    changes.push({
      kind: "env",
      path: envPath,
      values: add,
      why: "awl dev's services, this site's key prefix and its events API key",
    });
  }
  if (kept.length > 0) {
    changes.push({ kind: "keep", path: envPath, why: `kept your ${kept.join(", ")} (awl dev's differ)` });
  }

  const gitignorePath = join(siteDir, ".gitignore");
  const ignored = existsSync(gitignorePath) ? readFileSync(gitignorePath, "utf8").split(/\r?\n/) : [];
  const missing = IGNORED.filter(
    (entry) => !ignored.some((line) => [entry, `/${entry}`, `${entry}/`, `/${entry}/`].includes(line.trim())),
  );
  if (missing.length > 0) {
    changes.push({
      kind: existsSync(gitignorePath) ? "append" : "create",
      path: gitignorePath,
      content: `${ignored.length > 0 && ignored.at(-1) !== "" ? "\n" : ""}${missing.join("\n")}\n`,
      why: ".env holds the site's API key",
    });
  }
  return changes;
}

interface NetlifyTomlFacts {
  functionsDirectory?: string;
  hasPlugin: boolean;
}

function readNetlifyToml(path: string): NetlifyTomlFacts {
  let config: Record<string, unknown>;
  try {
    config = parseToml(readFileSync(path, "utf8"));
  } catch (error) {
    throw new UsageError(`${path} is not valid TOML, so awl init left it alone: ${(error as Error).message}`);
  }
  const functions = config.functions as Record<string, unknown> | undefined;
  const build = config.build as Record<string, unknown> | undefined;
  const directory = functions?.directory ?? build?.functions;
  const plugins = Array.isArray(config.plugins) ? (config.plugins as Record<string, unknown>[]) : [];
  return {
    ...(typeof directory === "string" ? { functionsDirectory: directory } : {}),
    hasPlugin: plugins.some(
      (plugin) => typeof plugin.package === "string" && plugin.package.includes("@awl/extension"),
    ),
  };
}

/** One line per change, with the path relative to the site. */
export function describeChange(change: Change, siteDir: string): string {
  const path = relative(siteDir, change.path) || change.path;
  switch (change.kind) {
    case "create":
      return `create  ${path}: ${change.why}`;
    case "append":
      return `append  ${path}: ${change.why}`;
    case "env":
      return `add     ${path}: ${Object.keys(change.values).join(", ")} (${change.why})`;
    case "keep":
      return `keep    ${path}: ${change.why}`;
  }
}
