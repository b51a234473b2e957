/**
 * API-key authentication for the events API: a Bearer key checked against every configured key
 * (several are valid at once, so a key can be rotated without downtime). Keys are compared as
 * SHA-256 digests with `timingSafeEqual`, so neither a key's content nor its length leaks through
 * timing, and every configured key is compared whatever matched. Keys are never logged or echoed.
 */
import { createHash, timingSafeEqual } from "node:crypto";

export type AuthResult = { ok: true } | { ok: false; status: 401 | 500; error: string };

/** `AWL_API_KEY` holds one key or several, comma-separated (old and new during a rotation). */
export function parseApiKeys(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((key) => key.trim())
    .filter(Boolean);
}

const digest = (key: string) => createHash("sha256").update(key, "utf8").digest();

/** Builds a checker for the Authorization header of a request. */
export function apiKeyChecker(keys: readonly string[]): (authorization: string | null) => AuthResult {
  const digests = keys.map(digest);
  return (authorization) => {
    if (digests.length === 0) {
      return {
        ok: false,
        status: 500,
        error: "the events API has no API key configured: set AWL_API_KEY in the site's environment",
      };
    }
    if (!authorization) {
      return {
        ok: false,
        status: 401,
        error: "no API key: send the header `Authorization: Bearer <API key>`",
      };
    }
    const key = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    if (!key) {
      return {
        ok: false,
        status: 401,
        error: "no API key: the Authorization header must be `Bearer <API key>`",
      };
    }
    const presented = digest(key);
    let accepted = false;
    for (const candidate of digests) accepted = timingSafeEqual(presented, candidate) || accepted;
    return accepted ? { ok: true } : { ok: false, status: 401, error: "API key not accepted" };
  };
}
