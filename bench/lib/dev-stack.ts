/**
 * Starts dev-child.ts (awl dev's Redis REST API and QStash server) in a child process and talks to
 * it over IPC, so reading the QStash counters puts no traffic on the sockets being measured.
 */
import { fork, type ChildProcess } from "node:child_process";
import type { ModeledLatency, QStashStats, TimerGranularity } from "@awl/dev";

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

export interface DevStackOptions {
  cpuProfileDir?: string;
  /** awl dev's `--granularity`: "exact" (default) or "1s", as QStash schedules. */
  timerGranularity?: TimerGranularity;
  /** awl dev's `--latency`: round trips added to each Redis REST and QStash exchange. */
  latency?: ModeledLatency;
  /** Where the QStash server keeps its messages in the infrastructure Redis (one per stack). */
  qstashKeyPrefix: string;
}

export async function startDevStack(
  appRedisUrl: string,
  infraRedisUrl: string,
  options: DevStackOptions,
): Promise<DevStack> {
  const execArgv = ["--conditions=@awl/source", "--import", "tsx"];
  if (options.cpuProfileDir) execArgv.push("--cpu-prof", `--cpu-prof-dir=${options.cpuProfileDir}`);
  const childOptions = {
    qstashKeyPrefix: options.qstashKeyPrefix,
    timerGranularity: options.timerGranularity,
    latency: options.latency,
  };
  const child: ChildProcess = fork(
    new URL("./dev-child.ts", import.meta.url),
    [appRedisUrl, infraRedisUrl, JSON.stringify(childOptions)],
    { execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] },
  );
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
