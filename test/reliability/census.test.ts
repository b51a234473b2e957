/**
 * The census counts what it reads at one moment: an event routed while the census reads it is
 * counted as it was (not routed, so lost), never as "completed with no runs" from a run list read
 * before the routing and a record read after it. The routing is made to happen right after the
 * census's first read of Redis, whatever that read is.
 */
import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, expect, test } from "vitest";
import { engineKeys } from "../../client/src/engine/keys.ts";
import { takeCensus } from "./support/census.ts";

// The shared Redis, under a prefix of this test's own (removed afterwards).
const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { lazyConnect: false });
const prefix = `awltest:census:${randomBytes(4).toString("hex")}:`;
const keys = engineKeys(prefix);

afterAll(async () => {
  const left = await redis.keys(`${prefix}*`);
  if (left.length) await redis.del(...left);
  redis.disconnect();
});

/** The client, except that `after` runs once, right after the first command or pipeline answers. */
function firstReadThen(client: Redis, after: () => Promise<unknown>): Redis {
  let pending: (() => Promise<unknown>) | undefined = after;
  const fire = async <T>(value: T): Promise<T> => {
    const run = pending;
    pending = undefined;
    if (run) await run();
    return value;
  };
  return new Proxy(client, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        if (property === "pipeline" || property === "multi") {
          const batch = result as { exec: () => Promise<unknown> };
          const exec = batch.exec.bind(batch);
          batch.exec = () => exec().then(fire);
          return batch;
        }
        return result instanceof Promise ? result.then(fire) : result;
      };
    },
  });
}

test("an event routed while the census reads it is not counted completed", async () => {
  const eventId = "evt_census_race";
  const runId = `${eventId}.w`;
  // As enqueue leaves it: accepted, pending, not routed.
  await redis.hset(keys.event(eventId), { id: eventId, name: "race", createdAt: "1", "n:pending": "1" });
  // As route leaves it: a pending run, and the event's tally counting it.
  const route = () =>
    redis
      .multi()
      .hset(keys.run(runId), { id: runId, eventId, state: "pending", generation: "0", attempt: "1" })
      .hset(keys.event(eventId), { routedAt: "2", runs: runId })
      .exec();

  const census = await takeCensus(firstReadThen(redis, route), prefix, [eventId]);
  expect(census).toMatchObject({ accepted: 1, completed: 0, deadLettered: 0, lost: 1 });
  // Once routed, the census sees the run it waits for.
  expect(await takeCensus(redis, prefix, [eventId])).toMatchObject({
    active: 1,
    completed: 0,
    lost: 1,
    runs: 1,
  });
});
