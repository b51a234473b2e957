/**
 * `awl dev` as a newcomer runs it: the real binary, as a child process, used through the official
 * clients with nothing but the environment it prints.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { Client, Receiver } from "@upstash/qstash";
import { Redis } from "@upstash/redis";

const BIN = join(import.meta.dirname, "../../cli/bin/awl.js");
const dir = mkdtempSync(join(tmpdir(), "awl-dev-"));
let child: ChildProcess;
let output = "";
const REDIS_LATENCY_MS = 30;

/**
 * Three consecutive ports below Linux's ephemeral range (32768 and up), where the free ports other
 * tests ask the kernel for, and their outgoing connections, never land.
 */
const ports = () => {
  const first = 20000 + Math.floor(Math.random() * 12000);
  return { qstash: first, redis: first + 1, dashboard: first + 2 };
};

/** Starts `awl dev`; resolves once it has written the environment, or rejects with its output. */
function startAwlDev(chosen: ReturnType<typeof ports>): Promise<ChildProcess> {
  output = "";
  const started = spawn(
    process.execPath,
    [
      BIN,
      "dev",
      "--qstash-port",
      String(chosen.qstash),
      "--redis-port",
      String(chosen.redis),
      "--dashboard-port",
      String(chosen.dashboard),
      "--write-env",
      ".env.local",
      // Modeled production: the flags reach the servers (asserted below by a lower bound only).
      "--latency",
      `redis=${REDIS_LATENCY_MS}ms,qstash=4ms`,
      "--granularity",
      "1s",
    ],
    { cwd: dir, stdio: ["ignore", "pipe", "pipe"] },
  );
  return new Promise((resolve, reject) => {
    started.stdout!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes("wrote the environment")) resolve(started);
    });
    started.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
    started.on("exit", (code) => reject(new Error(`awl dev exited with ${code}: ${output}`)));
  });
}

beforeAll(async () => {
  // A port taken by something outside this test is not what it tests: pick others and try again.
  for (let attempt = 1; ; attempt++) {
    try {
      child = await startAwlDev(ports());
      return;
    } catch (error) {
      if (attempt === 3 || !/the port is in use/.test((error as Error).message)) throw error;
    }
  }
});
afterAll(() => {
  child?.kill("SIGTERM");
});

function envFile(): Record<string, string> {
  return Object.fromEntries(
    readFileSync(join(dir, ".env.local"), "utf8")
      .trim()
      .split("\n")
      .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );
}

test("prints and writes the environment a site needs, with the site's prefix and an API key", () => {
  const env = envFile();
  expect(Object.keys(env).sort()).toEqual([
    "AWL_API_KEY",
    "AWL_PREFIX",
    "QSTASH_CURRENT_SIGNING_KEY",
    "QSTASH_NEXT_SIGNING_KEY",
    "QSTASH_TOKEN",
    "QSTASH_URL",
    "UPSTASH_REDIS_REST_TOKEN",
    "UPSTASH_REDIS_REST_URL",
  ]);
  const { AWL_API_KEY: apiKey, AWL_PREFIX: prefix, ...services } = env;
  for (const [name, value] of Object.entries(services)) expect(output).toContain(`${name}=${value}`);
  // The site is named after its folder, and the key is generated (never printed).
  expect(prefix).toMatch(
    new RegExp(
      `^awl:${basename(dir)
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, "-")}-[0-9a-f]{8}:$`,
    ),
  );
  expect(output).toContain(`(AWL_PREFIX=${prefix})`);
  expect(output).toContain(
    `modeling production: timers on whole seconds, as QStash, Redis REST round trip +${REDIS_LATENCY_MS} ms`,
  );
  expect(apiKey).toMatch(/^awl_[A-Za-z0-9_-]{43}$/);
  expect(output).not.toContain(apiKey);
});

test("the official Redis client works against it with only that environment", async () => {
  const env = envFile();
  const redis = new Redis({
    url: env.UPSTASH_REDIS_REST_URL!,
    token: env.UPSTASH_REDIS_REST_TOKEN!,
    enableTelemetry: false,
  });
  const key = `awl-dev-cli-test:${process.pid}`;
  await redis.set(key, { hello: "world" }, { ex: 60 });
  const started = Date.now();
  expect(await redis.get(key)).toEqual({ hello: "world" });
  // Each request carries the round trip asked for with --latency (a timer may fire a ms early).
  expect(Date.now() - started).toBeGreaterThanOrEqual(REDIS_LATENCY_MS - 2);
  await redis.del(key);
});

test("the official QStash client publishes through it and the delivery verifies", async () => {
  const env = envFile();
  const receiver = new Receiver({
    currentSigningKey: env.QSTASH_CURRENT_SIGNING_KEY!,
    nextSigningKey: env.QSTASH_NEXT_SIGNING_KEY!,
  });
  let destination = "";
  const delivered = new Promise<boolean>((resolve) => {
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", async () => {
        res.end("ok");
        server.close();
        resolve(
          await receiver.verify({
            signature: String(req.headers["upstash-signature"]),
            body,
            url: destination,
          }),
        );
      });
    }).listen(0, "127.0.0.1", () => {
      destination = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
      void new Client({ baseUrl: env.QSTASH_URL!, token: env.QSTASH_TOKEN! }).publishJSON({
        url: destination,
        body: { a: 1 },
      });
    });
  });
  expect(await delivered).toBe(true);
});

test("a bad option is a usage error (exit 2) that names the value", () => {
  const result = spawnSync(process.execPath, [BIN, "dev", "--qstash-port", "eighty"], { encoding: "utf8" });
  expect(result.status).toBe(2);
  expect(result.stderr).toContain('"eighty" is not a port number');
});

test("a bad --latency or --granularity is a usage error that names it", () => {
  const latency = spawnSync(process.execPath, [BIN, "dev", "--latency", "redis=fast"], { encoding: "utf8" });
  expect(latency.status).toBe(2);
  expect(latency.stderr).toContain('redis: "fast" is not a duration');
  const granularity = spawnSync(process.execPath, [BIN, "dev", "--granularity", "100ms"], {
    encoding: "utf8",
  });
  expect(granularity.status).toBe(2);
  expect(granularity.stderr).toContain('"100ms" is not a timer granularity: use one of exact, 1s');
});
