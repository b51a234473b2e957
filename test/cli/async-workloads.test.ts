/**
 * `async-workloads send`, Netlify's CLI flags on `awl send`, as a user runs it: the real binary
 * against a site serving the events API over HTTP. The same command line as for Netlify's CLI sends
 * the event with its data, priority and delay; Netlify's key variables are read; failures say so.
 */
import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { API_KEY } from "../api/serve-api.ts";
import { waitFor } from "../helpers/stack.ts";
import { closedPort, startSite, type AwlResult, type Site } from "./awl.ts";

const BIN = join(import.meta.dirname, "../../cli/bin/async-workloads.js");
const received: { eventId: string; data: unknown; priority: number; at: number }[] = [];

let site: Site;
const cwd = mkdtempSync(join(tmpdir(), "async-workloads-cli-"));
beforeAll(async () => {
  site = await startSite({
    record: asyncWorkload(async ({ eventId, data, priority }) => {
      received.push({ eventId, data, priority, at: Date.now() });
    }, "orders/created"),
  });
});
afterAll(() => site?.close());

/** Runs the binary with a clean environment: only PATH, HOME and what the test gives. */
function asyncWorkloads(args: string[], env: Record<string, string> = {}): Promise<AwlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const sentId = (result: AwlResult) => /Event sent successfully\. Event ID: (\S+)/.exec(result.stdout)?.[1];
const ranWith = (eventId: string) =>
  waitFor(async () => received.find((entry) => entry.eventId === eventId), { what: `${eventId} to run` });

test("send -e -d -k -p -u: the event runs with its data and priority; Netlify's success line names it", async () => {
  const result = await asyncWorkloads([
    "send",
    "-e",
    "orders/created",
    "-d",
    '{"orderId":"o_1"}',
    "-k",
    API_KEY,
    "-p",
    "7",
    "-u",
    `${site.api.url}/some/page`,
  ]);
  expect(result.code).toBe(0);
  const eventId = sentId(result);
  expect(eventId).toMatch(/^evt_/);
  expect(await ranWith(eventId!)).toMatchObject({ data: { orderId: "o_1" }, priority: 7 });
});

test("-l: milliseconds or a duration delay the event; the key comes from AWL_API_KEY_P<n>", async () => {
  for (const delay of ["1500", "2s"]) {
    const before = Date.now();
    const result = await asyncWorkloads(
      ["send", "--event-name", "orders/created", "--delay-until", delay, "--base-url", site.api.url],
      { AWL_API_KEY_P3: API_KEY, AWL_API_KEY: "not-the-key-but-a-lower-priority-one" },
    );
    expect(result.code, result.stderr).toBe(0);
    const run = await ranWith(sentId(result)!);
    expect(run.at - before).toBeGreaterThanOrEqual(delay === "2s" ? 2000 : 1500);
  }
});

test("failures exit non-zero and say so: a wrong key (1), bad JSON or a missing -u (2), an unreachable site (1)", async () => {
  const wrongKey = await asyncWorkloads(["send", "-e", "x", "-k", "wrong", "-u", site.api.url]);
  expect(wrongKey.code).toBe(1);
  expect(wrongKey.stderr).toMatch(/Event failed to send\..*401|API key/s);

  const badJson = await asyncWorkloads(["send", "-e", "x", "-d", "{nope", "-k", API_KEY, "-u", site.api.url]);
  expect(badJson.code).toBe(2);
  expect(badJson.stderr).toMatch(/--event-data must be a JSON string/);

  const noUrl = await asyncWorkloads(["send", "-e", "x", "-k", API_KEY]);
  expect(noUrl.code).toBe(2);
  expect(noUrl.stderr).toMatch(/--base-url/);

  const down = await asyncWorkloads([
    "send",
    "-e",
    "x",
    "-k",
    API_KEY,
    "-u",
    `http://127.0.0.1:${await closedPort()}`,
  ]);
  expect(down.code).toBe(1);
  expect(down.stderr).toMatch(/Event failed to send/);
});
