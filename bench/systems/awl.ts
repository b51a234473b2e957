/**
 * This project: workloads wrapped in `asyncWorkload`, events sent with the engine's send path, the
 * router and workloads served by the benchmark's Fetch-API host, Redis through awl dev's REST API
 * and QStash through awl dev's QStash server, with the clients a deployed site's runtime builds
 * (client/src/transport: the official clients over keep-alive node:http). Events are routed at send
 * by the routing table the router publishes, as a site's are. A run is done when its
 * workload answers "completed", which it does only after the outcome is stored. Every invocation
 * of the router and the workloads is timed, as Netlify bills it.
 */
import type { Client } from "@upstash/qstash";
import type { Redis } from "@upstash/redis";
import { publishRoutingTable, type RegisteredWorkload } from "../../client/src/engine/router.ts";
import { createRouterHandler } from "../../client/src/workload/router-function.ts";
import { createRuntime } from "../../client/src/engine/runtime.ts";
import { sendEvents } from "../../client/src/engine/send.ts";
import { engineQStash } from "../../client/src/transport/qstash-requester.ts";
import { engineRedis } from "../../client/src/transport/redis-requester.ts";
import {
  asyncWorkload,
  handleWorkloadRequest,
  type AsyncWorkloadFunction,
} from "../../client/src/workload/async-workload.ts";
import { inspect, startHost } from "../lib/host.ts";
import { wallClock } from "../lib/tracker.ts";
import { eventData, flowKey, stepResult, stepWork, type System } from "./types.ts";

let deployments = 0;

export interface AwlOptions {
  /** Builds the engine's Redis client (default: the one a deployed site's runtime builds). */
  redis?: (url: string, token: string) => Redis;
  /** Builds the engine's QStash client (default: the one a deployed site's runtime builds). */
  qstash?: (url: string, token: string) => Client;
}

const siteRedis = (url: string, token: string) => engineRedis({ url, token });
const siteQStash = (baseUrl: string, token: string) =>
  engineQStash({ baseUrl, token, resolvesItself: false });

/** This project, optionally with another Redis transport (for experiments; the suite uses the default). */
export const awlSystem = (options: AwlOptions = {}, label = "awl (this project)"): System => ({
  id: "awl",
  label,
  async deploy(specs, env) {
    const { tracker, dev } = env;
    const prefix = `awl:bench${(deployments += 1)}:`;
    const workloads = new Map<string, AsyncWorkloadFunction>();
    for (const spec of specs) {
      workloads.set(
        spec.name,
        asyncWorkload<ReturnType<typeof eventData>>(
          async ({ step, runId, data }) => {
            if (spec.sleepMs) {
              await step.run("before", () => stepResult(-1));
              tracker.sleepStarted(runId);
              await step.sleep("nap", spec.sleepMs);
              tracker.woke(runId);
            }
            for (let i = 0; i < spec.steps; i++) {
              await step.run(`step-${i}`, () =>
                spec.stepMs || spec.flowControl ? stepWork(spec, tracker, data.seq, i) : stepResult(i),
              );
            }
          },
          {
            events: spec.event,
            name: spec.name,
            timeBudget: "60s",
            ...(spec.flowControl
              ? {
                  concurrency: {
                    limit: spec.flowControl.parallelism,
                    key: (event) => flowKey((event.data as { seq: number }).seq, spec.flowControl!.keys),
                  },
                }
              : {}),
          },
        ),
      );
    }
    const runtime = createRuntime({
      redis: (options.redis ?? siteRedis)(dev.rest.url, dev.rest.token),
      qstash: (options.qstash ?? siteQStash)(dev.qstash.url, dev.qstash.token),
      signingKeys: dev.qstash,
      routerUrl: "http://127.0.0.1:1/router",
      prefix,
      log: () => undefined,
    });
    const registry: RegisteredWorkload[] = [...workloads].map(([name, fn]) => ({
      name,
      events: fn.awlWorkload.definition.events,
      maxRetries: fn.awlWorkload.definition.maxRetries,
      url: `/workloads/${name}`,
    }));
    const routerHandler = createRouterHandler(registry, runtime);
    const router = async (request: Request) => {
      const startedAt = wallClock();
      const response = await routerHandler(request);
      tracker.invocation(undefined, startedAt, wallClock());
      return response;
    };
    const host = await startHost((path) => {
      if (path === "/router") return router;
      const fn = workloads.get(path.slice("/workloads/".length));
      if (!fn) return undefined;
      return async (request) => {
        const startedAt = wallClock();
        const answered = await handleWorkloadRequest(
          request,
          fn.awlWorkload.definition,
          fn.awlWorkload.handler,
          runtime,
        );
        const { response, text } = await inspect(answered);
        const report = JSON.parse(text) as { runId?: string; status?: string };
        tracker.invocation(report.runId, startedAt, wallClock());
        if (report.status === "completed" && report.runId) tracker.done(report.runId);
        return response;
      };
    });
    runtime.routerUrl = `${host.url}/router`;
    // The router's routing table, as its first routing would publish it: events are routed at send
    // from the first one (and, each time the table expires, one goes through the router again).
    await publishRoutingTable(runtime, registry);
    env.wire.label("on", host.port, "deliveries");
    const subscribers = (event: string) => specs.filter((spec) => spec.event === event);
    return {
      async send(event, seq) {
        const [sent] = await sendEvents(runtime, [{ name: event, data: eventData(seq) }]);
        return subscribers(event).map((spec) => `${sent!.eventId}.${spec.name}`);
      },
      qstashPublished: async () => (await dev.stats()).published,
      close: () => host.close(),
    };
  },
});

export const awl: System = awlSystem();
