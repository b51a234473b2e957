/**
 * The build hook on a real (temporary) site: its functions are bundled, imported and checked, and
 * the generated router imports them and lists them; bad workloads fail the build naming each file.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, expect, test } from "vitest";
import type { RegisteredWorkload } from "@awl/client";
import { prepareWorkloads, type BuildHookContext } from "./prepare.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;
const sites: string[] = [];
afterAll(() => sites.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

function site(functions: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "awl-prepare-"));
  sites.push(dir);
  // The site resolves @awl/client (TypeScript sources) and zod like this repository does.
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  for (const [path, source] of Object.entries(functions)) {
    mkdirSync(join(dir, "functions", path, ".."), { recursive: true });
    writeFileSync(join(dir, "functions", path), source);
  }
  return dir;
}

async function prepare(dir: string) {
  const generated: string[] = [];
  const failures: string[] = [];
  const context: BuildHookContext = {
    constants: {
      FUNCTIONS_SRC: "functions",
      INTERNAL_FUNCTIONS_SRC: join(dir, ".netlify/functions-internal"),
    },
    utils: {
      functions: { generate: (path) => generated.push(path) },
      build: { failBuild: (message) => failures.push(message) },
    },
  };
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    await prepareWorkloads(context);
  } finally {
    process.chdir(cwd);
  }
  return { generated, failures };
}

test("generates a router for every workload, and a wrapper for each Netlify-style one", async () => {
  const dir = site({
    "checkout.mts": `import { asyncWorkload } from "@awl/client";
      export default asyncWorkload(async () => {}, { events: ["checkout", "Order.Created"], maxRetries: 2 });`,
    "vip/index.mts": `import { asyncWorkload } from "@awl/client";
      export default asyncWorkload(async () => {}, { events: "checkout", name: "vip-checkout",
        eventFilter: (event) => (event.data as { vip?: boolean }).vip === true });`,
    "hello.mts": `import { asyncWorkloadFn } from "@awl/client/netlify";
      export default asyncWorkloadFn(async () => {});
      export const asyncWorkloadConfig = { events: ["hello"] };`,
    "plain.mts": `export default async () => new Response("not a workload");`,
    "_shared/util.ts": `export const shared = 1;`,
  });
  const { generated, failures } = await prepare(dir);
  expect(failures).toEqual([]);
  expect(generated).toEqual([
    join(dir, ".netlify/awl/functions/awl-router.mjs"),
    // Netlify's router and REST API at Netlify's paths, for senders written against its package.
    join(dir, ".netlify/awl/functions/async-workloads-router.mjs"),
    join(dir, ".netlify/awl/functions/async-workloads-api.mjs"),
    join(dir, ".netlify/awl/functions/awl-workload-hello.mjs"),
  ]);

  const router = (await import(pathToFileURL(generated[0]!).href)) as {
    registry: RegisteredWorkload[];
    config: Record<string, string>;
  };
  expect(
    // Each entry keeps its definition (spec) for the workload manifest the router publishes.
    router.registry.map(({ eventFilter, spec, ...entry }) => ({
      ...entry,
      filtered: Boolean(eventFilter),
      spec: spec !== undefined,
    })),
  ).toEqual([
    {
      name: "checkout",
      events: ["checkout", "order.created"],
      maxRetries: 2,
      url: "/.netlify/functions/checkout",
      filtered: false,
      spec: true,
    },
    {
      name: "hello",
      events: ["hello"],
      maxRetries: 4,
      url: "/.netlify/functions/awl-workload-hello",
      filtered: false,
      spec: true,
    },
    {
      name: "vip-checkout",
      events: ["checkout"],
      maxRetries: 4,
      url: "/.netlify/functions/vip",
      filtered: true,
      spec: true,
    },
  ]);
  expect(router.config).toEqual({ name: "Async Workloads router", generator: "async-workloads-upstash" });

  // Netlify's router answers as Netlify's does: a request without a key is refused by name.
  const previous = process.env.AWL_API_KEY;
  process.env.AWL_API_KEY = `test-key-${randomBytes(16).toString("hex")}`; // read when the module loads
  try {
    const netlifyRouter = (await import(pathToFileURL(generated[1]!).href)) as {
      default: (request: Request) => Promise<Response>;
    };
    const answer = await netlifyRouter.default(
      new Request("https://site.example/.netlify/functions/async-workloads-router", { method: "POST" }),
    );
    expect([answer.status, answer.headers.get("x-awl-reason")]).toEqual([401, "invalid API key"]);
  } finally {
    if (previous === undefined) delete process.env.AWL_API_KEY;
    else process.env.AWL_API_KEY = previous;
  }
}, 30_000);

test("fails the build with every bad workload, naming its file and the problem", async () => {
  const dir = site({
    "no-events.mts": `import { asyncWorkload } from "@awl/client";
      export default asyncWorkload(async () => {}, { events: [] });`,
    "first.mts": `import { asyncWorkload } from "@awl/client";
      export default asyncWorkload(async () => {}, { events: "a", name: "same" });`,
    "second.mts": `import { asyncWorkload } from "@awl/client";
      export default asyncWorkload(async () => {}, { events: "b", name: "same" });`,
    "backoff.mts": `import { asyncWorkload } from "@awl/client";
      export default asyncWorkload(async () => {}, { events: "c", backoffSchedule: () => "later" });`,
    "unconfigured.mts": `import { asyncWorkloadFn } from "@awl/client/netlify";
      export default asyncWorkloadFn(async () => {});`,
  });
  const { generated, failures } = await prepare(dir);
  expect(generated).toEqual([]);
  expect(failures).toHaveLength(1);
  const lines = failures[0]!.split("\n");
  expect(lines[0]).toBe("Async Workloads found 4 problems in the site's workloads:");
  expect(lines.slice(1).sort()).toEqual([
    expect.stringMatching(/^ {2}- functions\/backoff\.mts: config\.backoffSchedule returned "later"/),
    expect.stringMatching(
      /^ {2}- functions\/no-events\.mts: asyncWorkload config\.events: subscribe to at least one event/,
    ),
    expect.stringMatching(
      /^ {2}- functions\/second\.mts: duplicate workload name "same": .*first\.mts uses it too/,
    ),
    expect.stringMatching(
      /^ {2}- functions\/unconfigured\.mts: asyncWorkloadFn: the module must also export `asyncWorkloadConfig/,
    ),
  ]);
}, 30_000);

test("a function that does not compile fails the build with esbuild's message", async () => {
  const dir = site({
    "broken.mts": `import { asyncWorkload } from "@awl/client";\nexport default asyncWorkload(`,
  });
  const { failures } = await prepare(dir);
  expect(failures).toEqual([expect.stringContaining("functions/broken.mts")]);
}, 30_000);
