/**
 * What a message is: the record persisted in Redis for every accepted message (everything needed
 * to deliver, retry, dead-letter and call back, with nothing derived), its identifiers, and the JSON
 * views the QStash API returns for it (`GET /v2/messages/{id}`, DLQ entries, callback bodies).
 */
import { isUtf8 } from "node:buffer";
import type { FlowControlLimits } from "./flow-control.ts";
import { randomToken } from "./signing.ts";

/** A request's headers, names lower-case (as Node and the Fetch API give them). */
export type HeaderMap = ReadonlyMap<string, string>;

/** A callback or failure callback: where it goes and the `Upstash-*` headers it is published with. */
export interface CallbackSpec {
  url: string;
  headers: Record<string, string>;
}

export interface StoredMessage {
  id: string;
  url: string;
  method: string;
  /** Headers delivered to the destination: the forwarded ones (prefix stripped) and Content-Type. */
  headers: Record<string, string>;
  body?: string;
  /** The body when it is not valid UTF-8. */
  bodyBase64?: string;
  maxRetries: number;
  /** Attempts that failed so far; the next attempt is sent with `Upstash-Retried: retried`. */
  retried: number;
  retryDelay?: string;
  timeoutMs?: number;
  /** When the first attempt is due (ms since epoch). */
  notBefore: number;
  createdAt: number;
  callerIp?: string;
  queueName?: string;
  /** Position in its queue. A callback inherits its parent's, so it holds the parent's FIFO slot. */
  queueOrder?: string;
  flowControl?: FlowControlLimits & { key: string };
  labels?: string[];
  callback?: CallbackSpec;
  failureCallback?: CallbackSpec;
  /** Set on the messages that carry callbacks, which count as failed callbacks if dead-lettered. */
  origin?: "callback" | "failure-callback";
  /** The Upstash Workflow run this message is a step of (see workflow.ts). */
  workflowRunId?: string;
}

export interface DeliveryResponse {
  status: number;
  headers: Record<string, string[]>;
  body: Buffer;
}

export interface DlqRecord {
  dlqId: string;
  message: StoredMessage;
  failedAt: number;
  response?: { status: number; headers: Record<string, string[]>; body?: string; bodyBase64?: string };
  error?: string;
}

// Base62 in ASCII order: ids sort lexicographically in creation order, which queues rely on.
const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const base62 = (value: number, width: number) => {
  let out = "";
  let rest = value;
  for (let i = 0; i < width; i += 1) {
    out = ALPHABET[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
};

let lastMs = 0;
let sequence = 0;

/** `msg_` + time (8) + per-millisecond sequence (3) + random (12): unique and time-ordered. */
export function newMessageId(): string {
  const now = Math.max(Date.now(), lastMs);
  sequence = now === lastMs ? sequence + 1 : 0;
  lastMs = now;
  return `msg_${base62(now, 8)}${base62(sequence, 3)}${randomToken(12)}`;
}

let lastDlqMs = 0;
let dlqSequence = 0;

/** QStash's DLQ ids look like Redis stream ids ("1725323658779-0"); so do these. */
export function newDlqId(): string {
  const now = Math.max(Date.now(), lastDlqMs);
  dlqSequence = now === lastDlqMs ? dlqSequence + 1 : 0;
  lastDlqMs = now;
  return `${now}-${dlqSequence}`;
}

/** Go's http.CanonicalHeaderKey, which is how QStash spells header names back to you. */
export function canonicalHeaderName(name: string): string {
  return name
    .toLowerCase()
    .replace(/(^|-)([a-z])/g, (_match, dash: string, letter: string) => dash + letter.toUpperCase());
}

export function encodeBody(body: Buffer): { body?: string; bodyBase64?: string } {
  if (body.length === 0) return {};
  return isUtf8(body) ? { body: body.toString("utf8") } : { bodyBase64: body.toString("base64") };
}

export function decodeBody(message: { body?: string; bodyBase64?: string }): Buffer {
  if (message.bodyBase64 !== undefined) return Buffer.from(message.bodyBase64, "base64");
  return Buffer.from(message.body ?? "", "utf8");
}

const asHeaderLists = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]]));

/** The `Message` JSON of `GET /v2/messages/{id}`. */
export function messageView(message: StoredMessage): Record<string, unknown> {
  const flow = message.flowControl;
  return {
    messageId: message.id,
    url: message.url,
    method: message.method,
    header: asHeaderLists(message.headers),
    ...(message.body !== undefined ? { body: message.body } : {}),
    ...(message.bodyBase64 !== undefined ? { bodyBase64: message.bodyBase64 } : {}),
    maxRetries: message.maxRetries,
    ...(message.retryDelay !== undefined ? { retryDelayExpression: message.retryDelay } : {}),
    notBefore: message.notBefore,
    createdAt: message.createdAt,
    ...(message.callback ? { callback: message.callback.url } : {}),
    ...(message.failureCallback ? { failureCallback: message.failureCallback.url } : {}),
    ...(message.queueName !== undefined ? { queueName: message.queueName } : {}),
    ...(message.callerIp !== undefined ? { callerIP: message.callerIp } : {}),
    ...(message.labels?.length ? { label: message.labels[0], labels: message.labels } : {}),
    ...(flow
      ? {
          flowControlKey: flow.key,
          ...(flow.parallelism !== undefined ? { parallelism: flow.parallelism } : {}),
          ...(flow.rate !== undefined ? { rate: flow.rate, period: flow.period } : {}),
        }
      : {}),
  };
}

/** A `DlqMessage`: the message as it was, plus the last failed response. */
export function dlqView(record: DlqRecord): Record<string, unknown> {
  const response = record.response;
  return {
    ...messageView(record.message),
    dlqId: record.dlqId,
    ...(response
      ? {
          responseStatus: response.status,
          responseHeader: response.headers,
          ...(response.body !== undefined ? { responseBody: response.body } : {}),
          ...(response.bodyBase64 !== undefined ? { responseBodyBase64: response.bodyBase64 } : {}),
        }
      : {}),
  };
}
