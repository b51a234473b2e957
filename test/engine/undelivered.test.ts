/**
 * A run whose workload function never answers the engine (its URL answers 404, as a function that
 * is gone does): every delivery QStash gives up on is a failed attempt with the HTTP status and a
 * body excerpt as its error, retried and dead-lettered like any other, on the real local stack
 * (awl dev's QStash emulator, its failure callbacks, real Redis).
 */
import { serve, type ServerType } from "@hono/node-server";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createRouterHandler } from "../../client/src/workload/router-function.ts";
import type { Runtime } from "../../client/src/engine/runtime.ts";
import { sendEvents } from "../../client/src/engine/send.ts";
import type { EventState } from "../../client/src/engine/types.ts";
import { startStack, waitFor, type Stack } from "../helpers/stack.ts";

let stack: Stack;
let server: ServerType;
let runtime: Runtime;
const hits: string[] = [];

/** Each attempt waits for QStash's retries and the default backoff (about 5 s): longer than usual. */
const inState = (eventId: string, state: EventState) =>
  waitFor(
    async () => {
      const event = await runtime.store.getEvent(eventId);
      return event?.state === state ? event : undefined;
    },
    { timeoutMs: 30_000, what: `event ${eventId} to be ${state}` },
  );

beforeAll(async () => {
  // A short grace makes QStash's own retries of a run's delivery short too (they fit inside it).
  stack = await startStack({ settings: { outboxGraceMs: 1600 } });
  runtime = { ...stack.runtime };
  const router = createRouterHandler(
    [{ name: "vanished", events: ["vanish"], maxRetries: 1, url: "/workloads/vanished" }],
    runtime,
  );
  const url = await new Promise<string>((resolve) => {
    server = serve(
      {
        hostname: "127.0.0.1",
        port: 0,
        fetch: (request: Request) => {
          const path = new URL(request.url).pathname;
          hits.push(path);
          if (path === "/router") return router(request);
          return new Response("no function here: vanished was removed", { status: 404 });
        },
      },
      (info) => resolve(`http://127.0.0.1:${info.port}`),
    );
  });
  runtime.routerUrl = `${url}/router`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server?.close(() => resolve()));
  await stack?.close();
});

test(
  "a run whose function answers 404 fails its attempts with the status and body, and is dead-lettered",
  { timeout: 45_000 },
  async () => {
    const [sent] = await sendEvents(runtime, [{ name: "vanish" }]);
    const event = await inState(sent!.eventId, "dead-lettered");
    const [run] = event.runs;
    expect(run).toMatchObject({ state: "dead-lettered", attempt: 2 });
    expect(run!.attempts.map((attempt) => [attempt.attempt, attempt.outcome])).toEqual([
      [1, "failed"],
      [2, "dead-lettered"],
    ]);
    for (const attempt of run!.attempts) {
      expect(attempt.error?.name).toBe("DeliveryFailed");
      expect(attempt.error?.message).toMatch(/HTTP 404/);
      expect(attempt.error?.message).toContain("no function here: vanished was removed");
    }
    expect(run!.lastError?.message).toMatch(/^HTTP 404 .*\/workloads\/vanished/);
    // QStash tried each published delivery 4 times (its 3 retries) before it gave up on it.
    expect(hits.filter((path) => path === "/workloads/vanished")).toHaveLength(8);
  },
);

test("a failed delivery of an older generation changes nothing", { timeout: 45_000 }, async () => {
  const [sent] = await sendEvents(runtime, [{ name: "vanish" }]);
  const routed = await inState(sent!.eventId, "delayed");
  const runId = routed.runs[0]!.id;
  // Generation 0 was the first delivery's, which already counted (and moved the run on).
  const answer = await runtime.store.failDelivery(
    runId,
    0,
    { name: "DeliveryFailed", message: "again" },
    Date.now(),
    () => 1,
  );
  expect(answer).toEqual({ status: "stale" });
  const after = await runtime.store.getEvent(sent!.eventId);
  expect(after!.runs[0]!.attempts).toHaveLength(1);
});
