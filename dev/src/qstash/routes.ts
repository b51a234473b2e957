/**
 * The HTTP surface: the QStash v2 routes the official client calls, with the responses and error
 * bodies (`{"error": "..."}`) it expects, plus one extension of ours:
 *
 *   GET /v2/awl/stats   (same bearer token) -> QStashStats: counts since the server started
 *                       (published, delivered, retried, deadLettered, failedCallbacks, ...), for
 *                       benchmarks and `awl dev` to read deltas.
 *
 * Upstash Workflow's routes (`DELETE` and `GET /v2/workflows/runs/{id}`) and the shape of its
 * deliveries are in workflow.ts.
 *
 * Every route is loopback only (../loopback.ts: a web page must not make this server send signed
 * requests to local ports, whatever token it sends), then needs the server's token, as
 * `Authorization: Bearer <token>` or `?qstash_token=` (which the real QStash accepts too).
 * Input is checked in full before anything is stored: a bad request changes nothing.
 */
import type { HttpBindings } from "@hono/node-server";
import { Hono, type Context } from "hono";
import type { Engine, MessageFilter } from "./engine.ts";
import { QStashError } from "./errors.ts";
import { dlqView, messageView, type DlqRecord, type HeaderMap } from "./message.ts";
import { acceptPublish, type AcceptedMessage } from "./publish-request.ts";
import { QUEUE_NAME } from "./queues.ts";
import type { Schedules } from "./schedules.ts";
import type { Store } from "./store.ts";
import { WorkflowRuns } from "./workflow.ts";
import { refusal } from "../loopback.ts";

export interface RoutesOptions {
  engine: Engine;
  store: Store;
  schedules: Schedules;
  token: string;
  currentSigningKey: string;
  nextSigningKey: string;
}

type Env = { Bindings: HttpBindings };
type RouteContext = Context<Env>;

/** The QStash API's page size for DLQ listings and bulk actions. */
const PAGE_SIZE = 100;

const notFound = (what: string) => new QStashError(404, `${what} not found`);

/** The raw request target, as sent: destinations keep their own slashes and query string. */
function rawTarget(c: RouteContext): string {
  const target = c.env.incoming.url ?? "/";
  if (!target.includes("qstash_token=")) return target;
  const [path = "", query = ""] = target.split(/\?(.*)/s);
  const params = new URLSearchParams(query);
  params.delete("qstash_token");
  const rest = params.toString();
  return rest === "" ? path : `${path}?${rest}`;
}

const headerMap = (c: RouteContext): HeaderMap => new Map(c.req.raw.headers);
const callerIp = (c: RouteContext) => c.env.incoming.socket.remoteAddress;

/** A multi-valued filter: repeated (`?a=1&a=2`) or comma-separated (`?a=1,2`). */
function listParam(c: RouteContext, name: string): string[] | undefined {
  const values = c.req
    .queries(name)
    ?.flatMap((value) => value.split(","))
    .filter((value) => value !== "");
  return values?.length ? values : undefined;
}

function checkQueueName(name: string): string {
  if (!QUEUE_NAME.test(name)) {
    throw new QStashError(
      400,
      "invalid queue name: queue names can only contain alphanumeric characters, hyphens, periods and underscores",
    );
  }
  return name;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new QStashError(400, `invalid request body: ${(error as Error).message}`);
  }
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** One `/v2/batch` entry: `{ destination, headers?, body?, queue? }`. */
function batchEntry(entry: unknown, index: number, c: RouteContext, now: number): AcceptedMessage {
  const where = `batch[${index}]`;
  if (!isRecord(entry)) throw new QStashError(400, `invalid request body: ${where} is not an object`);
  const { destination, headers = {}, body = "", queue } = entry;
  if (typeof destination !== "string" || destination === "") {
    throw new QStashError(400, `invalid request body: ${where}.destination is required`);
  }
  if (!isRecord(headers) || Object.values(headers).some((value) => typeof value !== "string")) {
    throw new QStashError(400, `invalid request body: ${where}.headers must map names to strings`);
  }
  if (typeof body !== "string")
    throw new QStashError(400, `invalid request body: ${where}.body must be a string`);
  if (queue !== undefined && typeof queue !== "string") {
    throw new QStashError(400, `invalid request body: ${where}.queue must be a string`);
  }
  return acceptPublish({
    destination,
    headers: new Map(
      Object.entries(headers as Record<string, string>).map(([name, value]) => [name.toLowerCase(), value]),
    ),
    body: Buffer.from(body, "utf8"),
    ...(queue !== undefined ? { queueName: checkQueueName(queue) } : {}),
    ...(callerIp(c) !== undefined ? { callerIp: callerIp(c) } : {}),
    now,
  });
}

function dlqMatches(c: RouteContext, record: DlqRecord): boolean {
  const { message } = record;
  const within = (name: string, actual: string | undefined) => {
    const wanted = listParam(c, name);
    return wanted === undefined || (actual !== undefined && wanted.includes(actual));
  };
  const fromDate = Number(c.req.query("fromDate") ?? -Infinity);
  const toDate = Number(c.req.query("toDate") ?? Infinity);
  const labels = listParam(c, "label");
  return (
    within("dlqIds", record.dlqId) &&
    within("messageId", message.id) &&
    within("url", message.url) &&
    within("queueName", message.queueName) &&
    within("flowControlKey", message.flowControl?.key) &&
    within("responseStatus", record.response ? String(record.response.status) : undefined) &&
    within("callerIp", message.callerIp) &&
    (labels === undefined || (message.labels ?? []).some((label) => labels.includes(label))) &&
    record.failedAt >= fromDate &&
    record.failedAt <= toDate
  );
}

/** The DLQ entries a listing or bulk action selects, oldest first, one page after `cursor`. */
async function dlqPage(c: RouteContext, store: Store): Promise<{ records: DlqRecord[]; cursor?: string }> {
  const order = (id: string) => id.split("-").map(Number) as [number, number];
  const before = (a: string, b: string) => {
    const [ma, sa] = order(a);
    const [mb, sb] = order(b);
    return ma - mb || sa - sb;
  };
  const cursor = c.req.query("cursor");
  const count = Math.min(PAGE_SIZE, Math.max(1, Number(c.req.query("count") ?? PAGE_SIZE) || PAGE_SIZE));
  const selected = (await store.dlqList())
    .filter((record) => dlqMatches(c, record) && (!cursor || before(record.dlqId, cursor) > 0))
    .sort((a, b) => before(a.dlqId, b.dlqId));
  const records = selected.slice(0, count);
  const last = records.at(-1);
  return selected.length > count && last ? { records, cursor: last.dlqId } : { records };
}

const messageFilter = (c: RouteContext): MessageFilter => {
  const filter: MessageFilter = {};
  for (const name of ["queueName", "url", "label", "flowControlKey"] as const) {
    const values = listParam(c, name);
    if (values) filter[name] = values;
  }
  return filter;
};

export function createRoutes(options: RoutesOptions): Hono<Env> {
  const { engine, store } = options;
  const workflows = new WorkflowRuns(store);
  const publish = async (accepted: AcceptedMessage[], now: number) =>
    engine.publish(await workflows.prepare(accepted, now));
  const app = new Hono<Env>();

  app.use("*", async (c, next) => {
    // Before the token: a refused request learns nothing about it.
    const refused = refusal(c.req.raw.headers, "the QStash API of awl dev");
    if (refused) throw new QStashError(403, refused);
    const authorization = c.req.header("authorization");
    const token = authorization?.match(/^Bearer\s+(.+)$/i)?.[1]?.trim() ?? c.req.query("qstash_token");
    if (token !== options.token) throw new QStashError(401, "Unauthorized");
    await next();
  });

  app.get("/v2/keys", (c) => c.json({ current: options.currentSigningKey, next: options.nextSigningKey }));

  app.get("/v2/awl/stats", (c) => c.json(engine.stats()));

  app.post("/v2/publish/*", async (c) => {
    const destination = rawTarget(c).slice("/v2/publish/".length);
    const now = Date.now();
    const accepted = acceptPublish({
      destination,
      headers: headerMap(c),
      body: Buffer.from(await c.req.arrayBuffer()),
      ...(callerIp(c) !== undefined ? { callerIp: callerIp(c) } : {}),
      now,
    });
    const [result] = await publish([accepted], now);
    return c.json(result, result?.deduplicated ? 202 : 200);
  });

  app.post("/v2/schedules/*", async (c) => {
    const result = await options.schedules.create({
      destination: rawTarget(c).slice("/v2/schedules/".length),
      headers: headerMap(c),
      body: Buffer.from(await c.req.arrayBuffer()),
      ...(callerIp(c) !== undefined ? { callerIp: callerIp(c) } : {}),
      now: Date.now(),
    });
    return c.json(result);
  });

  app.get("/v2/schedules", (c) => c.json(options.schedules.list()));

  app.get("/v2/schedules/:scheduleId", (c) => c.json(options.schedules.get(c.req.param("scheduleId"))));

  app.delete("/v2/schedules/:scheduleId", async (c) => {
    await options.schedules.delete(c.req.param("scheduleId"));
    return c.body(null, 200);
  });

  for (const action of ["pause", "resume"] as const) {
    app.patch(`/v2/schedules/:scheduleId/${action}`, async (c) => {
      await options.schedules.setPaused(c.req.param("scheduleId"), action === "pause", Date.now());
      return c.body(null, 200);
    });
  }

  app.post("/v2/enqueue/*", async (c) => {
    const rest = rawTarget(c).slice("/v2/enqueue/".length);
    const slash = rest.indexOf("/");
    if (slash <= 0)
      throw new QStashError(400, "invalid enqueue path: expected /v2/enqueue/{queue}/{destination}");
    const queueName = checkQueueName(decodeURIComponent(rest.slice(0, slash)));
    const now = Date.now();
    const accepted = acceptPublish({
      destination: rest.slice(slash + 1),
      headers: headerMap(c),
      body: Buffer.from(await c.req.arrayBuffer()),
      queueName,
      ...(callerIp(c) !== undefined ? { callerIp: callerIp(c) } : {}),
      now,
    });
    if (!engine.queue(queueName)) await engine.configureQueue(queueName, {});
    const [result] = await publish([accepted], now);
    return c.json(result, result?.deduplicated ? 202 : 200);
  });

  app.post("/v2/batch", async (c) => {
    const entries = parseJson(await c.req.text());
    if (!Array.isArray(entries))
      throw new QStashError(400, "invalid request body: expected an array of messages");
    const now = Date.now();
    const accepted = entries.map((entry, index) => batchEntry(entry, index, c, now));
    for (const name of new Set(accepted.map(({ message }) => message.queueName))) {
      if (name !== undefined && !engine.queue(name)) await engine.configureQueue(name, {});
    }
    return c.json(await publish(accepted, now));
  });

  app.get("/v2/workflows/runs/:runId", async (c) => {
    const run = await workflows.get(c.req.param("runId"));
    if (!run) throw notFound("workflow run");
    return c.json(run.steps);
  });

  /** Ends a run; with `cancel`, also drops its pending messages. False when nothing was known. */
  const endRun = async (runId: string, cancel: boolean) => {
    const dropped = cancel ? await engine.cancel(engine.idsWhere({ workflowRunId: [runId] })) : 0;
    return (await workflows.end(runId)) || dropped > 0;
  };

  app.delete("/v2/workflows/runs/:runId", async (c) => {
    // The SDK ends a finished run with cancel=false, and cancels one with cancel=true.
    if (!(await endRun(c.req.param("runId"), c.req.query("cancel") === "true"))) {
      throw notFound("workflow run");
    }
    return c.json({});
  });

  app.delete("/v2/workflows/runs", async (c) => {
    const runIds = listParam(c, "workflowRunIds");
    if (!runIds) {
      throw new QStashError(400, "awl dev cancels workflow runs by id only: pass workflowRunIds");
    }
    let cancelled = 0;
    for (const runId of runIds) if (await endRun(runId, true)) cancelled += 1;
    return c.json({ cancelled });
  });

  app.get("/v2/messages/:messageId", (c) => {
    const message = engine.get(c.req.param("messageId"));
    if (!message) throw notFound("message");
    return c.json(messageView(message));
  });

  app.delete("/v2/messages/:messageId", async (c) => {
    const cancelled = await engine.cancel([c.req.param("messageId")]);
    if (cancelled === 0) throw notFound("message");
    return c.json({ cancelled });
  });

  app.delete("/v2/messages", async (c) => {
    const ids = listParam(c, "messageIds") ?? engine.idsWhere(messageFilter(c));
    return c.json({ cancelled: await engine.cancel(ids) });
  });

  app.get("/v2/dlq", async (c) => {
    const { records, cursor } = await dlqPage(c, store);
    return c.json({ messages: records.map(dlqView), ...(cursor ? { cursor } : {}) });
  });

  app.delete("/v2/dlq", async (c) => {
    const { records, cursor } = await dlqPage(c, store);
    const deleted = await store.dlqDelete(records.map(({ dlqId }) => dlqId));
    return c.json({ deleted, ...(cursor ? { cursor } : {}) });
  });

  app.post("/v2/dlq/retry", async (c) => {
    const { records, cursor } = await dlqPage(c, store);
    const responses = await engine.retryDeadLetters(records);
    return c.json({ responses, ...(cursor ? { cursor } : {}) });
  });

  app.post("/v2/dlq/retry/:dlqId", async (c) => {
    const record = await store.dlqGet(c.req.param("dlqId"));
    if (!record) throw notFound("dlq message");
    const [result] = await engine.retryDeadLetters([record]);
    return c.json(result, 201);
  });

  app.get("/v2/dlq/:dlqId", async (c) => {
    const record = await store.dlqGet(c.req.param("dlqId"));
    if (!record) throw notFound("dlq message");
    return c.json(dlqView(record));
  });

  app.delete("/v2/dlq/:dlqId", async (c) => {
    if ((await store.dlqDelete([c.req.param("dlqId")])) === 0) throw notFound("dlq message");
    return c.body(null, 200);
  });

  app.post("/v2/queues", async (c) => {
    const input = parseJson(await c.req.text());
    if (!isRecord(input) || typeof input.queueName !== "string") {
      throw new QStashError(400, "invalid request body: queueName is required");
    }
    const { parallelism = 1, paused = false } = input;
    if (typeof parallelism !== "number" || !Number.isInteger(parallelism) || parallelism < 1) {
      throw new QStashError(400, "invalid request body: parallelism must be a positive integer");
    }
    if (typeof paused !== "boolean")
      throw new QStashError(400, "invalid request body: paused must be a boolean");
    await engine.configureQueue(checkQueueName(input.queueName), { parallelism, paused });
    return c.body(null, 200);
  });

  app.get("/v2/queues", (c) => c.json(engine.queues()));

  app.get("/v2/queues/:queueName", (c) => {
    const queue = engine.queue(checkQueueName(c.req.param("queueName")));
    if (!queue) throw notFound("queue");
    return c.json(queue);
  });

  app.delete("/v2/queues/:queueName", async (c) => {
    await engine.deleteQueue(checkQueueName(c.req.param("queueName")));
    return c.body(null, 200);
  });

  for (const action of ["pause", "resume"] as const) {
    app.post(`/v2/queues/:queueName/${action}`, async (c) => {
      const name = checkQueueName(c.req.param("queueName"));
      if (!engine.queue(name)) throw notFound("queue");
      await engine.configureQueue(name, { paused: action === "pause" });
      return c.body(null, 200);
    });
  }

  app.notFound((c) => c.json({ error: "not found" }, 404));

  app.onError((error, c) => {
    if (error instanceof QStashError) return c.json({ error: error.message }, error.status);
    return c.json({ error: `internal error: ${error.message}` }, 500);
  });

  return app;
}
