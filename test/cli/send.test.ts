/**
 * `awl send` as a user runs it: the real binary against a site serving the events API over HTTP.
 * It prints the event id and the event runs; its errors say what went wrong and what to do.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { API_KEY } from "../api/serve-api.ts";
import { waitFor } from "../helpers/stack.ts";
import { closedPort, runAwl, startSite, type Site } from "./awl.ts";

const received: { eventId: string; data: unknown }[] = [];

let site: Site;
beforeAll(async () => {
  site = await startSite({
    record: asyncWorkload(async ({ eventId, data, step }) => {
      await step.run("record", () => received.push({ eventId, data }));
    }, "order"),
  });
});
afterAll(() => site?.close());

const ranWith = (eventId: string) =>
  waitFor(async () => received.find((entry) => entry.eventId === eventId), { what: `${eventId} to run` });

test("prints the event id, alone on stdout, and the event runs with its data", async () => {
  const result = await site.awl(["send", "order", "--data", '{"cartId":"c_1"}']);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/^evt_\w+\n$/);
  const eventId = result.stdout.trim();
  expect((await ranWith(eventId)).data).toEqual({ cartId: "c_1" });
});

test("--data @file reads the data from a JSON file", async () => {
  const dir = mkdtempSync(join(tmpdir(), "awl-send-"));
  writeFileSync(join(dir, "order.json"), '{\n  "cartId": "c_file",\n  "items": [1, 2]\n}\n');
  const result = await site.awl(["send", "order", "--data", "@order.json"], { cwd: dir });
  expect(result.code).toBe(0);
  expect((await ranWith(result.stdout.trim())).data).toEqual({ cartId: "c_file", items: [1, 2] });
});

test("--json prints only JSON; the options reach the event; a repeated idempotency key returns the same id", async () => {
  const args = ["send", "order", "--delay-until", "1h", "--priority", "7", "--idempotency-key", "order-42"];
  const first = await site.awl([...args, "--json"]);
  expect(first.code).toBe(0);
  const sent = JSON.parse(first.stdout) as { eventId: string; status: string };
  expect(sent).toEqual({ eventId: expect.stringMatching(/^evt_/), status: "accepted" });
  const stored = await site.stack.runtime.store.getEvent(sent.eventId);
  expect(stored).toMatchObject({ priority: 7, idempotencyKey: "order-42" });
  expect(stored!.delayUntil! - Date.now()).toBeGreaterThan(50 * 60_000);

  const again = await site.awl(args);
  expect(again.stdout.trim()).toBe(sent.eventId);
  expect(again.stderr).toContain("idempotency key");
});

test("reads the site URL and the key from ./.env when the environment has neither", async () => {
  const dir = mkdtempSync(join(tmpdir(), "awl-send-"));
  writeFileSync(
    join(dir, ".env"),
    `# written for netlify dev\nURL=${site.api.url}\nAWL_API_KEY="${API_KEY}"\n`,
  );
  const result = await runAwl(["send", "order", "--data", '"from .env"'], { cwd: dir });
  expect(result).toMatchObject({ code: 0, stderr: "" });
  expect((await ranWith(result.stdout.trim())).data).toBe("from .env");
});

test("bad JSON in --data is a usage error (exit 2) naming the line and column", async () => {
  const result = await site.awl(["send", "order", "--data", '{"cartId": "c_1",\n "total": 12,}']);
  expect(result.code).toBe(2);
  expect(result.stdout).toBe("");
  expect(result.stderr).toContain("--data is not valid JSON at line 2, column 14: property name expected");
});

test("an unreachable site: exit 1, naming the URL and suggesting npm run dev", async () => {
  const port = await closedPort();
  const result = await site.awl(["send", "order", "--site", `http://127.0.0.1:${port}`]);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(
    `could not reach the events API at http://127.0.0.1:${port}/awl/api/events`,
  );
  expect(result.stderr).toContain("npm run dev");
});

test("a wrong API key: exit 1, saying the key was rejected", async () => {
  const result = await site.awl(["send", "order", "--api-key", "not-the-key"]);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain("API key not accepted");
  expect(result.stderr).toContain("rejected the API key");
});

test("input the API refuses: exit 1, each issue as path: message", async () => {
  const result = await site.awl(["send", "order", "--priority", "99"]);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain("  priority: must be between -50 and 50");
});

test("a bad option value is a usage error (exit 2) naming it", async () => {
  const result = await site.awl(["send", "order", "--delay-until", "soon"]);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('"soon" is neither a duration');
});
