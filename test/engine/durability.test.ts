/**
 * Invariants 2 and 3 under duplicate, stale and interrupted deliveries: a duplicate or stale
 * delivery changes nothing, a superseded invocation cannot write, and a host killed mid-step
 * resumes from its last checkpoint (the step that was running when it died runs again: at least
 * once, by design; the steps that completed never do).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Client } from "@upstash/qstash";
import { reconcile } from "../../client/src/engine/reconciler.ts";
import type { Runtime } from "../../client/src/engine/runtime.ts";
import { prepareEvents, sendEvents } from "../../client/src/engine/send.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import {
  eventInState,
  qstashSettled,
  startHost,
  startStack,
  waitFor,
  type Host,
  type Stack,
} from "../helpers/stack.ts";

const calls: Record<string, number> = {};
const count = (key: string) => (calls[key] = (calls[key] ?? 0) + 1);

/** Set by the test: resolves once the extra copies of the delivery have started arriving. */
let copiesArriving: () => Promise<unknown> = async () => undefined;

const workloads = {
  slow: asyncWorkload(async ({ step }) => {
    await step.run("a", async () => {
      count("slow:a");
      // Still running while the copies arrive, however slow the machine.
      await copiesArriving();
    });
    await step.run("b", () => count("slow:b"));
  }, "dup-test"),
};

let stack: Stack;
let host: Host;
let qstash: Client;

beforeAll(async () => {
  stack = await startStack();
  host = await startHost(stack, workloads);
  qstash = new Client({ baseUrl: stack.qstash.url, token: stack.qstash.token });
});
afterAll(async () => {
  await host?.close();
  await stack?.close();
});

const completed = (eventId: string) => eventInState(stack.runtime, eventId, "completed");

describe("duplicate and stale deliveries", () => {
  test("three extra copies of a run's delivery, concurrent with it, run each step once", async () => {
    // QStash attempts from here: the run's delivery (routed at send: the host knows its workloads),
    // then the three copies.
    const { attempts } = stack.qstash.stats();
    copiesArriving = () =>
      waitFor(async () => stack.qstash.stats().attempts >= attempts + 4, { what: "the copies to arrive" });
    const eventId = await sendOne(host.runtime, "dup-test");
    const runId = `${eventId}.slow`;
    const url = `${host.url}/workloads/slow`;
    await qstash.batchJSON([1, 2, 3].map(() => ({ url, body: { runId } })));
    const event = await completed(eventId);
    expect(calls["slow:a"]).toBe(1);
    expect(calls["slow:b"]).toBe(1);
    expect(event.runs[0]!.attempts.map((a) => a.outcome)).toEqual(["completed"]);

    // A stale delivery after completion: acknowledged, and nothing changes.
    const response = await fetch(url, { method: "POST", body: "{}" });
    expect(response.status).toBe(401);
    // Wait until QStash has delivered it and the host acknowledged it (a 2xx), then look.
    const { delivered } = await qstashSettled(stack);
    await qstash.publishJSON({ url, body: { runId } });
    await qstashSettled(stack, delivered + 1);
    const after = await stack.runtime.store.getEvent(eventId);
    expect(after).toEqual(event);
    expect(calls["slow:a"]).toBe(1);
  });

  test("an invocation whose lease was taken over can neither checkpoint nor record an outcome", async () => {
    const store = stack.runtime.store;
    // Persisted without routing (the router's first step), whatever the routing table holds.
    const [event] = prepareEvents([{ name: "never-routed-here" }], Date.now());
    await store.enqueue([event!], Date.now());
    const eventId = event!.id;
    await store.route(eventId, [{ name: "w", url: "http://127.0.0.1:1/w", maxRetries: 4 }], Date.now());
    const runId = `${eventId}.w`;
    const first = await store.claim(runId, Date.now(), Date.now() + 1);
    await new Promise((r) => setTimeout(r, 5));
    const second = await store.claim(runId, Date.now(), Date.now() + 60_000);
    if (first.status !== "claimed" || second.status !== "claimed")
      throw new Error("both claims should succeed");
    expect(second.generation).toBe(first.generation + 1);
    expect(second.attempt).toBe(2); // the lost invocation counts as a failed attempt
    expect(await store.checkpoint(runId, first.generation, "x", '{"status":"completed"}')).toBe(false);
    expect(await store.finish(runId, first.generation, { kind: "completed", now: Date.now() })).toBe(false);
    const run = (await store.getEvent(eventId))!.runs[0]!;
    expect(run.state).toBe("processing");
    expect(run.steps).toEqual([]);
    expect(run.attempts[0]).toMatchObject({ attempt: 1, outcome: "lease-expired" });
  });
});

describe("a host killed mid-step", () => {
  let child: ChildProcess | undefined;
  afterAll(() => {
    child?.kill("SIGKILL");
  });

  test("resumes from the last checkpoint on the next delivery; completed steps never run again", async () => {
    const port = await freePort();
    const env = {
      ...process.env,
      PORT: String(port),
      UPSTASH_REDIS_REST_URL: stack.redisRest.url,
      UPSTASH_REDIS_REST_TOKEN: stack.redisRest.token,
      QSTASH_URL: stack.qstash.url,
      QSTASH_TOKEN: stack.qstash.token,
      QSTASH_CURRENT_SIGNING_KEY: stack.qstash.currentSigningKey,
      QSTASH_NEXT_SIGNING_KEY: stack.qstash.nextSigningKey,
      AWL_PREFIX: stack.prefix,
      AWL_ROUTER_URL: `http://127.0.0.1:${port}/router`,
      AWL_LEASE_MARGIN: "300",
    };
    const startChild = async () => {
      const proc = spawn(
        process.execPath,
        ["--conditions=@awl/source", "--import", "tsx", "test/helpers/child-host.ts"],
        {
          env,
          stdio: ["ignore", "pipe", "inherit"],
        },
      );
      await new Promise<void>((resolve, reject) => {
        proc.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("ready") && resolve());
        proc.on("exit", (code) => reject(new Error(`host exited with ${code}`)));
      });
      return proc;
    };
    child = await startChild();
    const runtime = { ...stack.runtime, routerUrl: env.AWL_ROUTER_URL };
    // The child is another site on this prefix: the routing table the first host's router
    // published is not its own, so the event goes to the child's router.
    await stack.redis.del(stack.runtime.store.keys.routingTable);
    const eventId = await sendOne(runtime, "kill-test");
    const counter = (name: string) => stack.redis.get<string>(`${stack.prefix}test:${name}`);
    await waitFor(() => counter("hanging"), { what: "step two to start" });
    child.kill("SIGKILL");
    child = await startChild();
    // The lease (200 ms budget + 300 ms margin) expires; the reconciler finds the run and republishes it.
    await waitFor(
      async () => {
        await reconcile(runtime);
        const event = await stack.runtime.store.getEvent(eventId);
        return event?.state === "completed" ? event : undefined;
      },
      { what: "the run to complete after the kill", intervalMs: 250 },
    );
    expect(await counter("one")).toBe("1");
    expect(await counter("two")).toBe("2");
    expect(await counter("three")).toBe("1");
  });
});

async function sendOne(runtime: Runtime, name: string): Promise<string> {
  const [result] = await sendEvents(runtime, [{ name }]);
  return result!.eventId;
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe("the router's registry", () => {
  test("refuses a workload named like the engine's internal one", async () => {
    const { createRouterHandler } = await import("../../client/src/workload/router-function.ts");
    expect(() =>
      createRouterHandler([{ name: "awl-operations", events: ["x"], maxRetries: 1, url: "/x" }]),
    ).toThrow(/"awl-operations" is reserved/);
  });
});
