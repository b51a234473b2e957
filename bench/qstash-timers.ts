/**
 * Timer accuracy of the `awl dev` QStash server alone: 500 messages published with delays spread
 * over 2-5 s to a local receiver, against the real Redis (REDIS_URL, default 127.0.0.1:6379).
 * The measurement lives in scenarios/emulator-timers.ts, which `npm run bench` also runs.
 *
 *   npx tsx bench/qstash-timers.ts      (or: npm run bench:timers)
 *
 * Prints p50/p99/max and writes bench/results/qstash-timers.json.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { load, machine } from "./lib/machine.ts";
import { measureQStashTimers } from "./scenarios/emulator-timers.ts";

const result = await measureQStashTimers({ messages: 500, minDelayMs: 2000, maxDelayMs: 5000 });
const { latenessMs: lateness, latenessFromPublisherClockMs: fromPublisher } = result;
console.log(`qstash timers: ${result.delivered}/${result.messages} delivered, delays 2000-5000 ms`);
console.log(`lateness vs scheduled time (ms): p50 ${lateness.p50}  p99 ${lateness.p99}  max ${lateness.max}`);
console.log(
  `lateness vs publisher clock (ms):  p50 ${fromPublisher.p50}  p99 ${fromPublisher.p99}  max ${fromPublisher.max}`,
);
console.log(`redis round trips per message (publish -> deliver): ${result.redisRoundTripsPerMessage}`);
const resultsDirectory = new URL("./results/", import.meta.url);
mkdirSync(resultsDirectory, { recursive: true });
writeFileSync(
  new URL("qstash-timers.json", resultsDirectory),
  `${JSON.stringify({ benchmark: "qstash-timers", date: new Date().toISOString(), machine: machine(), load: load(), ...result }, null, 2)}\n`,
);
if (result.delivered < result.messages) process.exitCode = 1;
