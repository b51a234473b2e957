/**
 * Starts dev-child.ts (awl dev's Redis REST API and QStash server) in a child process and talks to
 * it over IPC, so reading the QStash counters puts no traffic on the sockets being measured.
 */
import { fork, type ChildProcess } from "node:child_process";
import type { QStashStats } from "@awl/dev";

export interface DevStack {
  rest: { url: string; token: string; port: number };
  qstash: { url: string; token: string; currentSigningKey: string; nextSigningKey: string; port: number };
  stats(): Promise<QStashStats>;
  close(): Promise<void>;
}

interface Ready {
  type: "ready";
  rest: { url: string; token: string };
  qstash: { url: string; token: string; currentSigningKey: string; nextSigningKey: string };
}

export async function startDevStack(
  appRedisUrl: string,
  infraRedisUrl: string,
  options: { cpuProfileDir?: string } = {},
): Promise<DevStack> {
  const execArgv = ["--conditions=@awl/source", "--import", "tsx"];
  if (options.cpuProfileDir) execArgv.push("--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`);
  const child: ChildProcess = fork(new URL("./dev-child.ts", import.meta.url), [appRedisUrl, infraRedisUrl], {
    execArgv,
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const ready = await new Promise<Ready>((resolve, reject) => {
    child.once("exit", (code) => reject(new Error(`awl dev child exited with code ${code}`)));
    child.once("message", (message) => resolve(message as Ready));
  });
  const portOf = (url: string) => Number(new URL(url).port);
  return {
    rest: { ...ready.rest, port: portOf(ready.rest.url) },
    qstash: { ...ready.qstash, port: portOf(ready.qstash.url) },
    stats: () =>
      new Promise<QStashStats>((resolve) => {
        const listener = (message: { type: string; stats?: QStashStats }) => {
          if (message.type !== "stats") return;
          child.off("message", listener);
          resolve(message.stats!);
        };
        child.on("message", listener);
        child.send({ type: "stats" });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.send({ type: "close" });
      }),
  };
}
