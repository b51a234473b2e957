/**
 * What one run costs our users: QStash messages (read from awl dev's counters), Redis round trips
 * (every HTTP request the engine makes to the Upstash Redis REST API) and bytes stored, for
 * workloads of 1, 10 and 100 steps with no failures and no sleeps, plus send→done wall time.
 * Run: npx tsx bench/engine-cost.ts [--rounds N]   Writes bench/results/engine-cost.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { sendEvents } from "../client/src/engine/send.ts";
import { asyncWorkload } from "../client/src/workload/async-workload.ts";
import { startHost, startStack } from "../test/helpers/stack.ts";

const roundsArg = process.argv.indexOf("--rounds");
const ROUNDS = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 20;
const STEP_COUNTS = [1, 10, 100];

const stack = await startStack();
const workloads = Object.fromEntries(
  STEP_COUNTS.map((steps) => [
    `steps${steps}`,
    asyncWorkload(
      async ({ step }) => {
        for (let i = 0; i < steps; i++) await step.run(`step-${i}`, () => ({ i, note: "a small result" }));
      },
      { events: `cost-${steps}`, timeBudget: "60s" },
    ),
  ]),
);
const host = await startHost(stack, workloads);

// Count the engine's requests to the Redis REST API; completion is polled over a separate,
// uncounted connection so that measuring does not add to what is measured.
let redisRequests = 0;
const realFetch = globalThis.fetch;
globalThis.fetch = (input, init) => {
  const url = input instanceof Request ? input.url : String(input);
  if (url.startsWith(stack.redisRest.url)) redisRequests++;
  return realFetch(input, init);
};
const direct = stack.connection.redis;

async function waitDone(runId: string): Promise<void> {
  for (;;) {
    const state = await direct.hget(`${stack.prefix}run:${runId}`, "state");
    if (state === "completed") return;
    if (state === "dead-lettered") throw new Error(`${runId} dead-lettered`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const results = [];
for (const steps of STEP_COUNTS) {
  const messages: number[] = [];
  const roundTrips: number[] = [];
  const bytes: number[] = [];
  const wall: number[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const published = stack.qstash.stats().published;
    const requests = redisRequests;
    const started = performance.now();
    const [sent] = await sendEvents(host.runtime, [{ name: `cost-${steps}`, data: { round } }]);
    const runId = `${sent!.eventId}.steps${steps}`;
    await waitDone(runId);
    wall.push(performance.now() - started);
    messages.push(stack.qstash.stats().published - published);
    roundTrips.push(redisRequests - requests);
    const keys = [`ev:${sent!.eventId}`, `run:${runId}`, `run:${runId}:steps`, `run:${runId}:attempts`];
    let stored = 0;
    for (const key of keys) stored += Number((await direct.memory("USAGE", `${stack.prefix}${key}`)) ?? 0);
    bytes.push(stored);
  }
  const row = {
    steps,
    qstashMessages: median(messages),
    redisRoundTrips: median(roundTrips),
    redisRoundTripsPerStep: Number((median(roundTrips) / steps).toFixed(2)),
    bytesStored: median(bytes),
    sendToDoneMs: Number(median(wall).toFixed(1)),
    perStepMs: Number((median(wall) / steps).toFixed(2)),
  };
  results.push(row);
}

console.table(results);
mkdirSync("bench/results", { recursive: true });
writeFileSync(
  "bench/results/engine-cost.json",
  JSON.stringify({ date: new Date().toISOString(), node: process.version, rounds: ROUNDS, results }, null, 2),
);
await host.close();
await stack.close();
