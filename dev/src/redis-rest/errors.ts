/**
 * Errors as Upstash sends them and @upstash/redis reads them. Every failure is a JSON body
 * `{"error": "<message>"}`: on a non-2xx status the client throws
 * `UpstashError("<error>, command was: [...]")`, and it can only do that when the body parses as
 * JSON with an `error` field (anything else becomes an opaque UpstashJSONParseError). Statuses
 * follow Upstash: 400 for a malformed request or a failed command, 401 for a missing or wrong
 * token, 405 for an unsupported method.
 */
import type { RedisCommand } from "./commands.ts";

export interface ErrorBody {
  error: string;
}

/** A request rejected before anything ran; its message is the whole error the client sees. */
export class BadRequestError extends Error {
  override name = "BadRequestError";
}

export const WRONG_TOKEN = "WRONGPASS invalid or missing auth token";

export const METHOD_NOT_ALLOWED =
  "ERR Method not allowed: the Upstash REST API accepts GET, HEAD, POST and PUT";

export function errorBody(message: string): ErrorBody {
  return { error: message };
}

/** Anything a backend rejected with, as the Error a reply carries. */
export function asError(thrown: unknown): Error {
  return thrown instanceof Error ? thrown : new Error(String(thrown));
}

/**
 * The error for a transaction of which nothing ran. Redis's own EXECABORT message only says that
 * something was wrong; which command, and why, is what the user has to fix.
 */
export function transactionDiscarded(command: RedisCommand, index: number, reason: string): Error {
  return new Error(
    `EXECABORT Transaction discarded because of previous errors. Command ${index + 1} [${command.name}] failed: ${reason}`,
  );
}
