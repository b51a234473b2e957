/**
 * `npx tsx bench/experiments/listing-cost.ts`: what the dashboard's "dead-lettered checkouts" costs
 * in Upstash terms. 1,000 dead-lettered events (1 KB of data each), 20 of them checkouts; then one
 * page of `listEvents({ state, name, limit: 20 })` and one `eventIdsIn({ state, name })` (the ids
 * a bulk retry or delete acts on). Prints REST round trips and the Redis commands each ran (INFO
 * commandstats deltas on the local Redis, so run it on a quiet machine), and the wall time.
 */
import { startStack } from "../../test/helpers/stack.ts";

const stack = await startStack();
const redis = stack.connection.redis;
const now = Date.now();
const data = JSON.stringify({ cart: "x".repeat(1000) });
const seed = redis.pipeline();
for (let i = 0; i < 1000; i++) {
  const id = `evt_bench${String(i).padStart(5, "0")}`;
  const name = i % 50 === 7 ? "checkout" : "signup";
  const createdAt = now - i;
  seed.hset(stack.runtime.store.keys.event(id), {
    id,
    name,
    displayName: name,
    createdAt,
    data,
    routedAt: createdAt,
    runs: `${id}.w`,
    "n:dead-lettered": 1,
  });
  seed.zadd(stack.runtime.store.keys.eventsByState("dead-lettered"), createdAt, id);
  seed.zadd(stack.runtime.store.keys.eventsByName(name), createdAt, id);
  seed.zadd(stack.runtime.store.keys.allEvents, createdAt, id);
}
await seed.exec();

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
  const started = performance.now();
  const found = await run();
  const ms = Math.round(performance.now() - started);
  const after = await commandCalls();
  const commands = Object.fromEntries(
    Object.entries(after)
      .map(([name, calls]) => [name, calls - (before[name] ?? 0)] as const)
      .filter(([name, calls]) => calls > 0 && name !== "info"),
  );
  console.log(JSON.stringify({ what, found, roundTrips, commands, ms }));
}

const query = { state: "dead-lettered", name: "checkout" } as const;
await measure(
  "one page of 20",
  async () => (await stack.runtime.store.listEvents({ ...query, limit: 20 })).events.length,
);
await measure("every id (bulk)", async () => (await stack.runtime.store.eventIdsIn(query)).length);
await stack.close();
