/**
 * A private Restate server for the benchmark: the linux/darwin binary that
 * `@restatedev/restate-server` ships as an npm package, run as shipped (its default
 * configuration: RocksDB with fsync on, 24 partitions) except for where it listens: its own free
 * loopback ports (ingress, admin, node-to-node), TCP only, and its own temporary data directory,
 * removed on close. Telemetry is off. It is killed when this process exits, however it exits, so
 * nothing is left running.
 *
 * 1.7's server also looks up api.github.com once at start for a "new version" notice (no option
 * turns that off); offline, the lookup fails and the server logs one error, which is harmless.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, killOnExit } from "@awl/dev/redis-server";

export interface RestateServer {
  /** Where services are invoked: POST {ingressUrl}/{service}/{handler}. */
  ingressUrl: string;
  ingressPort: number;
  /** The admin API (deployments). */
  adminUrl: string;
  version: string;
  /** Registers the service endpoint at `uri` (the server discovers its services). */
  register(uri: string): Promise<string>;
  /** Forgets a deployment registered by `register` (its endpoint is gone). */
  unregister(deploymentId: string): Promise<void>;
  close(): Promise<void>;
}

/** The path of the server binary the npm package installed for this platform. */
export function restateBinary(): string {
  const require = createRequire(import.meta.url);
  const name = `@restatedev/restate-server-${process.platform}-${process.arch}`;
  try {
    return require.resolve(`${name}/bin/restate-server`);
  } catch {
    throw new Error(
      `Restate's server binary for ${process.platform}-${process.arch} (${name}) is not installed: run npm install`,
    );
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

export async function startRestateServer(options: { startTimeoutMs?: number } = {}): Promise<RestateServer> {
  const binary = restateBinary();
  const baseDir = mkdtempSync(join(tmpdir(), "awl-bench-restate-"));
  const [ingressPort, adminPort, fabricPort] = [await freePort(), await freePort(), await freePort()];
  let output = "";
  const child = spawn(binary, ["--no-logo", "--base-dir", baseDir, "--node-name", "bench"], {
    env: {
      PATH: process.env.PATH ?? "",
      RESTATE_DISABLE_TELEMETRY: "true",
      RESTATE_LISTEN_MODE: "tcp",
      RESTATE_BIND_ADDRESS: `127.0.0.1:${fabricPort}`,
      RESTATE_ADVERTISED_ADDRESS: `http://127.0.0.1:${fabricPort}/`,
      RESTATE_INGRESS__BIND_ADDRESS: `127.0.0.1:${ingressPort}`,
      RESTATE_ADMIN__BIND_ADDRESS: `127.0.0.1:${adminPort}`,
      RESTATE_LOG_DISABLE_ANSI_CODES: "true",
      RESTATE_LOG_FILTER: "warn",
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  killOnExit(child);
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const ingressUrl = `http://127.0.0.1:${ingressPort}`;
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(baseDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  while (!(await answers(`${adminUrl}/health`)) || !(await answers(`${ingressUrl}/restate/health`))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await close();
      throw new Error(`restate-server did not start (exit ${child.exitCode}):\n${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const { version } = (await (await fetch(`${adminUrl}/version`)).json()) as { version: string };

  return {
    ingressUrl,
    ingressPort,
    adminUrl,
    version,
    async register(uri) {
      const response = await fetch(`${adminUrl}/deployments`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ uri }),
      });
      const body = await response.text();
      if (!response.ok) throw new Error(`Restate refused deployment ${uri}: ${response.status} ${body}`);
      return (JSON.parse(body) as { id: string }).id;
    },
    async unregister(deploymentId) {
      const response = await fetch(`${adminUrl}/deployments/${deploymentId}?force=true`, {
        method: "DELETE",
      });
      await response.arrayBuffer();
    },
    close,
  };
}
