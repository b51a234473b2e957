/**
 * Upstash Workflow: one `serve` handler per workload, served by the benchmark's Fetch-API host and
 * driven by awl dev's QStash server (the same one our engine uses), started with the workflow
 * client's `trigger`. Upstash Workflow has no events: sending an event triggers every workflow
 * subscribed to it, in one batch call. A run is done when the invocation that ran its last line
 * (and then ended the run at QStash) has answered. Signatures are verified, as ours are. Every
 * invocation is timed, as Netlify bills it.
 */
import { randomBytes } from "node:crypto";
import { Client as QStashClient } from "@upstash/qstash";
import { Client as WorkflowClient, serve } from "@upstash/workflow";
import { inspect, startHost, type FetchHandler } from "../lib/host.ts";
import { wallClock } from "../lib/tracker.ts";
import { eventData, flowKey, stepResult, stepWork, type System } from "./types.ts";

export const upstashWorkflow: System = {
  id: "upstash-workflow",
  label: "Upstash Workflow",
  async deploy(specs, env) {
    const { tracker, dev } = env;
    const qstashClient = new QStashClient({ baseUrl: dev.qstash.url, token: dev.qstash.token });
    const workflowEnv = {
      QSTASH_URL: dev.qstash.url,
      QSTASH_TOKEN: dev.qstash.token,
      QSTASH_CURRENT_SIGNING_KEY: dev.qstash.currentSigningKey,
      QSTASH_NEXT_SIGNING_KEY: dev.qstash.nextSigningKey,
    };
    const finished = new Set<string>();
    const handlers = new Map<string, FetchHandler>();
    for (const spec of specs) {
      const { handler } = serve<ReturnType<typeof eventData>>(
        async (context) => {
          const runId = context.workflowRunId;
          if (spec.sleepMs) {
            await context.run("before", () => stepResult(-1));
            tracker.sleepStarted(runId);
            await context.sleep("nap", spec.sleepMs / 1000);
            tracker.woke(runId);
          }
          const { seq } = context.requestPayload;
          for (let i = 0; i < spec.steps; i++) {
            await context.run(`step-${i}`, () =>
              spec.stepMs || spec.flowControl ? stepWork(spec, tracker, seq, i) : stepResult(i),
            );
          }
          finished.add(runId);
        },
        { qstashClient, env: workflowEnv, disableTelemetry: true },
      );
      handlers.set(spec.name, async (request) => {
        const startedAt = wallClock();
        const runId = request.headers.get("upstash-workflow-runid");
        const { response } = await inspect(await handler(request));
        tracker.invocation(runId ?? undefined, startedAt, wallClock());
        if (runId && finished.delete(runId)) tracker.done(runId);
        return response;
      });
    }
    const host = await startHost((path) => handlers.get(path.slice("/workflows/".length)));
    env.wire.label("on", host.port, "deliveries");
    const client = new WorkflowClient({ baseUrl: dev.qstash.url, token: dev.qstash.token });
    const tag = randomBytes(3).toString("hex");
    return {
      async send(event, seq) {
        const targets = specs.filter((spec) => spec.event === event);
        const ids = targets.map((spec) => `${tag}-${seq}-${spec.name}`);
        await client.trigger(
          targets.map((spec, index) => ({
            url: `${host.url}/workflows/${spec.name}`,
            body: eventData(seq),
            workflowRunId: ids[index],
            disableTelemetry: true,
            // Upstash Workflow's flow control: one key per tenant, applied (by QStash) to every step of the run.
            ...(spec.flowControl
              ? {
                  flowControl: {
                    key: `${tag}-${spec.name}-${flowKey(seq, spec.flowControl.keys)}`,
                    parallelism: spec.flowControl.parallelism,
                  },
                }
              : {}),
          })),
        );
        return ids.map((id) => `wfr_${id}`);
      },
      qstashPublished: async () => (await dev.stats()).published,
      close: () => host.close(),
    };
  },
};
