import { describe, expect, test } from "vitest";
import { apiKeyChecker, parseApiKeys } from "./auth.ts";

describe("parseApiKeys", () => {
  test("reads one key or several comma-separated keys, ignoring blanks and spaces", () => {
    expect(parseApiKeys("k1")).toEqual(["k1"]);
    expect(parseApiKeys(" k1 , k2,, ")).toEqual(["k1", "k2"]);
    expect(parseApiKeys(undefined)).toEqual([]);
  });
});

describe("apiKeyChecker", () => {
  const check = apiKeyChecker(["current", "previous"]);

  test("accepts every configured key, so a key can be rotated without downtime", () => {
    expect(check("Bearer current")).toEqual({ ok: true });
    expect(check("Bearer previous")).toEqual({ ok: true });
    expect(check("bearer current")).toEqual({ ok: true });
  });

  test("names the problem: no key, a malformed header, a key not accepted", () => {
    expect(check(null)).toMatchObject({
      ok: false,
      status: 401,
      error: expect.stringContaining("no API key"),
    });
    expect(check("Basic dXNlcjpwYXNz")).toMatchObject({
      ok: false,
      status: 401,
      error: expect.stringContaining("Bearer"),
    });
    expect(check("Bearer retired")).toEqual({ ok: false, status: 401, error: "API key not accepted" });
    // A prefix or an extension of a valid key is not that key.
    expect(check("Bearer curren")).toMatchObject({ ok: false });
    expect(check("Bearer current0")).toMatchObject({ ok: false });
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
