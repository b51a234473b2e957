/**
 * `awl dev`'s services for a benchmark, in a process of their own (as Upstash's are in production,
 * and as Redis is for BullMQ): the Upstash Redis REST API on the application Redis and the QStash
 * server on the infrastructure Redis. Run by dev-stack.ts through fork(); answers "stats" messages
 * with the QStash server's counters, and "profile" starts nothing (use --cpu-prof via execArgv).
 */
import { connectRedis } from "../../cli/src/dev/redis-connection.ts";
import { startQStash } from "../../cli/src/dev/qstash/server.ts";
import { startRedisRest } from "../../cli/src/dev/redis-rest/server.ts";

const [appRedisUrl, infraRedisUrl] = process.argv.slice(2);
const app = await connectRedis({ url: appRedisUrl, requireRedis: true });
const infra = await connectRedis({ url: infraRedisUrl, requireRedis: true });
const rest = await startRedisRest({ port: 0, token: "bench-token", connection: app });
const qstash = await startQStash({
  port: 0,
  connection: infra,
  log: () => undefined,
  keyPrefix: "bench:qstash:",
});

// The benchmark went away without closing us (it crashed or was killed): leave with it.
process.on("disconnect", () => process.exit(0));
process.on("message", (message: { type: string }) => {
  if (message.type === "stats") process.send!({ type: "stats", stats: qstash.stats() });
  if (message.type === "close") {
    void (async () => {
      await qstash.close();
      await rest.close();
      await app.close();
      await infra.close();
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
