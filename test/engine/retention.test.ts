/**
 * Retention: finished runs do not stay in Redis forever (completed after `completedRetentionMs`,
 * dead-lettered after `deadLetteredRetentionMs`), while an event with an active run never expires,
 * and a retried dead letter is kept again until it finishes.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { sendEvents } from "../../client/src/engine/send.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { ErrorDoNotRetry } from "../../client/src/engine/errors.ts";
import type { EventState } from "../../client/src/engine/types.ts";
import { eventInState, startHost, startStack, type Host, type Stack } from "../helpers/stack.ts";

const COMPLETED_MS = 60_000;
const DEAD_MS = 120_000;

let stack: Stack;
let host: Host;

beforeAll(async () => {
  stack = await startStack({
    settings: { completedRetentionMs: COMPLETED_MS, deadLetteredRetentionMs: DEAD_MS },
  });
  host = await startHost(stack, {
    ok: asyncWorkload(async ({ step }) => void (await step.run("a", () => 1)), "retain-ok"),
    bad: asyncWorkload(async () => {
      throw new ErrorDoNotRetry("no");
    }, "retain-bad"),
  });
});
afterAll(async () => {
  await host?.close();
  await stack?.close();
});

async function finished(name: string, state: EventState) {
  const [sent] = await sendEvents(host.runtime, [{ name }]);
  const eventId = sent!.eventId;
  await eventInState(stack.runtime, eventId, state);
  return eventId;
}

const ttl = (key: string) => stack.connection.redis.pttl(`${stack.prefix}${key}`);

test("a completed run and its event expire after the completed retention", async () => {
  const eventId = await finished("retain-ok", "completed");
  for (const key of [
    `ev:${eventId}`,
    `run:${eventId}.ok`,
    `run:${eventId}.ok:steps`,
    `run:${eventId}.ok:attempts`,
  ]) {
    const left = await ttl(key);
    expect(left).toBeGreaterThan(COMPLETED_MS - 10_000);
    expect(left).toBeLessThanOrEqual(COMPLETED_MS);
  }
});

test("a dead-lettered run is kept for the longer dead-letter retention, and kept for good once retried", async () => {
  const eventId = await finished("retain-bad", "dead-lettered");
  const left = await ttl(`run:${eventId}.bad`);
  expect(left).toBeGreaterThan(COMPLETED_MS);
  expect(left).toBeLessThanOrEqual(DEAD_MS);
  expect(await ttl(`ev:${eventId}`)).toBeGreaterThan(COMPLETED_MS);

  await stack.runtime.store.retryRuns([`${eventId}.bad`], Date.now());
  expect(await ttl(`run:${eventId}.bad`)).toBe(-1);
  expect(await ttl(`ev:${eventId}`)).toBe(-1);
});
