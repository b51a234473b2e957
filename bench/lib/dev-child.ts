/**
 * `awl dev`'s services (@awl/dev's startStack) for a benchmark, in a process of their own (as
 * Upstash's are in production, and as Redis is for BullMQ): the Upstash Redis REST API on the
 * application Redis and the QStash server on the infrastructure Redis. Run by dev-stack.ts through
 * fork(); answers "stats" messages with the QStash server's counters, and "profile" starts nothing
 * (use --cpu-prof via execArgv).
 */
import { startStack } from "@awl/dev";

const [appRedisUrl, infraRedisUrl] = process.argv.slice(2);
const stack = await startStack({
  redisUrl: appRedisUrl,
  qstashRedisUrl: infraRedisUrl,
  requireRedis: true,
  redisRestPort: 0,
  qstashPort: 0,
  redisRestToken: "bench-token",
  qstashKeyPrefix: "bench:qstash:",
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
