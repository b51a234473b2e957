/**
 * End to end, the way a newcomer meets the product: the real extension (built with
 * netlify-extension build by `npm test`'s pretest), `awl dev` on a real Redis, `netlify dev`
 * serving the demo site, and the `awl` CLI. Then `netlify build --offline`, whose output must hold
 * the injected functions and the generated router, each runnable on its own.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { randomBytes } from "node:crypto";
import { Redis } from "@upstash/redis";
import StreamZip from "node-stream-zip";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { EventDetail, EventSummary, RunRecord } from "../../client/src/index.ts";
import { unzipWithLinks } from "../../extension/src/build/verify-bundles.ts";
import type { ManagedProcess } from "../../scripts/dev/processes.ts";
import { waitFor } from "../helpers/stack.ts";
import { freePort } from "../reliability/support/ports.ts";
import { startProcess } from "../../scripts/dev/processes.ts";
import { ROOT, startAwlDev, startNetlifyDev, waitForEventsApi } from "../../scripts/dev/services.ts";

const run = promisify(execFile);
const AWL_BIN = join(ROOT, "cli/bin/awl.js");
const NETLIFY_BIN = join(ROOT, "node_modules/netlify-cli/bin/run.js");
const work = mkdtempSync(join(tmpdir(), "awl-e2e-"));
const apiKey = `awl_e2e_${randomBytes(12).toString("hex")}`;
const prefix = `awle2e:${randomBytes(4).toString("hex")}:`;
const cart = {
  cartId: "cart_e2e",
  email: "ada@example.com",
  items: [{ sku: "tee", quantity: 2 }],
  total: 40,
};

afterAll(() => rmSync(work, { recursive: true, force: true }));

describe("netlify dev serving the demo site with the extension", () => {
  let awlDev: ManagedProcess | undefined;
  let netlify: ManagedProcess | undefined;
  let redis: Redis | undefined;
  let site = "";

  /** The `awl` CLI as a user runs it, against this site. */
  const awl = async (...args: string[]) =>
    (await run(process.execPath, [AWL_BIN, ...args, "--site", site, "--api-key", apiKey], { cwd: work }))
      .stdout;

  const getEvent = async (id: string): Promise<EventDetail> => {
    const response = await fetch(`${site}/awl/api/events/${id}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as EventDetail;
  };
  const runOf = async (id: string): Promise<RunRecord> => {
    const { runs } = await getEvent(id);
    expect(runs).toHaveLength(1);
    return runs[0]!;
  };
  const waitForRunState = (id: string, state: RunRecord["state"], timeoutMs: number) =>
    waitFor(
      async () => {
        const found = await getEvent(id);
        return found.runs[0]?.state === state ? found.runs[0] : undefined;
      },
      { timeoutMs, intervalMs: 150, what: `run of ${id} to be ${state}` },
    );
  const setOutage = async (mode: "unauthorized" | "up") => {
    const response = await fetch(`${site}/api/outages`, {
      method: "POST",
      body: JSON.stringify({ provider: "payment", mode }),
    });
    expect(await response.json()).toMatchObject({ payment: mode });
  };
  /** Calls the site's events API over HTTP. */
  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${site}/awl/api${path}`, {
      method,
      headers: { authorization: `Bearer ${apiKey}`, "content-type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const sendEvent = async (name: string, data: unknown): Promise<string> => {
    const { status, body } = await api("POST", "/events", { name, data });
    expect(status).toBe(202);
    return body.eventId as string;
  };
  /** The event once it is in `state` (an event no workload subscribes to ends "unmatched" once routed). */
  const waitForEventState = (id: string, state: EventDetail["state"]) =>
    waitFor(async () => ((await getEvent(id)).state === state ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 150,
      what: `event ${id} to be ${state}`,
    });
  /** How often the demo's fake providers logged a line about this order. */
  const timesLogged = (text: string) =>
    netlify!
      .output()
      .split("\n")
      .filter((line) => line.includes(text)).length;

  // The packages were built by `npm test`'s pretest (npm run build).
  beforeAll(async () => {
    const envFile = join(work, ".env");
    const awlStack = await startAwlDev({
      qstashPort: await freePort(),
      redisPort: await freePort(),
      envFile,
    });
    awlDev = awlStack.process;
    redis = new Redis({
      url: awlStack.env.UPSTASH_REDIS_REST_URL!,
      token: awlStack.env.UPSTASH_REDIS_REST_TOKEN!,
      enableTelemetry: false,
    });
    const port = await freePort();
    site = `http://localhost:${port}`;
    netlify = startNetlifyDev({
      port,
      env: {
        ...awlStack.env,
        AWL_API_KEY: apiKey,
        AWL_PREFIX: prefix,
        // The week-long follow-up sleep, shortened so the test sees the run wake up.
        CHECKOUT_FOLLOW_UP_DELAY: "4s",
        // As in CI: no prompts, no telemetry process left behind.
        CI: "true",
      },
    });
    await waitForEventsApi(site, apiKey, netlify, 150_000);
  }, 200_000);

  afterAll(async () => {
    await netlify?.stop();
    // Everything this run wrote lives under its own prefix.
    const keys = (await redis?.keys(`${prefix}*`)) ?? [];
    if (keys.length) await redis!.del(...keys);
    await awlDev?.stop();
  }, 30_000);

  test("awl send checkout runs every step once, parks the follow-up sleep, then wakes and completes", async () => {
    const { eventId } = JSON.parse(
      await awl("send", "checkout", "--data", JSON.stringify(cart), "--json"),
    ) as {
      eventId: string;
    };
    const orderId = `ord_${eventId.slice(-12)}`;

    const sleeping = await waitForRunState(eventId, "sleeping", 30_000);
    expect(sleeping.steps.map((step) => [step.id, step.status])).toEqual([
      ["create-order", "completed"],
      ["reserve-inventory", "completed"],
      ["process-payment", "completed"],
      ["update-order", "completed"],
      ["send-receipt", "completed"],
      ["follow-up-delay", "sleeping"],
    ]);

    const completed = await waitForRunState(eventId, "completed", 30_000);
    expect(completed.steps.map((step) => step.id)).toEqual([
      "create-order",
      "reserve-inventory",
      "process-payment",
      "update-order",
      "send-receipt",
      "follow-up-delay",
      "send-follow-up",
    ]);
    expect(timesLogged(`created order ${orderId}`)).toBe(1);
    expect(timesLogged(`reserved 2 units for order ${orderId}`)).toBe(1);
    expect(timesLogged(`for order ${orderId} (pay_`)).toBe(1);
    expect(timesLogged(`order ${orderId} is paid`)).toBe(1);
    expect(timesLogged(`Your receipt for ${orderId}`)).toBe(1);
    expect(timesLogged(`How is your order ${orderId}?`)).toBe(1);
  }, 90_000);

  test("a payment outage dead-letters the run and its onFailure tells the customer; awl events retry completes it without repeating finished steps; awl events rerun --from-step sends the receipt again without charging again", async () => {
    await setOutage("unauthorized");
    const eventId = (
      await awl("send", "checkout", "--data", JSON.stringify({ ...cart, cartId: "cart_e2e_2" }))
    ).trim();
    const orderId = `ord_${eventId.slice(-12)}`;

    const dead = await waitForRunState(eventId, "dead-lettered", 30_000);
    expect(dead.lastError).toMatchObject({ name: "ErrorDoNotRetry", step: "process-payment" });
    const finished = dead.steps.filter((step) => step.status === "completed");
    expect(finished.map((step) => step.id)).toEqual(["create-order", "reserve-inventory"]);
    const listed = JSON.parse(
      await awl("events", "list", "--state", "dead-lettered", "--json"),
    ) as EventSummary[];
    expect(listed.map((event) => event.id)).toEqual([eventId]);
    // The dead-lettering emitted awl:run-failed, whose run is checkout's onFailure handler.
    expect(dead.failureEventId).toBeDefined();
    const handler = await waitForRunState(dead.failureEventId!, "completed", 30_000);
    expect(handler.workload).toBe("checkout:on-failure");
    expect(timesLogged("We could not complete your order for cart cart_e2e_2")).toBe(1);

    await setOutage("up");
    await awl("events", "retry", eventId);
    const completed = await waitForRunState(eventId, "completed", 45_000);
    expect(completed.manualRetries).toBe(1);
    // The steps that had completed kept their records: they were replayed, not run again.
    for (const step of finished) {
      expect(completed.steps.find((s) => s.id === step.id)).toMatchObject({ startedAt: step.startedAt });
    }
    expect(completed.steps.at(-1)).toMatchObject({ id: "send-follow-up", status: "completed" });
    expect(timesLogged(`created order ${orderId}`)).toBe(1);
    expect(timesLogged(`for order ${orderId} (pay_`)).toBe(1);
    expect(timesLogged(`How is your order ${orderId}?`)).toBe(1);

    expect(JSON.parse(await awl("events", "list", "--state", "dead-lettered", "--json"))).toEqual([]);
    expect((await runOf(eventId)).state).toBe("completed");

    // The receipt template had a bug: re-run from send-receipt. The payment is replayed, not repeated.
    await awl("events", "rerun", completed.id, "--from-step", "send-receipt");
    const rerun = await waitFor(
      async () => {
        const run = await runOf(eventId);
        const again = run.steps.find((step) => step.id === "send-follow-up");
        return run.state === "completed" && again && again.startedAt! > completed.finishedAt!
          ? run
          : undefined;
      },
      { timeoutMs: 45_000, intervalMs: 150, what: `the re-run of ${eventId} to complete` },
    );
    expect(rerun.attempts.some((attempt) => attempt.outcome === "rerun")).toBe(true);
    expect(timesLogged(`Your receipt for ${orderId}`)).toBe(2);
    expect(timesLogged(`for order ${orderId} (pay_`)).toBe(1);
    expect(timesLogged(`How is your order ${orderId}?`)).toBe(2);
  }, 180_000);

  test("a refund waits for its approval: an approval that does not cover it leaves it waiting, one that does wakes it; a waiting refund is cancelled through the API", async () => {
    const refundId = `r_${randomBytes(4).toString("hex")}`;
    const requested = await sendEvent("refund.requested", { refundId, email: "ada@example.com", amount: 25 });
    const waiting = await waitForRunState(requested, "sleeping", 30_000);
    expect(waiting.steps.map((step) => [step.id, step.status])).toEqual([
      ["ask-approver", "completed"],
      ["approval", "waiting"],
    ]);
    expect(waiting.steps[1]!.waitFor).toEqual({
      event: "refund.approved",
      match: "data.refundId",
      value: refundId,
      if: "event.data.amount >= async.data.amount",
    });

    // Too small: routed (no workload runs for it), and the refund waits on.
    const partial = await sendEvent("refund.approved", { refundId, amount: 10, by: "intern" });
    await waitForEventState(partial, "unmatched");
    expect((await runOf(requested)).state).toBe("sleeping");
    const approval = await sendEvent("refund.approved", { refundId, amount: 25, by: "grace" });
    const completed = await waitForRunState(requested, "completed", 30_000);
    expect(completed.steps.map((step) => step.id)).toEqual(["ask-approver", "approval", "tell-approved"]);
    expect(completed.steps[1]).toMatchObject({ status: "completed", eventId: approval });
    expect(timesLogged(`Refund ${refundId} of 25 approved by grace`)).toBe(1);
    expect(timesLogged(`approved by intern`)).toBe(0);

    const withdrawn = `r_${randomBytes(4).toString("hex")}`;
    const other = await sendEvent("refund.requested", {
      refundId: withdrawn,
      email: "ada@example.com",
      amount: 5,
    });
    await waitForRunState(other, "sleeping", 30_000);
    const cancel = await api("POST", "/events/cancel", { eventIds: [other], by: "e2e", reason: "withdrawn" });
    expect(cancel).toMatchObject({ status: 200, body: { cancelled: 1 } });
    const cancelled = await runOf(other);
    expect(cancelled).toMatchObject({ state: "cancelled", cancellation: { by: "e2e", reason: "withdrawn" } });
    expect(cancelled.steps.find((step) => step.id === "approval")?.status).toBe("cancelled");
    // Its approval comes too late: nothing wakes.
    await waitForEventState(
      await sendEvent("refund.approved", { refundId: withdrawn, amount: 5, by: "grace" }),
      "unmatched",
    );
    expect(await runOf(other)).toMatchObject({ state: "cancelled" });
    expect(timesLogged(`Refund ${withdrawn}`)).toBe(1);
  }, 90_000);
});

describe("netlify build --offline", () => {
  const functionsDir = join(ROOT, ".netlify/functions");

  /** Unzips one deployed function and runs `script` against its module in a bare environment. */
  async function runDeployed(name: string, script: string, env: Record<string, string> = {}) {
    const dir = join(work, name);
    const zip = new StreamZip.async({ file: join(functionsDir, `${name}.zip`) });
    const entries = Object.keys(await zip.entries());
    await zip.close();
    // As the platform unpacks it, links included (the workspace's @awl/client is one).
    await unzipWithLinks(join(functionsDir, `${name}.zip`), dir);
    const main = entries.find((entry) => !entry.includes("node_modules") && entry.endsWith(`/${name}.mjs`));
    expect(main, `${name}.zip holds its function`).toBeDefined();
    const { stdout } = await run(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `const fn = await import(${JSON.stringify(join(dir, main!))});\n${script}`,
      ],
      { env: { PATH: process.env.PATH ?? "", ...env }, cwd: dir },
    );
    return JSON.parse(stdout) as Record<string, unknown>;
  }

  test("the output holds the injected functions and the generated router, which run on their own", async () => {
    // Not in the repository's root directory: netlify-cli would ask which workspace package to build.
    const build = startProcess(process.execPath, [NETLIFY_BIN, "build", "--offline", "--cwd", ROOT], {
      cwd: tmpdir(),
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmpdir(), CI: "true" },
    });
    try {
      expect(await build.exited, build.output()).toBe(0);
    } finally {
      await build.stop();
    }
    expect(build.output()).toContain("Async Workloads: 5 workloads");

    const manifest = JSON.parse(readFileSync(join(functionsDir, "manifest.json"), "utf8")) as {
      functions: { name: string; routes?: { pattern: string }[]; schedule?: string; generator?: string }[];
    };
    const byName = new Map(manifest.functions.map((fn) => [fn.name, fn]));
    expect(byName.get("awl_api")?.routes?.map((route) => route.pattern)).toEqual(["/awl/api/*"]);
    expect(byName.get("awl_reconcile")?.schedule).toBe("* * * * *");
    expect(byName.get("awl-router")?.generator).toBe("async-workloads-upstash");
    expect(byName.get("awl-workload-hello")?.generator).toBe("async-workloads-upstash");
    for (const workload of ["checkout", "signup", "enterprise-report", "hello", "refund"])
      expect(byName.has(workload)).toBe(true);

    const router = await runDeployed(
      "awl-router",
      `const response = await fn.default(new Request("http://site/.netlify/functions/awl-router", { method: "POST" }));
       // Each entry keeps its whole definition (spec) for the workload manifest: only whether it is there is compared.
       const registry = fn.registry.map(({ spec, ...entry }) => ({ ...entry, spec: spec !== undefined }));
       console.log(JSON.stringify({ registry, status: response.status, body: await response.json() }));`,
    );
    expect(router.registry).toEqual([
      {
        name: "checkout",
        events: ["checkout"],
        maxRetries: 4,
        url: "/.netlify/functions/checkout",
        onFailure: true,
        spec: true,
      },
      {
        name: "enterprise-report",
        events: ["report.requested"],
        maxRetries: 4,
        url: "/.netlify/functions/enterprise-report",
        spec: true,
      },
      {
        name: "hello",
        events: ["hello"],
        maxRetries: 4,
        url: "/.netlify/functions/awl-workload-hello",
        spec: true,
      },
      {
        name: "refund",
        events: ["refund.requested"],
        maxRetries: 4,
        url: "/.netlify/functions/refund",
        spec: true,
      },
      {
        name: "signup",
        events: ["user.signup"],
        maxRetries: 4,
        url: "/.netlify/functions/signup",
        spec: true,
      },
    ]);
    // Without Upstash credentials the injected functions say exactly what is missing.
    expect(router.status).toBe(500);
    expect((router.body as { error: string }).error).toContain(
      "UPSTASH_REDIS_REST_URL, UPSTASH_REDIS_REST_TOKEN, QSTASH_TOKEN, QSTASH_CURRENT_SIGNING_KEY, QSTASH_NEXT_SIGNING_KEY",
    );

    const api = await runDeployed(
      "awl_api",
      `const response = await fn.default(new Request("http://site/awl/api/events", { headers: { authorization: "Bearer ${apiKey}" } }));
       console.log(JSON.stringify({ status: response.status, body: await response.json() }));`,
      { AWL_API_KEY: apiKey },
    );
    expect(api.status).toBe(500);
    expect((api.body as { error: string }).error).toContain(
      "UPSTASH_REDIS_REST_URL, UPSTASH_REDIS_REST_TOKEN",
    );
  }, 180_000);
});
