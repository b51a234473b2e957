/**
 * The pieces of the local stack, shared by `npm run dev` and the end-to-end tests: building the
 * packages, `awl dev` (local QStash and Upstash Redis REST), and `netlify dev` serving a site (the
 * demo at the repository root, or a site installed from the packed packages) with the extension,
 * wired to them through explicit environment variables.
 */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { fileURLToPath } from "node:url";
import { parseEnv } from "node:util";
import { startProcess, type ManagedProcess } from "./processes.ts";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const AWL_BIN = fileURLToPath(new URL("../../cli/bin/awl.js", import.meta.url));
const NETLIFY_BIN = fileURLToPath(new URL("../../node_modules/netlify-cli/bin/run.js", import.meta.url));

/**
 * `npm run build`: the packages as the demo site loads them (the client's JavaScript, the CLI, and
 * the extension's build plugin in extension/.ntli).
 */
export function buildPackages(): void {
  execFileSync("npm", ["run", "build", "--silent"], { cwd: ROOT, stdio: "pipe" });
}

export interface AwlDev {
  process: ManagedProcess;
  /** The environment it printed (Upstash Redis REST and QStash). */
  env: Record<string, string>;
}

export async function startAwlDev(options: {
  qstashPort: number;
  redisPort: number;
  /** The events dashboard's port; default 0 (any free port), so that tests never collide on 8288. */
  dashboardPort?: number;
  envFile: string;
  /** The `awl` binary; default this repository's. */
  bin?: string;
  /** The site whose awl dev this is (its .env names its AWL_PREFIX); default the demo site. */
  siteDir?: string;
  echo?: (line: string) => void;
}): Promise<AwlDev> {
  const child = startProcess(
    process.execPath,
    [
      options.bin ?? AWL_BIN,
      "dev",
      "--qstash-port",
      String(options.qstashPort),
      "--redis-port",
      String(options.redisPort),
      "--dashboard-port",
      String(options.dashboardPort ?? 0),
      "--write-env",
      options.envFile,
    ],
    { cwd: options.siteDir ?? ROOT, env: process.env, ...(options.echo ? { echo: options.echo } : {}) },
  );
  try {
    await child.waitForLine(/wrote the environment/, 30_000);
  } catch (error) {
    await child.stop();
    throw error;
  }
  return { process: child, env: readEnvFile(options.envFile) };
}

export function readEnvFile(path: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(parseEnv(readFileSync(path, "utf8"))).filter(
      (entry): entry is [string, string] => entry[1] !== undefined,
    ),
  );
}

/**
 * `netlify dev --offline --internal-disable-edge-functions` for a site, by default the demo at the
 * repository root. netlify-cli asks which workspace package to serve when it starts at a workspace
 * root (and fails in CI); started elsewhere with `--cwd` at the root, it serves the root site
 * without asking.
 */
export function startNetlifyDev(options: {
  port: number;
  env: Record<string, string>;
  siteDir?: string;
  echo?: (line: string) => void;
}): ManagedProcess {
  // Explicit URLs only: in QStash dev mode the official client would ignore QSTASH_URL.
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  delete env.QSTASH_DEV;
  return startProcess(
    process.execPath,
    [
      NETLIFY_BIN,
      "dev",
      "--offline",
      "--internal-disable-edge-functions",
      "--no-open",
      "--cwd",
      options.siteDir ?? ROOT,
      "--port",
      String(options.port),
    ],
    { cwd: tmpdir(), env, ...(options.echo ? { echo: options.echo } : {}) },
  );
}

/** Resolves once the injected events API answers with the key (so the extension's functions are up). */
export async function waitForEventsApi(
  siteUrl: string,
  apiKey: string,
  netlify: ManagedProcess,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exitCode: number | null | undefined;
  void netlify.exited.then((code) => (exitCode = code));
  for (;;) {
    if (exitCode !== undefined) throw new Error(`netlify dev exited (${exitCode}):\n${netlify.output()}`);
    const status = await fetch(`${siteUrl}/awl/api/events?limit=1`, {
      headers: { authorization: `Bearer ${apiKey}` },
      signal: AbortSignal.timeout(10_000),
    }).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) {
      throw new Error(
        `netlify dev did not serve ${siteUrl}/awl/api in ${timeoutMs} ms:\n${netlify.output()}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}
