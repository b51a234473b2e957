import { describe, expect, test } from "vitest";
import { randomBytes } from "node:crypto";
import { apiKeyChecker, apiKeyWeakness, generateApiKey, parseApiKeys } from "./auth.ts";

describe("parseApiKeys", () => {
  test("reads one key or several comma-separated keys, ignoring blanks and spaces", () => {
    expect(parseApiKeys("k1")).toEqual(["k1"]);
    expect(parseApiKeys(" k1 , k2,, ")).toEqual(["k1", "k2"]);
    expect(parseApiKeys(undefined)).toEqual([]);
  });
});

describe("apiKeyWeakness", () => {
  test("generated keys and random keys of 32 hex or base64 characters are strong enough", () => {
    for (let i = 0; i < 100; i++) {
      for (const key of [
        generateApiKey(),
        randomBytes(16).toString("hex"),
        randomBytes(24).toString("base64"),
      ]) {
        expect(apiKeyWeakness(key), key).toBeUndefined();
      }
    }
    expect(apiKeyWeakness(crypto.randomUUID())).toBeUndefined();
  });

  test("a short key, or a long one of a few characters or a repeated word, is not", () => {
    expect(apiKeyWeakness("k")).toBe("has 1 character; at least 32 are needed");
    expect(apiKeyWeakness("test-key-current")).toBe("has 16 characters; at least 32 are needed");
    expect(apiKeyWeakness("a".repeat(64))).toBe("uses only 1 different characters, so it is not random");
    expect(apiKeyWeakness("abab".repeat(10))).toMatch(/uses only 2 different characters/);
    for (const key of ["password1password1password1password1", "12345678901234567890123456789012"]) {
      expect(apiKeyWeakness(key), key).toMatch(/repeats a run of 8 characters/);
    }
  });
});

describe("apiKeyChecker", () => {
  const current = `current-${randomBytes(16).toString("hex")}`;
  const previous = `previous-${randomBytes(16).toString("hex")}`;
  const check = apiKeyChecker([current, previous]);

  test("accepts every configured key, so a key can be rotated without downtime", () => {
    expect(check(`Bearer ${current}`)).toEqual({ ok: true });
    expect(check(`Bearer ${previous}`)).toEqual({ ok: true });
    expect(check(`bearer ${current}`)).toEqual({ ok: true });
  });

  test("a weak configured key refuses every request, naming its source and position, never the key", () => {
    const weak = apiKeyChecker([current, "secret"], "AWL_API_KEY");
    for (const header of [`Bearer ${current}`, "Bearer secret"]) {
      const result = weak(header);
      expect(result).toMatchObject({ ok: false, status: 500, reason: "unconfigured" });
      expect(JSON.stringify(result)).toMatch(/AWL_API_KEY is too weak: key 2 of 2 has 6 characters/);
      expect(JSON.stringify(result)).not.toContain("secret");
    }
  });

  test("names the problem: no key, a malformed header, a key not accepted", () => {
    expect(check(null)).toMatchObject({
      ok: false,
      status: 401,
      reason: "missing",
      error: expect.stringContaining("no API key"),
    });
    expect(check("Basic dXNlcjpwYXNz")).toMatchObject({
      ok: false,
      status: 401,
      error: expect.stringContaining("Bearer"),
    });
    expect(check("Bearer retired")).toEqual({
      ok: false,
      status: 401,
      reason: "wrong",
      error: "API key not accepted",
    });
    // A prefix or an extension of a valid key is not that key.
    expect(check(`Bearer ${current.slice(0, -1)}`)).toMatchObject({ ok: false, reason: "wrong" });
    expect(check(`Bearer ${current}0`)).toMatchObject({ ok: false, reason: "wrong" });
  });

  test("never echoes the presented key", () => {
    const result = check("Bearer sk_live_secret");
    expect(JSON.stringify(result)).not.toContain("sk_live_secret");
  });

  test("with no key configured, refuses everything and says how to configure one", () => {
    expect(apiKeyChecker([])("Bearer anything")).toMatchObject({
      ok: false,
      status: 500,
      error: expect.stringContaining("AWL_API_KEY"),
    });
  });
});
