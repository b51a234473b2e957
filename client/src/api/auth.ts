/**
 * API-key authentication for the events API: a Bearer key checked against every configured key
 * (several are valid at once, so a key can be rotated without downtime). Keys are compared as
 * SHA-256 digests with `timingSafeEqual`, so neither a key's content nor its length leaks through
 * timing, and every configured key is compared whatever matched. Keys are never logged or echoed.
 *
 * It also owns what a key must be: at least MIN_API_KEY_LENGTH characters, not a word or a pattern
 * repeated to length. Configured keys that are not refuse every request, rather than protect the API
 * with something guessable; generated keys always are.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";

/** Why a request was refused: only a `wrong` key counts as a guess (failure-limiter.ts). */
export type AuthResult =
  | { ok: true }
  | { ok: false; status: 401 | 500; reason: "unconfigured" | "missing" | "wrong"; error: string };

export const MIN_API_KEY_LENGTH = 32;
/**
 * A key must use at least this many different characters, and repeat no run of REPEAT_LENGTH
 * characters: that refuses a word or a pattern repeated to length ("passwordpassword...",
 * "1234567890123..."), while a random key of 32 hex characters fails either check less than once in
 * a million (measured), and base64 keys never do.
 */
const MIN_DISTINCT_CHARACTERS = 8;
const REPEAT_LENGTH = 8;

/** A new key: 256 random bits, `awl_` and 43 base64url characters. */
export const generateApiKey = (): string => `awl_${randomBytes(32).toString("base64url")}`;

/** What makes a key too weak to accept (a phrase to follow "key N"), or undefined when it is strong enough. */
export function apiKeyWeakness(key: string): string | undefined {
  const characters = [...key];
  if (characters.length < MIN_API_KEY_LENGTH) {
    const plural = characters.length === 1 ? "" : "s";
    return `has ${characters.length} character${plural}; at least ${MIN_API_KEY_LENGTH} are needed`;
  }
  const distinct = new Set(characters).size;
  if (distinct < MIN_DISTINCT_CHARACTERS) {
    return `uses only ${distinct} different characters, so it is not random`;
  }
  const runs = new Set<string>();
  for (let at = 0; at + REPEAT_LENGTH <= characters.length; at++) {
    const run = characters.slice(at, at + REPEAT_LENGTH).join("");
    if (runs.has(run))
      return `repeats a run of ${REPEAT_LENGTH} characters (a word or a pattern), so it is not random`;
    runs.add(run);
  }
  return undefined;
}

/**
 * Why a set of configured keys cannot be used, naming where they come from (`AWL_API_KEY`) and each
 * weak key by its position, never its content; undefined when every key is strong enough.
 */
export function weakApiKeys(keys: readonly string[], source: string): string | undefined {
  const problems = keys.flatMap((key, index) => {
    const weakness = apiKeyWeakness(key);
    return weakness ? [`key ${index + 1} of ${keys.length} ${weakness}`] : [];
  });
  if (problems.length === 0) return undefined;
  return (
    `${source} is too weak: ${problems.join("; ")}. Use random keys of at least ${MIN_API_KEY_LENGTH} characters, ` +
    "such as the output of `openssl rand -base64 32`, or create one in the extension's API keys."
  );
}

/** `AWL_API_KEY` holds one key or several, comma-separated (old and new during a rotation). */
export function parseApiKeys(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((key) => key.trim())
    .filter(Boolean);
}

/** The variable that holds the site's API keys, comma-separated. */
export const API_KEY_VARIABLE = "AWL_API_KEY";
/** Netlify's rotation: one key per `AWL_API_KEY_P<n>`, the highest `n` the newest. */
export const ROTATED_API_KEY_VARIABLE = /^AWL_API_KEY_P(\d+)$/;
/** Where the keys may come from, for messages. */
export const API_KEY_SOURCES = "AWL_API_KEY (or AWL_API_KEY_P<n>)";

/** The variables an environment's keys come from, in apiKeysFromEnv's order, for messages. */
export function apiKeySource(env: Readonly<Record<string, string | undefined>>): string {
  const rotated = Object.keys(env).some((name) => ROTATED_API_KEY_VARIABLE.test(name) && env[name]?.trim());
  return rotated ? `AWL_API_KEY_P<n> and ${API_KEY_VARIABLE}` : API_KEY_VARIABLE;
}

/**
 * Every API key an environment configures, the one to send with first: Netlify's
 * `AWL_API_KEY_P<n>` from the highest `n` down (as Netlify's package sends with the highest), then
 * the keys of `AWL_API_KEY` in order. The events API accepts any of them.
 */
export function apiKeysFromEnv(env: Readonly<Record<string, string | undefined>>): string[] {
  const rotated = Object.entries(env)
    .flatMap(([name, value]) => {
      const n = ROTATED_API_KEY_VARIABLE.exec(name)?.[1];
      return n === undefined || !value?.trim() ? [] : [{ n: Number(n), key: value.trim() }];
    })
    .sort((a, b) => b.n - a.n)
    .map(({ key }) => key);
  return [...new Set([...rotated, ...parseApiKeys(env[API_KEY_VARIABLE])])];
}

const digest = (key: string) => createHash("sha256").update(key, "utf8").digest();

/**
 * Builds a checker for the Authorization header of a request. `source` names where the keys come
 * from in the error a weak key causes.
 */
export function apiKeyChecker(
  keys: readonly string[],
  source = API_KEY_SOURCES,
): (authorization: string | null) => AuthResult {
  const digests = keys.map(digest);
  const weak = weakApiKeys(keys, source);
  return (authorization) => {
    if (digests.length === 0) {
      return {
        ok: false,
        status: 500,
        reason: "unconfigured",
        error: `the events API has no API key configured: set ${API_KEY_SOURCES} in the site's environment`,
      };
    }
    if (weak) return { ok: false, status: 500, reason: "unconfigured", error: weak };
    if (!authorization) {
      return {
        ok: false,
        status: 401,
        reason: "missing",
        error: "no API key: send the header `Authorization: Bearer <API key>`",
      };
    }
    const key = /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
    if (!key) {
      return {
        ok: false,
        status: 401,
        reason: "missing",
        error: "no API key: the Authorization header must be `Bearer <API key>`",
      };
    }
    const presented = digest(key);
    let accepted = false;
    for (const candidate of digests) accepted = timingSafeEqual(presented, candidate) || accepted;
    return accepted
      ? { ok: true }
      : { ok: false, status: 401, reason: "wrong", error: "API key not accepted" };
  };
}
