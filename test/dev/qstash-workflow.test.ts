// Upstash Workflow (@upstash/workflow's serve and Client.trigger) runs against awl dev's QStash:
// steps run once each and in order, a sleep resumes the run, the SDK's own DELETE ends it, and a
// cancel drops what is pending. The workflow is served by a Fetch-API host on @hono/node-server.
import { serve as serveHttp, type ServerType } from "@hono/node-server";
import { Client as QStashClient } from "@upstash/qstash";
import { Client as WorkflowClient, serve } from "@upstash/workflow";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startHarness, type Harness } from "./helpers/qstash-harness.ts";

let h: Harness;
let host: ServerType;
let baseUrl = "";
const calls: { runId: string; steps: string[] }[] = [];
const finished = new Map<string, unknown>();
const started = new Map<string, number>();

beforeAll(async () => {
  h = await startHarness();
  const qstashClient = new QStashClient({ baseUrl: h.server.url, token: h.server.token });
  const env = {
    QSTASH_URL: h.server.url,
    QSTASH_TOKEN: h.server.token,
    QSTASH_CURRENT_SIGNING_KEY: h.server.currentSigningKey,
    QSTASH_NEXT_SIGNING_KEY: h.server.nextSigningKey,
  };
  const { handler } = serve<{ n: number; sleep?: boolean; block?: boolean }>(
    async (context) => {
      const runId = context.workflowRunId;
      const a = await context.run("a", () => {
        calls.push({ runId, steps: ["a"] });
        return context.requestPayload.n + 1;
      });
      if (context.requestPayload.sleep) await context.sleep("nap", 1);
      if (context.requestPayload.block) await context.sleep("long-nap", 3600);
      const b = await context.run("b", () => {
        calls.push({ runId, steps: ["b"] });
        return a * 10;
      });
      finished.set(runId, b);
    },
    { qstashClient, env, disableTelemetry: true },
  );
  host = await new Promise<ServerType>((resolve) => {
    const server = serveHttp(
      {
        hostname: "127.0.0.1",
        port: 0,
        fetch: async (request: Request) => {
          const runId = request.headers.get("upstash-workflow-runid");
          if (runId && !started.has(runId)) started.set(runId, Date.now());
          return handler(request);
        },
      },
      (info) => {
        baseUrl = `http://127.0.0.1:${info.port}`;
        resolve(server);
      },
    );
  });
});

afterAll(async () => {
  await new Promise<void>((resolve) => host.close(() => resolve()));
  await h.close();
});

const workflowClient = () => new WorkflowClient({ baseUrl: h.server.url, token: h.server.token });
const stepsOf = (runId: string) => calls.filter((call) => call.runId === runId).flatMap((call) => call.steps);

describe("Upstash Workflow on awl dev's QStash", () => {
  it("runs each step once, in order, and ends the run with the SDK's DELETE", async () => {
    const before = h.server.stats();
    const { workflowRunId } = await workflowClient().trigger({ url: `${baseUrl}/wf`, body: { n: 1 } });
    expect(await eventually("the run to finish", () => finished.get(workflowRunId))).toBe(20);
    expect(stepsOf(workflowRunId)).toEqual(["a", "b"]);
    // The trigger and one message per step; the history is gone once the SDK ended the run.
    await eventually("the deliveries", () => h.server.stats().delivered - before.delivered >= 3);
    expect(h.server.stats().published - before.published).toBe(3);
    const history = await h.request(`/v2/workflows/runs/${workflowRunId}`);
    expect(history.status).toBe(404);
    expect(h.receiver.refused).toEqual([]);
  });

  it("delivers the run's history as the SDK reads it, and serves it on GET", async () => {
    const { workflowRunId } = await workflowClient().trigger({
      url: `${baseUrl}/wf`,
      body: { n: 5, block: true },
    });
    // The initial payload, step "a", and then the sleep step, published by the next invocation.
    const steps = await eventually("the sleep to be published", async () => {
      const response = await h.request(`/v2/workflows/runs/${workflowRunId}`);
      if (response.status !== 200) return undefined;
      const list = (await response.json()) as { body: string; callType: string; messageId: string }[];
      return list.length === 3 ? list : undefined;
    });
    expect(steps.map((step) => step.callType)).toEqual(["step", "step", "step"]);
    expect(JSON.parse(Buffer.from(steps[0]!.body, "base64").toString())).toEqual({ n: 5, block: true });
    expect(JSON.parse(Buffer.from(steps[1]!.body, "base64").toString())).toMatchObject({
      stepName: "a",
      out: "6",
    });
    expect(JSON.parse(Buffer.from(steps[2]!.body, "base64").toString())).toMatchObject({
      stepName: "long-nap",
      stepType: "SleepFor",
    });

    // Cancelling drops the pending wake-up and the history.
    await workflowClient().cancel({ ids: workflowRunId });
    expect((await h.request(`/v2/workflows/runs/${workflowRunId}`)).status).toBe(404);
    await h.settled("nothing left pending");
    expect(finished.has(workflowRunId)).toBe(false);
  });

  it("resumes a run after context.sleep", async () => {
    const { workflowRunId } = await workflowClient().trigger({
      url: `${baseUrl}/wf`,
      body: { n: 2, sleep: true },
    });
    expect(await eventually("the run to finish", () => finished.get(workflowRunId))).toBe(30);
    expect(stepsOf(workflowRunId)).toEqual(["a", "b"]);
  });

  it("answers 404 for a run it does not know", async () => {
    const response = await h.request("/v2/workflows/runs/wfr_nope?cancel=false", { method: "DELETE" });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: "workflow run not found" });
  });
});
