/**
 * A workload host in its own process, configured only through the environment as a site would be
 * (runtimeFromEnv), so a test can SIGKILL it mid-step and start another in its place.
 * The `killable` workload counts each step's executions in Redis and, on the first execution of
 * step "two", announces itself and hangs until killed.
 */
import { serve } from "@hono/node-server";
import { Redis } from "@upstash/redis";
import { createRouterHandler } from "../../client/src/workload/router-function.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";

const env = process.env;
const counters = new Redis({
  url: env.UPSTASH_REDIS_REST_URL!,
  token: env.UPSTASH_REDIS_REST_TOKEN!,
  enableTelemetry: false,
});
const counter = (name: string) => `${env.AWL_PREFIX}test:${name}`;

const killable = asyncWorkload(
  async ({ step }) => {
    await step.run("one", () => counters.incr(counter("one")));
    await step.run("two", async () => {
      if ((await counters.incr(counter("two"))) === 1) {
        await counters.set(counter("hanging"), "1");
        await new Promise(() => undefined);
      }
    });
    await step.run("three", () => counters.incr(counter("three")));
  },
  { events: "kill-test", timeBudget: "200ms" },
);

const router = createRouterHandler([
  { name: "killable", events: ["kill-test"], maxRetries: 4, url: "/workloads/killable" },
]);

serve(
  {
    hostname: "127.0.0.1",
    port: Number(env.PORT),
    fetch: (request: Request) => {
      const path = new URL(request.url).pathname;
      if (path === "/router") return router(request);
      if (path === "/workloads/killable") return killable(request);
      return new Response("not found", { status: 404 });
    },
  },
  () => console.log("ready"),
);
