/**
 * Runs the real `awl` binary as a child process, the way a user runs it, against a site that
 * serves the events API over real HTTP on a free port (an in-process local stack: awl dev's Redis
 * REST API and QStash, a host for the router and the workloads, and the events API). The child
 * is spawned asynchronously because the servers it calls live in this process's event loop.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AsyncWorkloadFunction } from "../../client/src/workload/async-workload.ts";
import { API_KEY, startApiSite, type ApiSite } from "../api/serve-api.ts";

const BIN = join(import.meta.dirname, "../../cli/bin/awl.js");

export interface AwlResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Site extends ApiSite {
  /** Runs `awl` with this site's URL and key in the environment, in an empty folder. */
  awl(args: string[], options?: { env?: Record<string, string>; cwd?: string }): Promise<AwlResult>;
}

export async function startSite(workloads: Record<string, AsyncWorkloadFunction>): Promise<Site> {
  const site = await startApiSite(workloads);
  const cwd = mkdtempSync(join(tmpdir(), "awl-cli-"));
  return {
    ...site,
    awl: (args, options = {}) =>
      runAwl(args, {
        cwd: options.cwd ?? cwd,
        env: { AWL_SITE_URL: site.api.url, AWL_API_KEY: API_KEY, ...options.env },
      }),
  };
}

/** Runs the binary with a clean environment: only PATH, HOME and what the test gives. */
export function runAwl(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<AwlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...options.env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

/** A loopback port nothing listens on: bound once, then released. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
