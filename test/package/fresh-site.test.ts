/**
 * What a user gets: the packages packed with `npm pack`, installed from their tarballs into a new
 * Netlify site in a temporary folder outside this repository (no workspace links, no tsconfig
 * paths), set up with `awl init`, built with `netlify build --offline`, and run under `awl dev` and
 * `netlify dev`: events sent with `awl send`, through the site's own function and from a plain Node
 * script all complete; a dead-lettered run is retried through the events API and completes without
 * rerunning its finished steps; and a second site on the same Redis sees none of it.
 *
 * The tarballs are packed with --ignore-scripts: `npm test` has just built every package
 * (pretest), and a prepack build here would rewrite extension/.ntli under the demo e2e test.
 */
import { execFile } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import StreamZip from "node-stream-zip";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { EventDetail, EventSummary } from "@awl/client";
import type { ManagedProcess } from "../../scripts/dev/processes.ts";
import { waitFor } from "../helpers/stack.ts";
import { freePort } from "../reliability/support/ports.ts";
import {
  readEnvFile,
  ROOT,
  startAwlDev,
  startNetlifyDev,
  waitForEventsApi,
} from "../../scripts/dev/services.ts";

const run = promisify(execFile);
const NETLIFY_BIN = join(ROOT, "node_modules/netlify-cli/bin/run.js");
const PACKAGES = ["client", "dev", "cli", "extension"];
const work = mkdtempSync(join(tmpdir(), "awl-fresh-site-"));
const siteDir = join(work, "shop");
const otherSiteDir = join(work, "blog");
const failFile = join(siteDir, "payment-down");
const stepsLog = join(siteDir, "steps.log");
const running: ManagedProcess[] = [];

/** A workload of the site's own: three steps, the second refused while `payment-down` exists. */
const ORDER_WORKLOAD = `import { appendFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { asyncWorkload, ErrorDoNotRetry } from "@awl/client";

// Where the test reads what ran and switches the payment outage (netlify dev's env gives it).
const site = process.env.ORDER_STATE_DIR ?? ".";
const record = (step: string, orderId: string) => appendFileSync(join(site, "steps.log"), \`\${step} \${orderId}\\n\`);

export default asyncWorkload<{ orderId: string }>(
  async ({ data, step }) => {
    await step.run("reserve", () => record("reserve", data.orderId));
    await step.run("charge", () => {
      if (existsSync(join(site, "payment-down"))) throw new ErrorDoNotRetry("payment provider refused the key");
      record("charge", data.orderId);
    });
    await step.run("receipt", () => record("receipt", data.orderId));
  },
  { events: ["order"] },
);
`;

/** The environment of a command run in the fresh site: nothing of this repository's. */
function siteEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, CI: "true" };
  if (process.env.REDIS_URL) env.REDIS_URL = process.env.REDIS_URL;
  return env;
}

const awlBin = (dir: string) => join(dir, "node_modules/@awl/cli/bin/awl.js");
const awl = (dir: string, ...args: string[]) =>
  run(process.execPath, [awlBin(dir), ...args], { cwd: dir, env: siteEnv() });

function writeSite(dir: string): void {
  mkdirSync(join(dir, "public"), { recursive: true });
  writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "shop", private: true, type: "module" }));
  writeFileSync(join(dir, "netlify.toml"), '[build]\n  publish = "public"\n');
  writeFileSync(join(dir, "public/index.html"), "<h1>A shop</h1>\n");
}

afterAll(async () => {
  await Promise.all(running.map((child) => child.stop()));
  rmSync(work, { recursive: true, force: true });
});

describe("a new site outside this repository, from the packed packages", () => {
  const tarballs: string[] = [];
  let site = "";
  let apiKey = "";
  let dashboard = "";

  const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const response = await fetch(`${site}/awl/api${path}`, {
      ...init,
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
    });
    expect(response.status, `${init.method ?? "GET"} ${path}`).toBeLessThan(300);
    return (await response.json()) as T;
  };
  const runState = async (eventId: string) => (await api<EventDetail>(`/events/${eventId}`)).runs[0]?.state;
  const waitForState = (eventId: string, state: string, timeoutMs = 60_000) =>
    waitFor(async () => (await runState(eventId)) === state, {
      timeoutMs,
      intervalMs: 200,
      what: `${eventId} to be ${state}`,
    });
  const stepLines = () => (existsSync(stepsLog) ? readFileSync(stepsLog, "utf8").trim().split("\n") : []);

  beforeAll(async () => {
    const packs = join(work, "packs");
    mkdirSync(packs);
    for (const name of PACKAGES) {
      const { stdout } = await run(
        "npm",
        ["pack", "--ignore-scripts", "--pack-destination", packs, "--silent"],
        {
          cwd: join(ROOT, name),
        },
      );
      tarballs.push(join(packs, stdout.trim().split("\n").at(-1)!));
    }
    writeSite(siteDir);
    await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", ...tarballs], {
      cwd: siteDir,
      env: siteEnv(),
      timeout: 300_000,
    });
  }, 360_000);

  test("each tarball holds built JavaScript and no workspace link", () => {
    for (const tarball of tarballs) expect(statSync(tarball).size).toBeGreaterThan(10_000);
    const installed = readFileSync(join(siteDir, "node_modules/@awl/client/package.json"), "utf8");
    expect(JSON.parse(installed).exports["."].import).toBe("./dist/index.js");
    expect(existsSync(join(siteDir, "node_modules/@awl/client/dist/index.d.ts"))).toBe(true);
    expect(existsSync(join(siteDir, "node_modules/@awl/extension/.ntli/build/manifest.yml"))).toBe(true);
    expect(existsSync(join(siteDir, "node_modules/@awl/dashboard"))).toBe(false);
  });

  test("awl init sets the site up, and a second run changes nothing", async () => {
    const first = await awl(siteDir, "init");
    expect(first.stdout).toContain("awl init: made 5 changes.");
    expect(readFileSync(join(siteDir, "netlify.toml"), "utf8")).toContain(
      'package = "./node_modules/@awl/extension/plugin"',
    );
    const env = readEnvFile(join(siteDir, ".env"));
    expect(env.AWL_PREFIX).toMatch(/^awl:shop-[0-9a-f]{8}:$/);
    expect(env.AWL_API_KEY).toMatch(/^awl_[A-Za-z0-9_-]{43}$/);
    const before = readFileSync(join(siteDir, ".env"), "utf8");
    const second = await awl(siteDir, "init");
    expect(second.stdout).toContain("nothing to do");
    expect(readFileSync(join(siteDir, ".env"), "utf8")).toBe(before);
    writeFileSync(join(siteDir, "netlify/functions/order-flow.mts"), ORDER_WORKLOAD);
  }, 60_000);

  test("netlify build --offline bundles each function with its own code", async () => {
    const { stdout } = await run(process.execPath, [NETLIFY_BIN, "build", "--offline"], {
      cwd: siteDir,
      env: siteEnv(),
      timeout: 240_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    expect(stdout).toContain("Async Workloads: 2 workloads");
    expect(stdout).toContain("Netlify Build Complete");
    const dist = join(siteDir, ".netlify/functions");
    const manifest = JSON.parse(readFileSync(join(dist, "manifest.json"), "utf8")) as {
      functions: { name: string }[];
    };
    const names = manifest.functions.map((fn) => fn.name).sort();
    // Netlify's own router and REST paths are served beside ours (docs/netlify-compat.md).
    expect(names).toEqual([
      "async-workloads-api",
      "async-workloads-router",
      "awl-router",
      "awl_api",
      "awl_reconcile",
      "hello-workload",
      "order-flow",
      "send-hello",
    ]);
    for (const [name, file] of [
      ["order-flow", "netlify/functions/order-flow.mjs"],
      ["send-hello", "netlify/functions/send-hello.mjs"],
      ["awl-router", ".netlify/awl/functions/awl-router.mjs"],
    ] as const) {
      const zip = new StreamZip.async({ file: join(dist, `${name}.zip`) });
      const source = (await zip.entryData(file)).toString();
      await zip.close();
      expect(source, name).toMatch(name === "awl-router" ? /createRouterHandler/ : /@awl\/client/);
    }
  }, 300_000);

  test("under awl dev and netlify dev, events from awl send and from the site's own function complete", async () => {
    const awlDev = await startAwlDev({
      bin: awlBin(siteDir),
      siteDir,
      qstashPort: await freePort(),
      redisPort: await freePort(),
      envFile: join(siteDir, ".env"),
    });
    running.push(awlDev.process);
    dashboard = await waitFor(async () => /Dashboard\s+(http\S+)/.exec(awlDev.process.output())?.[1], {
      timeoutMs: 30_000,
      what: "awl dev's dashboard",
    });
    apiKey = awlDev.env.AWL_API_KEY!;
    const port = await freePort();
    site = `http://localhost:${port}`;
    const netlify = startNetlifyDev({
      port,
      siteDir,
      env: { ...awlDev.env, ORDER_STATE_DIR: siteDir, CI: "true" },
    });
    running.push(netlify);
    await waitForEventsApi(site, apiKey, netlify, 180_000);

    const sent = await awl(siteDir, "send", "order", "--data", '{"orderId":"o1"}', "--site", site);
    const first = sent.stdout.trim();
    expect(first).toMatch(/^evt_/);
    await waitForState(first, "completed");
    expect(stepLines()).toEqual(["reserve o1", "charge o1", "receipt o1"]);

    // The router routed the first event and published its routing table: the site function's
    // event is routed at send, with no QStash message for the router: its run's delivery and the
    // wake of its 5 s step.sleep (3 through the router).
    const qstashIdle = () =>
      waitFor(
        async () => {
          const stats = (await (
            await fetch(`${awlDev.env.QSTASH_URL}/v2/awl/stats`, {
              headers: { authorization: `Bearer ${awlDev.env.QSTASH_TOKEN}` },
            })
          ).json()) as { published: number; pending: number; inFlight: number };
          return stats.pending === 0 && stats.inFlight === 0 ? stats : undefined;
        },
        { what: "awl dev's QStash to be idle" },
      );
    const before = await qstashIdle();
    const response = await fetch(`${site}/api/send-hello`, { method: "POST", body: '{"name":"Ada"}' });
    expect(response.status).toBe(202);
    const { eventId: hello } = (await response.json()) as { eventId: string };
    await waitForState(hello, "completed");
    expect((await qstashIdle()).published - before.published).toBe(2);
  }, 300_000);

  test("a step that throws ErrorDoNotRetry dead-letters its run; a retry through the API resumes it", async () => {
    writeFileSync(failFile, "");
    const { eventId } = await api<{ eventId: string }>("/events", {
      method: "POST",
      body: JSON.stringify({ name: "order", data: { orderId: "o2" } }),
    });
    await waitForState(eventId, "dead-lettered");
    const dead = await api<EventDetail>(`/events/${eventId}`);
    expect(dead.runs[0]!.lastError?.message).toContain("payment provider refused the key");

    unlinkSync(failFile);
    const retried = await api<{ retried: number }>("/events/retry", {
      method: "POST",
      body: JSON.stringify({ eventIds: [eventId] }),
    });
    expect(retried.retried).toBe(1);
    await waitForState(eventId, "completed");
    expect(stepLines().filter((line) => line.endsWith(" o2"))).toEqual([
      "reserve o2",
      "charge o2",
      "receipt o2",
    ]);
  }, 120_000);

  test("a plain Node script imports @awl/client and sends an event", async () => {
    const script = `import { AsyncWorkloadsClient } from "@awl/client";
const client = new AsyncWorkloadsClient({ siteUrl: ${JSON.stringify(site)}, apiKey: ${JSON.stringify(apiKey)} });
console.log(JSON.stringify(await client.send("order", { orderId: "o3" })));`;
    writeFileSync(join(siteDir, "send-order.mjs"), script);
    const { stdout } = await run(process.execPath, ["send-order.mjs"], { cwd: siteDir, env: siteEnv() });
    const result = JSON.parse(stdout) as { eventId: string; status: string };
    expect(result.status).toBe("accepted");
    await waitForState(result.eventId, "completed");
  }, 90_000);

  test("a second site on the same Redis sees none of the first site's events", async () => {
    mkdirSync(otherSiteDir);
    writeSite(otherSiteDir);
    symlinkSync(join(siteDir, "node_modules"), join(otherSiteDir, "node_modules"));
    await awl(otherSiteDir, "init");
    expect(readEnvFile(join(otherSiteDir, ".env")).AWL_PREFIX).not.toBe(
      readEnvFile(join(siteDir, ".env")).AWL_PREFIX,
    );
    const other = await startAwlDev({
      bin: awlBin(otherSiteDir),
      siteDir: otherSiteDir,
      qstashPort: await freePort(),
      redisPort: await freePort(),
      envFile: join(otherSiteDir, ".env"),
    });
    running.push(other.process);
    const otherDashboard = await waitFor(
      async () => /Dashboard\s+(http\S+)/.exec(other.process.output())?.[1],
      {
        timeoutMs: 30_000,
        what: "the second awl dev's dashboard",
      },
    );
    const list = async (base: string) =>
      ((await (await fetch(`${base}/awl/api/events?limit=100`)).json()) as { events: EventSummary[] }).events;
    // The first site's own dashboard lists its events, so the second's empty list is no accident.
    expect((await list(dashboard)).length).toBeGreaterThanOrEqual(4);
    expect(await list(otherDashboard)).toEqual([]);
  }, 90_000);
});
