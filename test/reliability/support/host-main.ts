/**
 * A site in its own process, as Netlify would run it, configured only by the environment: the
 * router at /router, each workload of workloads.ts at /workloads/<name>, and the events API at
 * /awl/api, all through the same handlers the extension injects (runtime from the environment,
 * API keys from AWL_API_KEY). Like the platform, it answers 504 for a function that has not
 * returned after PLATFORM_TIMEOUT_MS (the invocation itself keeps hanging, as a frozen one would).
 *
 * Test-only settings: AWL_TEST_OUTBOX_GRACE_MS shortens the reconciler's grace period (60 s in
 * production) so recoveries fit in a test; LEDGER_REDIS_URL is where steps record executions.
 * Prints "ready <port>" once it listens.
 */
import { serve } from "@hono/node-server";
import { Redis as IORedis } from "ioredis";
import { createEventsApi } from "../../../client/src/api/events-api.ts";
import { createRouterHandler } from "../../../client/src/workload/router-function.ts";
import { runtimeFromEnv } from "../../../client/src/engine/runtime.ts";
import { handleWorkloadRequest } from "../../../client/src/workload/async-workload.ts";
import { Ledger } from "./ledger.ts";
import { createWorkloads, siteRegistry } from "./workloads.ts";

const env = process.env;
const runtime = runtimeFromEnv(env);
if (env.AWL_TEST_OUTBOX_GRACE_MS) runtime.store.settings.outboxGraceMs = Number(env.AWL_TEST_OUTBOX_GRACE_MS);
const ledgerRedis = new IORedis(env.LEDGER_REDIS_URL!, { maxRetriesPerRequest: null });
ledgerRedis.on("error", () => undefined);
const workloads = createWorkloads(new Ledger(ledgerRedis, env.AWL_PREFIX ?? "awl:"));

const registry = siteRegistry(workloads);
const router = createRouterHandler(registry, runtime);
const api = createEventsApi({ runtime });
const platformTimeoutMs = Number(env.PLATFORM_TIMEOUT_MS ?? 30_000);

function withPlatformTimeout(handle: () => Promise<Response>): Promise<Response> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<Response>((resolve) => {
    timer = setTimeout(() => resolve(new Response("function timed out", { status: 504 })), platformTimeoutMs);
  });
  return Promise.race([handle(), timeout]).finally(() => clearTimeout(timer));
}

serve(
  {
    hostname: "127.0.0.1",
    port: Number(env.PORT),
    fetch: (request: Request) => {
      const path = new URL(request.url).pathname;
      if (path === "/router") return withPlatformTimeout(() => router(request));
      if (path.startsWith("/awl/api/") || path === "/awl/api") return withPlatformTimeout(() => api(request));
      const match = /^\/workloads\/([^/]+)$/.exec(path);
      // Own properties only: "/workloads/toString" must be a 404, not Object.prototype.toString.
      const fn = match && Object.hasOwn(workloads, match[1]!) ? workloads[match[1]!] : undefined;
      if (!fn) return new Response("not found", { status: 404 });
      const { definition, handler } = fn.awlWorkload;
      return withPlatformTimeout(() => handleWorkloadRequest(request, definition, handler, runtime));
    },
  },
  (info) => console.log(`ready ${info.port}`),
);
