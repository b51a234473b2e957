/**
 * Priority among runs waiting for a throttle's start, on the real stack (awl dev over HTTP, real
 * Redis): higher priority starts first (measured from inside the steps), and aging lets a
 * low-priority run start under a stream of higher-priority ones (the throttle's own script, driven
 * with a simulated clock: the stream would otherwise take tens of seconds).
 */
import { expect, test } from "vitest";
import { waitOrder } from "../../client/src/engine/concurrency.ts";
import { sendEvents } from "../../client/src/engine/send.ts";
import { THROTTLE_CALL_AHEAD_MS } from "../../client/src/engine/throttle.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { siteForFile, waitFor, type Host, type Stack } from "../helpers/stack.ts";

const starts: { priority: number; at: number }[] = [];
const throttled = asyncWorkload(
  async ({ priority, step }) => {
    await step.run("call-api", () => {
      starts.push({ priority, at: Date.now() });
    });
  },
  { events: "priority.throttled", throttle: { limit: 1, period: "200ms" } },
);

let stack: Stack;
let host: Host;
siteForFile({ throttled }, (site) => ({ stack, host } = site));

test("under a throttle of 1 per 200 ms, of 10 events sent together the higher priority starts first", async () => {
  // Lowest priority first: first come, first served would start them in exactly the wrong order.
  const priorities = [-40, -30, -20, -10, 0, 5, 10, 20, 30, 40];
  await sendEvents(
    host.runtime,
    priorities.map((priority) => ({ name: "priority.throttled", priority })),
  );
  await waitFor(async () => starts.length === priorities.length, {
    timeoutMs: 20_000,
    what: "the ten runs to start",
  });
  const order = [...starts].sort((a, b) => a.at - b.at);
  // The first run to arrive starts at once (nothing waits yet); every later start goes to the
  // highest priority still waiting.
  expect(order.slice(1).map((start) => start.priority)).toEqual(
    priorities.filter((p) => p !== order[0]!.priority).sort((a, b) => b - a),
  );
  // Priority changes the order, not the rate: starts are given on a grid 200 ms apart, each measured
  // a little after its time (a late one does not push the grid back), so the tenth start is at
  // least 9 x 200 ms after the first, less the first one's own lag.
  expect(order.at(-1)!.at - order[0]!.at).toBeGreaterThanOrEqual(1_700);
});

test("aging: a low-priority run under a stream of higher-priority ones starts after ten seconds' worth of them", async () => {
  const { store } = stack.runtime;
  const interval = 1_000;
  const key = "aging:stream";
  const created: string[] = [];
  const arrive = async (id: string) => {
    created.push(id);
    await stack.redis.hset(`${stack.prefix}run:${id}`, { state: "pending", url: "u", generation: 0 });
  };
  // Simulated time: a priority-1 run arrives every 800 ms (faster than the rate), the priority-0 run once
  // at 0; each called run comes at its time. Runs are taken in time order, as deliveries come.
  const due: { at: number; id: string; priority: number }[] = [];
  const started = new Map<string, number>();
  const priorityOf = new Map<string, number>();
  for (let n = 0; n * 800 < 30_000; n++) {
    priorityOf.set(`high-${n}`, 1);
    due.push({ at: n * 800, id: `high-${n}`, priority: 1 });
  }
  priorityOf.set("low", 0);
  due.push({ at: 0, id: "low", priority: 0 });
  const firstWait = new Map<string, number>();
  for (let steps = 0; !started.has("low") && steps < 5_000; steps++) {
    due.sort((a, b) => a.at - b.at || a.id.localeCompare(b.id));
    const { at, id, priority } = due.shift()!;
    // A run called again (given a better slot) has a stale delivery left: it finds the run started.
    if (started.has(id)) continue;
    if (!created.includes(id)) await arrive(id);
    if (!firstWait.has(id)) firstWait.set(id, at);
    const now = 1_000_000 + at;
    const order = waitOrder(now, priority);
    const verdict = await store.takeThrottle(key, id, now, interval, order, THROTTLE_CALL_AHEAD_MS, "take");
    if (verdict.kind === "run") {
      started.set(id, at);
      await stack.redis.hset(`${stack.prefix}run:${id}`, { state: "completed" });
    }
    if (verdict.kind === "park") due.push({ at: verdict.at! - 1_000_000, id, priority });
    for (const call of verdict.calls) {
      const called = call.target.runId;
      due.push({ at: call.at - 1_000_000, id: called, priority: priorityOf.get(called)! });
    }
  }
  const lowAt = started.get("low");
  expect(lowAt).toBeDefined();
  // One point of priority is ten seconds of waiting: every run of priority 1 that began waiting
  // less than ten seconds after the low one started before it, and none that began later.
  for (const [id, startedAt] of started) {
    if (id === "low") continue;
    const waitedFrom = firstWait.get(id)!;
    if (waitedFrom < 10_000) expect(startedAt).toBeLessThanOrEqual(lowAt!);
  }
  const later = [...firstWait].filter(([id, from]) => id !== "low" && from > 10_000);
  expect(later.length).toBeGreaterThan(0);
  for (const [id] of later)
    expect(started.has(id) ? started.get(id)! : Infinity).toBeGreaterThanOrEqual(lowAt!);
  // The stream never stopped: the low run started while higher-priority runs were still waiting.
  expect(later.some(([id]) => !started.has(id))).toBe(true);
  // And starts stayed one interval apart throughout.
  const times = [...started.values()].sort((a, b) => a - b);
  for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(interval);
});
