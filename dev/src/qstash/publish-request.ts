/**
 * Reading a publish: the destination and the `Upstash-*` headers of `POST /v2/publish`,
 * `/v2/enqueue` and each `/v2/batch` entry (and the derived headers of callbacks) into a fully
 * checked message. Everything is validated here, before anything is stored, so bad input gets a 400
 * naming the header and changes nothing. Error texts follow QStash's (Go) wording where it is known.
 */
import { createHash } from "node:crypto";
import { DurationError, parseDuration } from "./duration.ts";
import { QStashError } from "./errors.ts";
import { FlowControlError, parseFlowControlValue } from "./flow-control.ts";
import {
  canonicalHeaderName,
  encodeBody,
  newMessageId,
  type CallbackSpec,
  type HeaderMap,
  type StoredMessage,
} from "./message.ts";
import { compileRetryDelay, RetryDelayError } from "./retry-delay.ts";
import { workflowMark, type WorkflowMark } from "./workflow.ts";

/** QStash's default when `Upstash-Retries` is absent. */
export const DEFAULT_RETRIES = 3;

/** Deduplication ids and content hashes are remembered this long (QStash: 10 minutes). */
export const DEDUPLICATION_WINDOW_MS = 10 * 60_000;

const METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]);
const FORWARD = "upstash-forward-";

export interface AcceptedMessage {
  message: StoredMessage;
  /** Redis-independent deduplication key ("id:..." or "content:..."), if the publisher asked for it. */
  deduplicationKey?: string;
  /** Set when the message is a step of an Upstash Workflow run (see workflow.ts). */
  workflow?: WorkflowMark;
}

export interface PublishInput {
  destination: string;
  headers: HeaderMap;
  body: Buffer;
  queueName?: string;
  callerIp?: string;
  now: number;
}

/** Checks a destination or callback URL; some proxies fold "https://" to "https:/", so that is repaired. */
export function checkUrl(raw: string, what: string): string {
  const url = raw.replace(/^(https?):\/(?!\/)/i, "$1://");
  if (!/^https?:\/\//i.test(url)) {
    throw new QStashError(400, `invalid ${what} url: endpoint has invalid scheme, add http:// or https://`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new QStashError(400, `invalid ${what} url: ${JSON.stringify(url)} is not a valid url`);
  }
  if (parsed.hostname === "") throw new QStashError(400, `invalid ${what} url: missing host`);
  return url;
}

const headerError = (name: string, detail: string) =>
  new QStashError(400, `invalid ${name} header: ${detail}`);

function parseInteger(headers: HeaderMap, name: string): number | undefined {
  const raw = headers.get(name.toLowerCase());
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  if (!/^\d+$/.test(trimmed)) {
    throw headerError(name, `strconv.ParseInt: parsing ${JSON.stringify(raw)}: invalid syntax`);
  }
  return Number(trimmed);
}

function parseDurationHeader(headers: HeaderMap, name: string): number | undefined {
  const raw = headers.get(name.toLowerCase());
  if (raw === undefined) return undefined;
  try {
    return parseDuration(raw.trim());
  } catch (error) {
    throw headerError(name, (error as DurationError).message);
  }
}

/**
 * `Upstash-Callback-Retries: 2` configures the callback as `Upstash-Retries: 2` configures the
 * message, and `Upstash-Callback-Forward-X` becomes the callback's `Upstash-Forward-X`.
 */
function callbackSpec(headers: HeaderMap, header: string, retries: number): CallbackSpec | undefined {
  const raw = headers.get(header);
  if (raw === undefined) return undefined;
  const url = checkUrl(raw.trim(), header === "upstash-callback" ? "callback" : "failure callback");
  const prefix = `${header}-`;
  const derived: Record<string, string> = { "upstash-retries": String(retries) };
  for (const [name, value] of headers) {
    if (name.startsWith(prefix)) derived[`upstash-${name.slice(prefix.length)}`] = value;
  }
  return { url, headers: derived };
}

function forwardedHeaders(headers: HeaderMap): Record<string, string> {
  const forwarded: Record<string, string> = {};
  const contentType = headers.get("content-type");
  if (contentType !== undefined) forwarded["Content-Type"] = contentType;
  for (const [name, value] of headers) {
    if (name.startsWith(FORWARD) && name.length > FORWARD.length) {
      forwarded[canonicalHeaderName(name.slice(FORWARD.length))] = value;
    }
  }
  return forwarded;
}

function contentHash(url: string, headers: Record<string, string>, body: Buffer): string {
  const hash = createHash("sha256").update(url).update("\n");
  for (const name of Object.keys(headers).sort()) hash.update(`${name}:${headers[name]}\n`);
  return hash.update(body).digest("base64url");
}

/** Builds the message a publish describes, or throws a 400 QStashError naming what is wrong. */
export function acceptPublish(input: PublishInput): AcceptedMessage {
  const { headers, now } = input;
  const url = checkUrl(input.destination, "destination");

  const method = (headers.get("upstash-method") ?? "POST").trim().toUpperCase();
  if (!METHODS.has(method))
    throw headerError("Upstash-Method", `${JSON.stringify(method)} is not a valid http method`);

  const maxRetries = parseInteger(headers, "Upstash-Retries") ?? DEFAULT_RETRIES;

  const retryDelay = headers.get("upstash-retry-delay")?.trim();
  if (retryDelay !== undefined) {
    try {
      compileRetryDelay(retryDelay);
    } catch (error) {
      throw headerError("Upstash-Retry-Delay", (error as RetryDelayError).message);
    }
  }

  const timeoutMs = parseDurationHeader(headers, "Upstash-Timeout");
  if (timeoutMs !== undefined && timeoutMs <= 0) throw headerError("Upstash-Timeout", "must be positive");

  // Upstash-Not-Before (unix seconds) wins over Upstash-Delay, as in QStash.
  const notBeforeS = parseInteger(headers, "Upstash-Not-Before");
  const delayMs = parseDurationHeader(headers, "Upstash-Delay");
  const notBefore = notBeforeS !== undefined ? notBeforeS * 1000 : now + Math.max(0, delayMs ?? 0);

  let flowControl: StoredMessage["flowControl"];
  const flowKey = headers.get("upstash-flow-control-key");
  const flowValue = headers.get("upstash-flow-control-value");
  if (flowKey !== undefined || flowValue !== undefined) {
    if (!flowKey?.trim())
      throw headerError("Upstash-Flow-Control-Key", "required with Upstash-Flow-Control-Value");
    if (flowValue === undefined)
      throw headerError("Upstash-Flow-Control-Value", "required with Upstash-Flow-Control-Key");
    try {
      flowControl = { key: flowKey.trim(), ...parseFlowControlValue(flowValue) };
    } catch (error) {
      throw headerError("Upstash-Flow-Control-Value", (error as FlowControlError).message);
    }
  }

  const callback = callbackSpec(headers, "upstash-callback", maxRetries);
  const failureCallback = callbackSpec(headers, "upstash-failure-callback", maxRetries);
  // A callback is itself a publish: check its configuration now rather than when it is due.
  for (const spec of [callback, failureCallback]) {
    if (spec)
      acceptPublish({
        destination: spec.url,
        headers: new Map(Object.entries(spec.headers)),
        body: Buffer.alloc(0),
        now,
      });
  }

  const labels = headers
    .get("upstash-label")
    ?.split(",")
    .map((label) => label.trim())
    .filter((label) => label !== "");

  const forwarded = forwardedHeaders(headers);
  const message: StoredMessage = {
    id: newMessageId(),
    url,
    method,
    headers: forwarded,
    ...encodeBody(input.body),
    maxRetries,
    retried: 0,
    ...(retryDelay !== undefined ? { retryDelay } : {}),
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    notBefore,
    createdAt: now,
    ...(input.callerIp !== undefined ? { callerIp: input.callerIp } : {}),
    ...(input.queueName !== undefined ? { queueName: input.queueName } : {}),
    ...(flowControl ? { flowControl } : {}),
    ...(labels?.length ? { labels } : {}),
    ...(callback ? { callback } : {}),
    ...(failureCallback ? { failureCallback } : {}),
  };
  if (message.queueName !== undefined) message.queueOrder = message.id;

  const deduplicationId = headers.get("upstash-deduplication-id");
  const contentBased = headers.get("upstash-content-based-deduplication")?.trim().toLowerCase() === "true";
  const deduplicationKey =
    deduplicationId !== undefined && deduplicationId !== ""
      ? `id:${deduplicationId}`
      : contentBased
        ? `content:${contentHash(url, forwarded, input.body)}`
        : undefined;
  const workflow = workflowMark(headers);
  return {
    message,
    ...(deduplicationKey ? { deduplicationKey } : {}),
    ...(workflow ? { workflow } : {}),
  };
}
