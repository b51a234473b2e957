/**
 * The Upstash connection test: really calls the Redis REST endpoint (PING, with the official
 * client) and QStash (`GET /v2/keys`, which answers the account's signing keys) with the
 * credentials a site owner typed, and says for each which field is wrong and why: a host that
 * cannot be reached, a token refused, something that is not an Upstash endpoint, signing keys that
 * are not this account's. Each check gives up after a timeout. Nothing is stored here.
 */
import { Redis } from "@upstash/redis";
import type { CredentialField, UpstashCredentials } from "./schemas.ts";

export type Check = { ok: true; detail: string } | { ok: false; field: CredentialField; error: string };
export interface ConnectionReport {
  redis: Check;
  qstash: Check;
}

export interface ConnectionTestOptions {
  fetch: typeof fetch;
  timeoutMs: number;
}

export const DEFAULT_CHECK_TIMEOUT_MS = 5_000;

export async function testConnection(
  credentials: UpstashCredentials,
  options: ConnectionTestOptions,
): Promise<ConnectionReport> {
  const [redis, qstash] = await Promise.all([
    checkRedis(credentials, options.timeoutMs),
    checkQStash(credentials, options),
  ]);
  return { redis, qstash };
}

const hostOf = (url: string) => new URL(url).host;
const seconds = (timeoutMs: number) => `${Math.round(timeoutMs / 100) / 10} s`;
const snippet = (text: string) => JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);

/** Why a fetch failed, e.g. "getaddrinfo ENOTFOUND example.invalid" or "connect ECONNREFUSED …". */
function networkReason(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  if (cause instanceof Error && cause.message) return cause.message;
  return error instanceof Error ? error.message : String(error);
}

export async function checkRedis({ redisRestUrl, redisRestToken }: UpstashCredentials, timeoutMs: number) {
  const host = hostOf(redisRestUrl);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  const refusedUrl = (error: string): Check => ({ ok: false, field: "redisRestUrl", error });
  try {
    const redis = new Redis({
      url: redisRestUrl,
      token: redisRestToken,
      retry: false,
      enableTelemetry: false,
      automaticDeserialization: false,
      signal: controller.signal,
    });
    // The client answers an aborted request with the abort reason instead of throwing.
    const answer: unknown = await redis.ping();
    if (controller.signal.aborted) return refusedUrl(`${host} did not answer within ${seconds(timeoutMs)}`);
    if (answer !== "PONG") {
      return refusedUrl(
        `${host} answered PING with ${snippet(String(answer))}: not an Upstash Redis REST API`,
      );
    }
    return { ok: true, detail: `connected to ${host}: PING answered PONG` } satisfies Check;
  } catch (error) {
    if (controller.signal.aborted) return refusedUrl(`${host} did not answer within ${seconds(timeoutMs)}`);
    const name = error instanceof Error ? error.name : "";
    const message = error instanceof Error ? error.message.replace(/, command was: .*$/s, "") : String(error);
    if (name === "UpstashError" && /WRONGPASS|unauthori[sz]ed|NOPERM|invalid .*token/i.test(message)) {
      return {
        ok: false,
        field: "redisRestToken",
        error: `${host} refused the token (${message})`,
      } satisfies Check;
    }
    if (name === "UpstashJSONParseError") {
      const body = message.replace(/^Unable to parse response body: /, "");
      return refusedUrl(
        `${redisRestUrl} is not an Upstash Redis REST endpoint: it answered ${snippet(body)}`,
      );
    }
    if (name === "UpstashError") {
      return refusedUrl(
        `${redisRestUrl} is not an Upstash Redis REST endpoint: PING answered ${snippet(message)}`,
      );
    }
    return refusedUrl(`could not reach ${host}: ${networkReason(error)}`);
  } finally {
    clearTimeout(timer);
  }
}

export async function checkQStash(credentials: UpstashCredentials, options: ConnectionTestOptions) {
  const { qstashUrl, qstashToken, qstashCurrentSigningKey, qstashNextSigningKey } = credentials;
  const host = hostOf(qstashUrl);
  const refusedUrl = (error: string): Check => ({ ok: false, field: "qstashUrl", error });
  let response: Response;
  let text: string;
  try {
    response = await options.fetch(`${qstashUrl}/v2/keys`, {
      headers: { authorization: `Bearer ${qstashToken}`, accept: "application/json" },
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    text = await response.text();
  } catch (error) {
    if (error instanceof Error && (error.name === "TimeoutError" || error.name === "AbortError")) {
      return refusedUrl(`${host} did not answer within ${seconds(options.timeoutMs)}`);
    }
    return refusedUrl(`could not reach ${host}: ${networkReason(error)}`);
  }
  if (response.status === 401 || response.status === 403) {
    return {
      ok: false,
      field: "qstashToken",
      error: `${host} refused the token (${response.status}${text ? ` ${snippet(text)}` : ""})`,
    } satisfies Check;
  }
  let keys: unknown;
  try {
    keys = JSON.parse(text);
  } catch {
    keys = undefined;
  }
  const current = (keys as { current?: unknown } | undefined)?.current;
  const next = (keys as { next?: unknown } | undefined)?.next;
  if (!response.ok || typeof current !== "string" || typeof next !== "string") {
    return refusedUrl(
      `${qstashUrl} is not a QStash API: GET /v2/keys answered ${response.status} ${snippet(text)}`,
    );
  }
  if (qstashCurrentSigningKey !== current) {
    const swapped =
      qstashCurrentSigningKey === next ? " (it is the next signing key: the two are swapped)" : "";
    return {
      ok: false,
      field: "qstashCurrentSigningKey",
      error: `does not match the current signing key of this QStash account${swapped}`,
    } satisfies Check;
  }
  if (qstashNextSigningKey !== next) {
    return {
      ok: false,
      field: "qstashNextSigningKey",
      error: "does not match the next signing key of this QStash account",
    } satisfies Check;
  }
  return {
    ok: true,
    detail: `connected to ${host}: token accepted, both signing keys match`,
  } satisfies Check;
}
