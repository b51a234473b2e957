/**
 * The messages QStash creates on its own: a callback after each attempt (`Upstash-Callback`) and a
 * failure callback once retries are exhausted (`Upstash-Failure-Callback`). Each is a new, signed,
 * retried message to the callback URL whose JSON body describes the attempt, with the field names
 * of QStash's callback documentation (bodies base64, timestamps as strings of milliseconds).
 */
import type { DeliveryResponse, StoredMessage } from "./message.ts";
import { acceptPublish } from "./publish-request.ts";

const headerLists = (headers: Record<string, string>) =>
  Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]]));

const sourceBody = (message: StoredMessage) =>
  message.bodyBase64 ?? Buffer.from(message.body ?? "", "utf8").toString("base64");

export interface CallbackInput {
  parent: StoredMessage;
  kind: "callback" | "failure-callback";
  /** The destination's answer to the attempt, if it answered at all. */
  response?: DeliveryResponse;
  /** The attempt's `Upstash-Retried` (0 for the first attempt). */
  retried: number;
  dlqId?: string;
  now: number;
}

/** Returns the callback message for an attempt, or undefined when the parent asked for none. */
export function callbackMessage(input: CallbackInput): StoredMessage | undefined {
  const { parent, kind, response, now } = input;
  const spec = kind === "callback" ? parent.callback : parent.failureCallback;
  if (!spec) return undefined;
  const payload = {
    ...(response
      ? { status: response.status, header: response.headers, body: response.body.toString("base64") }
      : {}),
    retried: input.retried,
    maxRetries: parent.maxRetries,
    ...(input.dlqId !== undefined ? { dlqId: input.dlqId } : {}),
    sourceMessageId: parent.id,
    url: parent.url,
    method: parent.method,
    sourceHeader: headerLists(parent.headers),
    sourceBody: sourceBody(parent),
    notBefore: String(parent.notBefore),
    createdAt: String(parent.createdAt),
    ...(parent.callerIp !== undefined ? { callerIP: parent.callerIp } : {}),
  };
  const { message } = acceptPublish({
    destination: spec.url,
    headers: new Map(Object.entries(spec.headers)),
    body: Buffer.from(JSON.stringify(payload)),
    ...(parent.callerIp !== undefined ? { callerIp: parent.callerIp } : {}),
    now,
  });
  message.origin = kind;
  return message;
}
