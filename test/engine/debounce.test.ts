/**
 * Debounce on the real stack (awl dev over HTTP, real Redis): a burst of events with one key runs
 * once, with the last event's data; other keys are debounced apart.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { sendEvents } from "../../client/src/engine/send.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { startHost, startStack, waitFor, type Host, type Stack } from "../helpers/stack.ts";

const ran: { key: string; n: number }[] = [];
const debounced = asyncWorkload<{ key: string; n: number }>(
  async ({ data, step }) => {
    await step.run("reindex", () => {
      ran.push(data);
    });
  },
  { events: "document.changed", debounce: { period: "1s", key: "data.key" } },
);

let stack: Stack;
let host: Host;

beforeAll(async () => {
  stack = await startStack();
  host = await startHost(stack, { debounced });
});
afterAll(async () => {
  await host?.close();
  await stack?.close();
});

test("50 events in a burst with one debounce key run once, with the last event's data", async () => {
  const burst = Array.from({ length: 50 }, (_, n) => ({
    name: "document.changed",
    data: { key: "doc-1", n },
  }));
  const ids: string[] = [];
  // One at a time, as a burst of edits comes: "last" is the last one sent.
  for (const event of burst) ids.push(...(await sendEvents(host.runtime, [event])).map((r) => r.eventId));
  await sendEvents(host.runtime, [{ name: "document.changed", data: { key: "doc-2", n: 0 } }]);
  const settled = async () => {
    const events = await Promise.all(ids.map((id) => stack.runtime.store.getEvent(id)));
    return events.every((event) => event?.state === "completed") ? events : undefined;
  };
  const events = await waitFor(settled, { timeoutMs: 30_000, intervalMs: 100, what: "the burst to settle" });
  await waitFor(async () => ran.some((r) => r.key === "doc-2"), { what: "the other key's run" });
  expect(ran.filter((r) => r.key === "doc-1")).toEqual([{ key: "doc-1", n: 49 }]);
  expect(ran.filter((r) => r.key === "doc-2")).toEqual([{ key: "doc-2", n: 0 }]);
  // The 49 earlier events' runs ended without running, each saying so.
  const outcomes = events.map((event) => event!.runs[0]!.attempts.at(-1)!.outcome);
  expect(outcomes.filter((o) => o === "debounced")).toHaveLength(49);
  expect(outcomes.at(-1)).toBe("completed");
});
