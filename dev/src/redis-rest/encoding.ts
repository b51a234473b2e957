/**
 * Result encoding, exactly as @upstash/redis decodes it.
 *
 * With `Upstash-Encoding: base64` (the client sends it by default) every string in a result is the
 * base64 of its bytes, so values that are not UTF-8 survive JSON. The one exception is a whole result
 * that is exactly "OK": the client's decode() passes a top-level "OK" through untouched but
 * base64-decodes every string inside an array, so "OK" stays plain at the top and is encoded
 * anywhere deeper. (Status and bulk replies both arrive as bytes, so a stored value "OK" is sent
 * plain too; the client reads both the same way.) Integers stay JSON numbers and nil stays null;
 * error messages are never encoded.
 *
 * Without the header, strings are UTF-8 with invalid bytes replaced by U+FFFD, as Upstash documents.
 */
import type { Reply } from "./commands.ts";
import type { ErrorBody } from "./errors.ts";

export type ResponseEncoding = "base64" | "utf8";

export type Json = null | number | string | Json[];

export type Entry = { result: Json } | ErrorBody;

const OK = Buffer.from("OK");

export function responseEncoding(header: string | undefined): ResponseEncoding {
  return header?.toLowerCase() === "base64" ? "base64" : "utf8";
}

/** One command's outcome as a single-command body or a /pipeline and /multi-exec element. */
export function toEntry(reply: Reply, encoding: ResponseEncoding): Entry {
  if (reply instanceof Error) return { error: reply.message };
  if (encoding === "base64" && (reply === "OK" || (Buffer.isBuffer(reply) && reply.equals(OK)))) {
    return { result: "OK" };
  }
  return { result: encodeValue(reply, encoding) };
}

function encodeValue(reply: Reply, encoding: ResponseEncoding): Json {
  if (reply === null || typeof reply === "number") return reply;
  if (Array.isArray(reply)) return reply.map((element: Reply) => encodeValue(element, encoding));
  // An error inside an EVAL or EXEC array has no JSON type of its own; its message is the string.
  const bytes = reply instanceof Error ? reply.message : reply;
  if (encoding === "utf8") return typeof bytes === "string" ? bytes : bytes.toString("utf8");
  return (typeof bytes === "string" ? Buffer.from(bytes) : bytes).toString("base64");
}
