/**
 * A private redis-server (`@awl/dev/redis-server`), the one launcher the benchmark and the
 * reliability suite share: its own free loopback port and its own temporary directory, never the
 * shared Redis on 6379, so it can be measured, restarted, paused and thrown away. It keeps nothing
 * on disk while it runs (--save "" --appendonly no); `restart()` stops it with SHUTDOWN SAVE and
 * starts it again on the same port and directory, so the data survives the restart as it does on
 * Upstash. It is killed when this process exits, however it exits. Needs `redis-server` on the PATH.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";

export interface RedisServerOptions {
  /**
   * Enable DEBUG for loopback clients (`--enable-debug-command local`, Redis 7 or later), for
   * `digest()`: does a request change any state?
   */
  debugCommand?: boolean;
  /** How long to wait for it to answer; default 15 s. */
  startTimeoutMs?: number;
}

export interface RedisServer {
  port: number;
  url: string;
  /** The server's version (`redis_version`). */
  version: string;
  /** A client for the caller itself (counting, digests), made on first use; reconnects across restarts. */
  readonly client: Redis;
  pid(): number;
  /** What it printed (warnings and errors), across restarts. */
  output(): string;
  /** SHUTDOWN SAVE, stay down for `downMs`, start again on the same port with the saved data. */
  restart(downMs?: number): Promise<void>;
  /** A digest of the whole dataset (needs `debugCommand`): equal digests mean nothing changed. */
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

const live = new Set<ChildProcess>();
let hooked = false;

/**
 * Every local server process registered here (a redis-server, a benchmark's peer) dies with this
 * process: a crash, a failed test, a killed benchmark.
 */
export function killOnExit(child: ChildProcess): void {
  if (!hooked) {
    hooked = true;
    process.once("exit", () => {
      for (const running of live) running.kill("SIGKILL");
    });
  }
  live.add(child);
  child.once("exit", () => live.delete(child));
}

/** A free loopback port: listen on 0 and close again (the short race is acceptable locally). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function killAndWait(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGKILL");
  await gone;
}

export async function startRedisServer(options: RedisServerOptions = {}): Promise<RedisServer> {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), "awl-redis-server-"));
  let output = "";
  let version = "unknown";

  const launch = async (): Promise<ChildProcess> => {
    const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
    args.push("--dir", dir, "--loglevel", "warning");
    if (options.debugCommand) args.push("--enable-debug-command", "local");
    const child = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
    killOnExit(child);
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.length > 1024 * 1024) output = output.slice(-512 * 1024);
    };
    child.stdout?.on("data", collect);
    child.stderr?.on("data", collect);
    let failure: Error | undefined;
    child.once("error", (error) => (failure = new Error(`cannot start redis-server: ${error.message}`)));
    child.once(
      "exit",
      (code) => (failure ??= new Error(`redis-server exited with code ${code}:\n${output}`)),
    );
    // With loglevel warning, the only line it prints at start is not guaranteed: ask instead.
    const deadline = Date.now() + (options.startTimeoutMs ?? 15_000);
    for (;;) {
      if (failure) throw failure;
      const probe = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 1 });
      probe.on("error", () => undefined);
      try {
        await probe.connect();
        const info = await probe.info("server");
        version = /redis_version:(\S+)/.exec(info)?.[1] ?? "unknown";
        return child;
      } catch {
        // not yet
      } finally {
        probe.disconnect();
      }
      if (Date.now() > deadline) {
        await killAndWait(child);
        throw new Error(`redis-server on ${port} did not start:\n${output}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  let child: ChildProcess;
  try {
    child = await launch();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  let client: Redis | undefined;
  const getClient = () => {
    if (!client) {
      client = new Redis(url, {
        retryStrategy: (times) => Math.min(times * 50, 500),
        maxRetriesPerRequest: null,
      });
      client.on("error", () => undefined);
    }
    return client;
  };
  const digest = async () => String(await getClient().call("DEBUG", "DIGEST"));

  return {
    port,
    url,
    version,
    get client() {
      return getClient();
    },
    pid: () => child.pid!,
    output: () => output,
    async restart(downMs = 500) {
      const admin = new Redis(url, { maxRetriesPerRequest: 0, retryStrategy: () => null });
      admin.on("error", () => undefined);
      const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      await admin.call("SHUTDOWN", "SAVE").catch(() => undefined); // the connection closes as it exits
      admin.disconnect();
      await exited;
      await new Promise((resolve) => setTimeout(resolve, downMs));
      child = await launch();
    },
    digest,
    async quietDigest() {
      let last = await digest();
      for (;;) {
        await new Promise((resolve) => setTimeout(resolve, QUIET_INTERVAL_MS));
        const now = await digest();
        if (now === last) return now;
        last = now;
      }
    },
    async close() {
      client?.disconnect();
      await killAndWait(child);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
