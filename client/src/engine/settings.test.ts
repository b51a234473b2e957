import { describe, expect, test } from "vitest";
import { DEFAULT_MAX_RETRIES, defaultMaxRetries } from "./settings.ts";

describe("defaultMaxRetries", () => {
  test("is AWL_MAX_RETRIES when the site sets it, else 4", () => {
    expect(defaultMaxRetries({})).toBe(DEFAULT_MAX_RETRIES);
    expect(defaultMaxRetries({ AWL_MAX_RETRIES: "" })).toBe(DEFAULT_MAX_RETRIES);
    expect(defaultMaxRetries({ AWL_MAX_RETRIES: "0" })).toBe(0);
    expect(defaultMaxRetries({ AWL_MAX_RETRIES: "10" })).toBe(10);
  });

  test("a value that is not a whole number from 0 to 100 is an error naming the variable", () => {
    for (const value of ["-1", "2.5", "101", "many"]) {
      expect(() => defaultMaxRetries({ AWL_MAX_RETRIES: value })).toThrow(
        /AWL_MAX_RETRIES: ".*" must be a whole number/,
      );
    }
  });
});
