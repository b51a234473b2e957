import { describe, expect, it } from "vitest";
import { acceptPublish } from "./publish-request.ts";
import { workflowMark, WorkflowRuns, type WorkflowRun, type WorkflowStore } from "./workflow.ts";

const memoryStore = (): WorkflowStore & { saved: Map<string, WorkflowRun> } => {
  const saved = new Map<string, WorkflowRun>();
  return {
    saved,
    workflowGet: async (runId) => saved.get(runId),
    workflowSave: async (runId, run) => void saved.set(runId, structuredClone(run)),
    workflowDelete: async (runId) => saved.delete(runId),
  };
};

const publish = (headers: Record<string, string>, body: string) =>
  acceptPublish({
    destination: "http://127.0.0.1:1/wf",
    headers: new Map(Object.entries(headers)),
    body: Buffer.from(body),
    now: 1000,
  });

const decoded = (body: string | undefined) =>
  (JSON.parse(body ?? "[]") as { body: string }[]).map((step) => Buffer.from(step.body, "base64").toString());

describe("workflowMark", () => {
  it("marks messages of a workflow run, but not the calls a workflow makes elsewhere", () => {
    const run = { "upstash-workflow-runid": "wfr_1", "upstash-workflow-init": "true" };
    expect(workflowMark(new Map(Object.entries(run)))).toEqual({ runId: "wfr_1", init: true });
    expect(
      workflowMark(new Map(Object.entries({ ...run, "upstash-workflow-calltype": "toCallback" }))),
    ).toBeUndefined();
    expect(workflowMark(new Map())).toBeUndefined();
  });
});

describe("WorkflowRuns.prepare", () => {
  it("delivers the history so far, starting with the initial payload, and saves it", async () => {
    const store = memoryStore();
    const runs = new WorkflowRuns(store);
    const headers = { "upstash-workflow-runid": "wfr_1", "upstash-workflow-url": "http://h/wf" };
    const [trigger] = await runs.prepare(
      [publish({ ...headers, "upstash-workflow-init": "true" }, '{"n":1}')],
      1000,
    );
    expect(decoded(trigger!.message.body)).toEqual(['{"n":1}']);
    expect(trigger!.message.headers).toMatchObject({
      "Upstash-Workflow-Runid": "wfr_1",
      "Upstash-Workflow-Createdat": "1000",
      "Upstash-Workflow-Url": "http://h/wf",
    });
    const [step] = await runs.prepare(
      [publish({ ...headers, "upstash-workflow-init": "false" }, '{"stepId":1}')],
      2000,
    );
    expect(decoded(step!.message.body)).toEqual(['{"n":1}', '{"stepId":1}']);
    expect(step!.message.workflowRunId).toBe("wfr_1");
    expect(store.saved.get("wfr_1")?.steps).toHaveLength(2);

    // A restarted server reads the history back from the store.
    const restarted = new WorkflowRuns(store);
    const [next] = await restarted.prepare([publish(headers, '{"stepId":2}')], 3000);
    expect(decoded(next!.message.body)).toHaveLength(3);
    expect(await restarted.end("wfr_1")).toBe(true);
    expect(await restarted.get("wfr_1")).toBeUndefined();
  });

  it("leaves other messages alone", async () => {
    const accepted = publish({}, "plain");
    await new WorkflowRuns(memoryStore()).prepare([accepted], 1000);
    expect(accepted.message.body).toBe("plain");
  });
});
