/**
 * This project: workloads wrapped in `asyncWorkload`, events sent with the engine's send path, the
 * router and workloads served by the benchmark's Fetch-API host, Redis through awl dev's REST API
 * (with the official @upstash/redis client) and QStash through awl dev's QStash server (with the
 * official @upstash/qstash client). A run is done when its workload answers "completed", which it
 * does only after the outcome is stored.
 */
import { Client } from "@upstash/qstash";
import { Redis } from "@upstash/redis";
import type { RegisteredWorkload } from "../../client/src/engine/router.ts";
import { createRouterHandler } from "../../client/src/workload/router-function.ts";
import { createRuntime } from "../../client/src/engine/runtime.ts";
import { sendEvents } from "../../client/src/engine/send.ts";
import {
  asyncWorkload,
  handleWorkloadRequest,
  type AsyncWorkloadFunction,
} from "../../client/src/workload/async-workload.ts";
import { inspect, startHost } from "../lib/host.ts";
import { stepResult, eventData, type System } from "./types.ts";

let deployments = 0;

export interface AwlOptions {
  /** Builds the engine's Redis client (default: the official client with its own fetch transport). */
  redis?: (url: string, token: string) => Redis;
  /** Builds the engine's QStash client (default: the official client). */
  qstash?: (url: string, token: string) => Client;
}

const officialRedis = (url: string, token: string) =>
  new Redis({ url, token, automaticDeserialization: false, enableTelemetry: false });

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
        asyncWorkload(
          async ({ step, runId }) => {
            if (spec.sleepMs) {
              await step.run("before", () => stepResult(-1));
              tracker.sleepStarted(runId);
              await step.sleep("nap", spec.sleepMs);
              tracker.woke(runId);
            }
            for (let i = 0; i < spec.steps; i++) await step.run(`step-${i}`, () => stepResult(i));
          },
          { events: spec.event, name: spec.name, timeBudget: "60s" },
        ),
      );
    }
    const runtime = createRuntime({
      redis: (options.redis ?? officialRedis)(dev.rest.url, dev.rest.token),
      qstash: options.qstash
        ? options.qstash(dev.qstash.url, dev.qstash.token)
        : new Client({ baseUrl: dev.qstash.url, token: dev.qstash.token }),
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
    const router = createRouterHandler(registry, runtime);
    const host = await startHost((path) => {
      if (path === "/router") return router;
      const fn = workloads.get(path.slice("/workloads/".length));
      if (!fn) return undefined;
      return async (request) => {
        const answered = await handleWorkloadRequest(
          request,
          fn.awlWorkload.definition,
          fn.awlWorkload.handler,
          runtime,
        );
        const { response, text } = await inspect(answered);
        const report = JSON.parse(text) as { runId?: string; status?: string };
        if (report.status === "completed" && report.runId) tracker.done(report.runId);
        return response;
      };
    });
    runtime.routerUrl = `${host.url}/router`;
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
