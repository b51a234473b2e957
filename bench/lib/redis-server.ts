/**
 * Private Redis servers for a benchmark run: one for the application's data (what a user's Upstash
 * Redis or BullMQ's Redis would hold) and one behind the QStash emulator (in production that is
 * Upstash's, not the user's). Private servers keep the commands, bytes and memory we measure free
 * of everybody else's traffic on the shared Redis. Needs `redis-server` on the PATH.
 */
import { spawn, type ChildProcess } from "node:child_process";
import net from "node:net";
import { Redis } from "ioredis";

export interface RedisServer {
  url: string;
  port: number;
  version: string;
  close(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    "redis-server",
    [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--loglevel",
      "warning",
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  // A benchmark that crashes must not leave its Redis behind.
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);
  const failed = new Promise<never>((_, reject) => {
    child.once("error", (error) => reject(new Error(`cannot start redis-server: ${error.message}`)));
    child.once("exit", (code) => reject(new Error(`redis-server exited with code ${code}`)));
  });
  const url = `redis://127.0.0.1:${port}`;
  const ready = (async () => {
    for (let attempt = 0; ; attempt++) {
      const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 1 });
      probe.on("error", () => undefined);
      try {
        await probe.connect();
        const info = await probe.info("server");
        return /redis_version:(\S+)/.exec(info)?.[1] ?? "unknown";
      } catch (error) {
        if (attempt >= 100) throw error;
        await new Promise((resolve) => setTimeout(resolve, 50));
      } finally {
        probe.disconnect();
      }
    }
  })();
  let version: string;
  try {
    version = await Promise.race([ready, failed]);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    url,
    port,
    version,
    close: () =>
      new Promise<void>((resolve) => {
        process.off("exit", killOnExit);
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}
