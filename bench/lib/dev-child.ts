/**
 * `awl dev`'s services (@awl/dev's startStack) for a benchmark, in a process of their own (as
 * Upstash's are in production, and as Redis is for BullMQ): the Upstash Redis REST API on the
 * application Redis and the QStash server on the infrastructure Redis, with the timer granularity
 * and modeled latency the parent asks for (argv: app Redis URL, infra Redis URL, options JSON). Run
 * by dev-stack.ts through fork(); answers "stats" messages with the QStash server's counters, and
 * "profile" starts nothing (use --cpu-prof via execArgv).
 */
import { startStack, type ModeledLatency, type TimerGranularity } from "@awl/dev";

interface ChildOptions {
  timerGranularity?: TimerGranularity;
  latency?: ModeledLatency;
  qstashKeyPrefix: string;
}

const [appRedisUrl, infraRedisUrl, optionsJson] = process.argv.slice(2);
const options = JSON.parse(optionsJson ?? "{}") as ChildOptions;
const stack = await startStack({
  redisUrl: appRedisUrl,
  qstashRedisUrl: infraRedisUrl,
  requireRedis: true,
  redisRestPort: 0,
  qstashPort: 0,
  redisRestToken: "bench-token",
  qstashKeyPrefix: options.qstashKeyPrefix,
  ...(options.timerGranularity ? { timerGranularity: options.timerGranularity } : {}),
  ...(options.latency ? { latency: options.latency } : {}),
  log: () => undefined,
});
const { redisRest: rest, qstash } = stack;

// The benchmark went away without closing us (it crashed or was killed): leave with it.
process.on("disconnect", () => process.exit(0));
process.on("message", (message: { type: string }) => {
  if (message.type === "stats") process.send!({ type: "stats", stats: qstash.stats() });
  if (message.type === "close") {
    void (async () => {
      await stack.close();
      process.exit(0);
    })();
  }
});
process.send!({
  type: "ready",
  rest: { url: rest.url, token: rest.token },
  qstash: {
    url: qstash.url,
    token: qstash.token,
    currentSigningKey: qstash.currentSigningKey,
    nextSigningKey: qstash.nextSigningKey,
  },
});
