/**
 * Starts host-main.ts (the site: router, workloads, events API) as a child process on a fixed
 * port, and lets a test SIGKILL it and start it again on the same port with the same environment.
 */
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { killAndWait, spawnTracked, waitForOutput } from "./children.ts";
import { freePort } from "./ports.ts";

const MAIN = join(import.meta.dirname, "host-main.ts");

export interface HostProcess {
  url: string;
  port: number;
  pid(): number;
  /** Everything it printed, across restarts. */
  output(): string;
  /** SIGKILL it (mid-step, if steps are running), then start a fresh one on the same port. */
  restart(downMs?: number): Promise<void>;
  kill(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startHost(env: Record<string, string>, port?: number): Promise<HostProcess> {
  const chosen = port ?? (await freePort());
  let previous = "";
  let tracked: ReturnType<typeof spawnTracked> | undefined;
  const fullEnv = { ...process.env, ...env, PORT: String(chosen) };
  const start = async () => {
    if (tracked) previous += tracked.output();
    tracked = spawnTracked(process.execPath, ["--conditions=@awl/source", "--import", "tsx", MAIN], {
      env: fullEnv,
    });
    await waitForOutput(tracked, `ready ${chosen}`);
  };
  await start();
  const child = (): ChildProcess => tracked!.child;
  const kill = () => killAndWait(child(), "SIGKILL");
  return {
    url: `http://127.0.0.1:${chosen}`,
    port: chosen,
    pid: () => child().pid!,
    output: () => previous + (tracked?.output() ?? ""),
    async restart(downMs = 0) {
      await kill();
      if (downMs) await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    kill,
    start,
    close: kill,
  };
}
