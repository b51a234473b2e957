/**
 * `npx tsx bench/experiments/dashboard-cost.ts`: what the dashboard's reads cost in Upstash terms,
 * on 100,000 stored events over 5 names, 1,000 of them dead-lettered, 20 of those checkouts:
 * - one page of `listEvents({ state: "dead-lettered", name: "checkout", limit: 20 })`;
 * - `eventIdsIn` for the same (the ids a bulk retry or delete acts on);
 * - `stats()` (the counts per state and per name).
 * Prints REST round trips, the Redis commands each ran (INFO commandstats deltas on the local
 * Redis, so run it on a quiet machine) and the wall time, the median of 5.
 */
import { startStack } from "../../test/helpers/stack.ts";

const EVENTS = 100_000;
const NAMES = ["checkout", "signup", "report", "email", "sync"];

const stack = await startStack();
const redis = stack.connection.redis;
const keys = stack.runtime.store.keys;
const now = Date.now();
const data = JSON.stringify({ cart: "x".repeat(1000) });
for (let start = 0; start < EVENTS; start += 5000) {
  const seed = redis.pipeline();
  for (let i = start; i < Math.min(EVENTS, start + 5000); i++) {
    // Written as the engine's scripts leave a finished event: its record, tally and indexes.
    const id = `evt_bench${String(i).padStart(6, "0")}`;
    const name = i % 5000 === 0 ? "checkout" : NAMES[1 + (i % 4)]!;
    const state = i % 100 === 0 ? "dead-lettered" : "completed";
    const createdAt = now - i;
    seed.hset(keys.event(id), {
      id,
      name,
      displayName: name,
      createdAt,
      data,
      routedAt: createdAt,
      [`n:${state}`]: 1,
    });
    seed.zadd(keys.allEvents, createdAt, id);
    seed.zadd(keys.eventsByName(name), createdAt, id);
    seed.zadd(keys.eventsByState(state), createdAt, id);
    seed.zadd(keys.eventsByNameAndState(state, name), createdAt, id);
    seed.sadd(keys.eventNames, name);
  }
  await seed.exec();
}

async function commandCalls(): Promise<Record<string, number>> {
  const info = await redis.info("commandstats");
  const calls: Record<string, number> = {};
  for (const line of info.split("\n")) {
    const match = /^cmdstat_([a-z|]+):calls=(\d+)/.exec(line.trim());
    if (match) calls[match[1]!] = Number(match[2]);
  }
  return calls;
}

let roundTrips = 0;
const fetchBefore = globalThis.fetch;
globalThis.fetch = (input, init) => {
  if (String(input instanceof Request ? input.url : input).startsWith(stack.redisRest.url)) roundTrips++;
  return fetchBefore(input, init);
};

async function measure(what: string, run: () => Promise<number>): Promise<void> {
  await run(); // loads the script into Redis's cache, as a running site has
  const before = await commandCalls();
  roundTrips = 0;
  const found = await run();
  const trips = roundTrips;
  const after = await commandCalls();
  const commands = Object.fromEntries(
    Object.entries(after)
      .map(([name, calls]) => [name, calls - (before[name] ?? 0)] as const)
      .filter(([name, calls]) => calls > 0 && name !== "info"),
  );
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  const ms = Math.round(times.sort((a, b) => a - b)[2]!);
  console.log(JSON.stringify({ what, found, roundTrips: trips, commands, ms }));
}

const query = { state: "dead-lettered", name: "checkout" } as const;
await measure("one page of 20 dead-lettered checkouts", async () => {
  return (await stack.runtime.store.listEvents({ ...query, limit: 20 })).events.length;
});
await measure("every dead-lettered checkout id (bulk)", async () => {
  return (await stack.runtime.store.eventIdsIn(query)).length;
});
await measure("stats", async () => (await stack.runtime.store.stats()).names.length);
await stack.close();
