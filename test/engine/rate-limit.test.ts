/**
 * rateLimit on the real stack (awl dev over HTTP, real Redis): starts beyond the limit per key are
 * not run but end `skipped` with the reason in their history, while the event and its other runs go
 * on; the window slides; a skipped run is counted, listed, deleted and kept like a finished one, and
 * is not retried; a run once admitted is not limited again (its retries).
 */
import { expect, test } from "vitest";
import { deleteEvents, retryDeadLettered } from "../../client/src/engine/operations.ts";
import { sendEvents } from "../../client/src/engine/send.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { siteForFile, waitFor, type Host, type Stack } from "../helpers/stack.ts";

const welcomed: string[] = [];
const audited: string[] = [];
const welcome = asyncWorkload<{ tenantId: string; n: number }>(
  async ({ data, step }) => {
    await step.run("send-email", () => {
      welcomed.push(`${data.tenantId}/${data.n}`);
    });
  },
  { events: "signup", rateLimit: { limit: 2, period: "1m", key: "data.tenantId" } },
);
const audit = asyncWorkload<{ tenantId: string; n: number }>(
  async ({ data, step }) => {
    await step.run("record", () => {
      audited.push(`${data.tenantId}/${data.n}`);
    });
  },
  { events: "signup" },
);
let flaky = 0;
const flakyOnce = asyncWorkload(
  async ({ step }) => {
    await step.run("call", () => {
      flaky += 1;
      if (flaky === 1) throw new Error("the first attempt fails");
    });
  },
  { events: "flaky", rateLimit: { limit: 1, period: "1m" }, backoffSchedule: () => 50 },
);

let stack: Stack;
let host: Host;
siteForFile({ welcome, audit, flakyOnce }, (site) => ({ stack, host } = site));

const runOf = async (eventId: string, workload: string) =>
  (await stack.runtime.store.getEvent(eventId))?.runs.find((run) => run.workload === workload);

test("starts beyond the limit per key are skipped with the reason; the event's other runs are unaffected", async () => {
  const sent = await sendEvents(host.runtime, [
    ...Array.from({ length: 5 }, (_, n) => ({ name: "signup", data: { tenantId: "tenant-a", n } })),
    { name: "signup", data: { tenantId: "tenant-b", n: 0 } },
  ]);
  const ids = sent.map((result) => result.eventId);
  const events = await waitFor(
    async () => {
      const all = await Promise.all(ids.map((id) => stack.runtime.store.getEvent(id)));
      return all.every((event) => event && ["completed", "skipped"].includes(event.state)) && all;
    },
    { what: "the six events to finish" },
  );
  // Two of tenant-a's five ran, and tenant-b's; the audit workload ran for all six events.
  expect(welcomed.filter((w) => w.startsWith("tenant-a/"))).toHaveLength(2);
  expect(welcomed.filter((w) => w.startsWith("tenant-b/"))).toEqual(["tenant-b/0"]);
  expect(audited).toHaveLength(6);
  const skipped = events.flatMap((event) => event!.runs.filter((run) => run.state === "skipped"));
  expect(skipped).toHaveLength(3);
  for (const run of skipped) {
    expect(run.workload).toBe("welcome");
    expect(run.steps).toEqual([]);
    expect(run.attempts).toEqual([
      expect.objectContaining({
        attempt: 1,
        outcome: "skipped",
        warning: "rateLimit 2 per 1m for key tenant-a exceeded",
      }),
    ]);
  }
  // An event with a skipped run says so (its audit run completed), and is found by the state.
  const skippedEvents = events.filter((event) => event!.state === "skipped").map((event) => event!.id);
  expect(skippedEvents).toHaveLength(3);
  expect(new Set(await stack.runtime.store.eventIdsIn({ state: "skipped", name: "signup" }))).toEqual(
    new Set(skippedEvents),
  );
  expect((await stack.runtime.store.stats()).states.skipped).toBe(3);

  // Kept as long as a completed run, then gone.
  const retention = stack.runtime.store.settings.completedRetentionMs;
  const ttl = await stack.redis.pttl(`${stack.prefix}run:${skipped[0]!.id}`);
  expect(ttl).toBeGreaterThan(0);
  expect(ttl).toBeLessThanOrEqual(retention);

  // Not retried: a retry selects dead-lettered runs, and a skipped run named by id is left alone.
  expect(await retryDeadLettered(host.runtime, { runIds: [skipped[0]!.id] })).toEqual({ runIds: [] });
  expect((await runOf(skipped[0]!.eventId, "welcome"))?.state).toBe("skipped");

  // Deleted by state like a finished run: the skipped runs go, their events keep the audit runs.
  expect(await deleteEvents(host.runtime, { states: ["skipped"], eventNames: ["signup"] })).toEqual({
    deleted: 0,
    deletedRuns: 3,
  });
  for (const id of skippedEvents) {
    const event = await stack.runtime.store.getEvent(id);
    expect(event?.state).toBe("completed");
    expect(event?.runs.map((run) => run.workload)).toEqual(["audit"]);
  }
});

test("the window slides: a start counts for exactly one period after it, wherever the period falls", async () => {
  const { store } = stack.runtime;
  const take = (runId: string, now: number) => store.takeRateLimit("slide:", runId, now, 1_000, 2);
  expect(await take("slide-1", 10_000)).toBe("run");
  expect(await take("slide-2", 10_010)).toBe("run");
  expect(await take("slide-3", 10_500)).toBe("skip");
  // A run once admitted is admitted again (it came back after a throttle or a debounce wait).
  expect(await take("slide-2", 10_600)).toBe("run");
  // slide-1's start leaves the window at 11,000; slide-2's is still in it until 11,010: a fixed
  // window starting at 11,000 would take two more here.
  expect(await take("slide-4", 11_000)).toBe("run");
  expect(await take("slide-5", 11_005)).toBe("skip");
  expect(await take("slide-6", 11_010)).toBe("run");
});

test("only a run's start is limited: the retry of an admitted run runs, the next event's run is skipped", async () => {
  const [first] = await sendEvents(host.runtime, [{ name: "flaky" }]);
  const run = await waitFor(
    async () => {
      const found = await runOf(first!.eventId, "flakyOnce");
      return found?.state === "completed" && found;
    },
    { what: "the flaky run to complete on its retry" },
  );
  expect(run.attempts.map((attempt) => attempt.outcome)).toEqual(["failed", "completed"]);
  const [second] = await sendEvents(host.runtime, [{ name: "flaky" }]);
  const skipped = await waitFor(
    async () => {
      const found = await runOf(second!.eventId, "flakyOnce");
      return found?.state === "skipped" && found;
    },
    { what: "the second flaky run to be skipped" },
  );
  expect(skipped.attempts[0]?.warning).toBe("rateLimit 1 per 1m exceeded");
  expect(flaky).toBe(2);
});
