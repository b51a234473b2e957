/**
 * A private redis-server for fault tests, on its own loopback port and its own directory, never the
 * shared one on 6379: it can be restarted, paused and thrown away. It keeps nothing on disk while
 * it runs (--save "" --appendonly no); `restart()` stops it with SHUTDOWN SAVE and starts it again
 * on the same port and directory, so the data survives the restart as it does on Upstash (a
 * restart that lost the data would be a data-loss test, not a restart test). DEBUG is enabled for
 * loopback clients, for `DEBUG DIGEST` (does a request change any state?).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { killAndWait, spawnTracked } from "./children.ts";
import { freePort } from "./ports.ts";

export interface RedisServer {
  port: number;
  url: string;
  /** A client for the test itself (counting, digests); reconnects across restarts. */
  client: Redis;
  pid(): number;
  /** SHUTDOWN SAVE, stay down for `downMs`, start again on the same port with the saved data. */
  restart(downMs?: number): Promise<void>;
  /** A digest of the whole dataset: equal digests mean nothing changed. */
  digest(): Promise<string>;
  /**
   * The digest once the dataset has stopped changing: work accepted earlier (a delivery being
   * recorded, a run finishing) settles in the background, and a "nothing changed" check that
   * started mid-settle would blame the request under test.
   */
  quietDigest(): Promise<string>;
  close(): Promise<void>;
}

/** How long the dataset must stay unchanged to count as quiet. */
const QUIET_INTERVAL_MS = 400;

export async function startRedisServer(): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "awl-reliability-redis-"));
  const launch = async () => {
    const tracked = spawnTracked("redis-server", [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--save",
      "",
      "--appendonly",
      "no",
      "--dir",
      dir,
      "--enable-debug-command",
      "local",
      "--loglevel",
      "warning",
    ]);
    // With loglevel warning, the only line it prints at start is not guaranteed: ask instead.
    const probe = new Redis({ port, host: "127.0.0.1", lazyConnect: true, retryStrategy: () => 50 });
    probe.on("error", () => undefined);
    const deadline = Date.now() + 15_000;
    for (;;) {
      try {
        await probe.connect().catch(() => undefined);
        if ((await probe.ping()) === "PONG") break;
      } catch {
        // not yet
      }
      if (Date.now() > deadline)
        throw new Error(`redis-server on ${port} did not start:\n${tracked.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    probe.disconnect();
    return tracked;
  };
  let tracked = await launch();
  const client = new Redis({
    port,
    host: "127.0.0.1",
    retryStrategy: (times) => Math.min(times * 50, 500),
    maxRetriesPerRequest: null,
  });
  client.on("error", () => undefined);
  const digest = async () => String(await client.call("DEBUG", "DIGEST"));

  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    client,
    pid: () => tracked.child.pid!,
    async restart(downMs = 500) {
      const admin = new Redis({
        port,
        host: "127.0.0.1",
        maxRetriesPerRequest: 0,
        retryStrategy: () => null,
      });
      admin.on("error", () => undefined);
      const exited = new Promise<void>((resolve) => tracked.child.once("exit", () => resolve()));
      await admin.call("SHUTDOWN", "SAVE").catch(() => undefined); // the connection closes as it exits
      admin.disconnect();
      await exited;
      await new Promise((r) => setTimeout(r, downMs));
      tracked = await launch();
    },
    digest,
    async quietDigest() {
      let last = await digest();
      for (;;) {
        await new Promise((r) => setTimeout(r, QUIET_INTERVAL_MS));
        const now = await digest();
        if (now === last) return now;
        last = now;
      }
    },
    async close() {
      client.disconnect();
      await killAndWait(tracked.child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
