/**
 * The server side of Upstash Workflow, which QStash runs for `@upstash/workflow`'s `serve` and
 * `Client.trigger`: a publish carrying `Upstash-Workflow-RunId` (sent raw, not forwarded) belongs
 * to a workflow run. QStash keeps each run's history (the initial payload, then every step result
 * the SDK publishes) and delivers each such message with the whole history so far as its body, a
 * JSON array of `{ messageId, body (base64), callType: "step" }` whose first element is the initial
 * payload, plus the `Upstash-Workflow-RunId`, `-Url` and `-CreatedAt` headers. The SDK ends a run
 * with `DELETE /v2/workflows/runs/{id}` (`?cancel=true` also cancels what is still pending) and may
 * read the history with `GET /v2/workflows/runs/{id}`.
 *
 * What is emulated: sequential and parallel `context.run` steps, `context.sleep` / `sleepUntil`
 * (plain delays), completion and cancellation. Not emulated: deduplication of a trigger whose run
 * id exists, `context.call` result bodies, `waitForEvent` / `notify`, failure-function payloads,
 * and the workflow logs API.
 */
import { encodeBody, decodeBody, type HeaderMap, type StoredMessage } from "./message.ts";

export interface RawStep {
  messageId: string;
  /** The initial payload or a step's JSON, base64. */
  body: string;
  callType: "step";
}

export interface WorkflowRun {
  createdAt: number;
  url?: string;
  steps: RawStep[];
}

/** What a workflow message says about its run, read from the publish's raw headers. */
export interface WorkflowMark {
  runId: string;
  /** The trigger of a new run (`Upstash-Workflow-Init: true`). */
  init: boolean;
  url?: string;
}

/** An accepted message as far as its run is concerned (publish-request.ts's AcceptedMessage is one). */
export interface WorkflowMessage {
  message: StoredMessage;
  workflow?: WorkflowMark;
}

/** Persistence of run histories (the QStash store). */
export interface WorkflowStore {
  workflowGet(runId: string): Promise<WorkflowRun | undefined>;
  workflowSave(runId: string, run: WorkflowRun): Promise<void>;
  workflowDelete(runId: string): Promise<boolean>;
}

/**
 * The workflow a publish belongs to, if any. Messages a workflow sends elsewhere (`context.call`,
 * `Upstash-Workflow-CallType: toCallback`) are ordinary messages.
 */
export function workflowMark(headers: HeaderMap): WorkflowMark | undefined {
  const runId = headers.get("upstash-workflow-runid")?.trim();
  if (!runId) return undefined;
  const callType = headers.get("upstash-workflow-calltype")?.trim();
  if (callType !== undefined && callType !== "step") return undefined;
  const url = headers.get("upstash-workflow-url")?.trim();
  return {
    runId,
    init: headers.get("upstash-workflow-init")?.trim().toLowerCase() === "true",
    ...(url ? { url } : {}),
  };
}

export class WorkflowRuns {
  readonly #store: WorkflowStore;
  /** Memory is authoritative while the server runs; the store is what a restart reads back. */
  readonly #runs = new Map<string, WorkflowRun>();

  constructor(store: WorkflowStore) {
    this.#store = store;
  }

  /**
   * Turns accepted workflow messages into what QStash delivers: the run's history so far, with
   * this message's body appended, and the run's headers. The history is saved before the
   * messages are (a lost publish leaves a step in the history that the SDK deduplicates).
   */
  async prepare<T extends WorkflowMessage>(accepted: T[], now: number): Promise<T[]> {
    const touched = new Set<string>();
    for (const entry of accepted) {
      const mark = entry.workflow;
      if (!mark) continue;
      let run = mark.init ? undefined : await this.get(mark.runId);
      if (!run) {
        run = { createdAt: now, ...(mark.url ? { url: mark.url } : {}), steps: [] };
        this.#runs.set(mark.runId, run);
      }
      const { message } = entry;
      run.steps.push({
        messageId: message.id,
        body: decodeBody(message).toString("base64"),
        callType: "step",
      });
      delete message.body;
      delete message.bodyBase64;
      Object.assign(message, encodeBody(Buffer.from(JSON.stringify(run.steps))));
      message.workflowRunId = mark.runId;
      message.headers = {
        ...message.headers,
        "Upstash-Workflow-Runid": mark.runId,
        "Upstash-Workflow-Createdat": String(run.createdAt),
        ...(run.url ? { "Upstash-Workflow-Url": run.url } : {}),
      };
      touched.add(mark.runId);
    }
    for (const runId of touched) await this.#store.workflowSave(runId, this.#runs.get(runId)!);
    return accepted;
  }

  async get(runId: string): Promise<WorkflowRun | undefined> {
    let run = this.#runs.get(runId);
    if (!run) {
      run = await this.#store.workflowGet(runId);
      if (run) this.#runs.set(runId, run);
    }
    return run;
  }

  /** Ends a run; false when there was none. */
  async end(runId: string): Promise<boolean> {
    const known = this.#runs.delete(runId);
    return (await this.#store.workflowDelete(runId)) || known;
  }
}
