/**
 * The real `awl dev` binary (cli/bin/awl.js) as a child process, on fixed loopback ports and backed
 * by a given Redis, so a test can SIGKILL it with messages scheduled and deliveries in flight and
 * start it again on the same ports, and can read its peak memory from /proc.
 */
import { join } from "node:path";
import type { ChildProcess } from "node:child_process";
import { DEFAULT_REDIS_REST_TOKEN, devEnvironment } from "@awl/dev/env";
import { killAndWait, spawnTracked, waitForOutput } from "./children.ts";
import { freePort } from "./ports.ts";

const BIN = join(import.meta.dirname, "../../../cli/bin/awl.js");

export interface AwlDev {
  /** The environment a site needs to use this awl dev. */
  env: {
    UPSTASH_REDIS_REST_URL: string;
    UPSTASH_REDIS_REST_TOKEN: string;
    QSTASH_URL: string;
    QSTASH_TOKEN: string;
    QSTASH_CURRENT_SIGNING_KEY: string;
    QSTASH_NEXT_SIGNING_KEY: string;
  };
  pid(): number;
  /** Everything it printed, across restarts. */
  output(): string;
  /** SIGKILL (nothing flushed, nothing said goodbye), stay down for `downMs`, start again on the same ports. */
  restart(downMs?: number): Promise<void>;
  /** SIGKILL only; `start()` brings it back on the same ports. */
  kill(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/** The environment an awl dev on these ports will serve, known before it starts. */
export function awlDevEnv(qstashPort: number, restPort: number): AwlDev["env"] {
  return devEnvironment({
    redisRestUrl: `http://127.0.0.1:${restPort}`,
    redisRestToken: DEFAULT_REDIS_REST_TOKEN,
    qstashUrl: `http://127.0.0.1:${qstashPort}`,
  }) as AwlDev["env"];
}

export async function startAwlDev(
  redisUrl: string,
  ports?: { qstashPort: number; restPort: number },
): Promise<AwlDev> {
  const qstashPort = ports?.qstashPort ?? (await freePort());
  const restPort = ports?.restPort ?? (await freePort());
  let previous = "";
  const launch = async () => {
    const tracked = spawnTracked(process.execPath, [
      BIN,
      "dev",
      "--qstash-port",
      String(qstashPort),
      "--redis-port",
      String(restPort),
      "--redis-url",
      redisUrl,
      "--quiet",
    ]);
    await waitForOutput(tracked, "Environment for your site");
    return tracked;
  };
  let tracked = await launch();
  let child: ChildProcess = tracked.child;
  const kill = () => killAndWait(child, "SIGKILL");
  const start = async () => {
    previous += tracked.output();
    tracked = await launch();
    child = tracked.child;
  };
  return {
    env: awlDevEnv(qstashPort, restPort),
    pid: () => child.pid!,
    output: () => previous + tracked.output(),
    async restart(downMs = 1000) {
      await kill();
      await new Promise((r) => setTimeout(r, downMs));
      await start();
    },
    kill,
    start,
    async close() {
      await killAndWait(child, "SIGKILL");
    },
  };
}
