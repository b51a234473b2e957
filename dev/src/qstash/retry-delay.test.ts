import { describe, expect, it } from "vitest";
import { compileRetryDelay, defaultRetryDelayMs, retryDelayMs } from "./retry-delay.ts";

describe("default retry delay", () => {
  it("follows QStash's min(86400, e^(2.5n)) seconds, n counting retries from 1", () => {
    expect(Math.round(defaultRetryDelayMs(0) / 1000)).toBe(12);
    expect(Math.round(defaultRetryDelayMs(1) / 1000)).toBe(148);
    expect(Math.round(defaultRetryDelayMs(2) / 1000)).toBe(1808);
    expect(defaultRetryDelayMs(10)).toBe(86_400_000);
    expect(retryDelayMs(undefined, 0)).toBe(defaultRetryDelayMs(0));
  });
});

describe("Upstash-Retry-Delay expressions", () => {
  it.each([
    ["1000", [1000, 1000, 1000]],
    ["1000 * (1 + retried)", [1000, 2000, 3000]],
    ["pow(2, retried) * 1000", [1000, 2000, 4000]],
    ["max(1000, pow(2, retried) * 100)", [1000, 1000, 1000]],
    ["min(50, 10 * retried)", [0, 10, 20]],
    ["sqrt(retried) + abs(-1) + floor(1.7) + ceil(0.2) + round(0.5)", [4, 5, 5.414]],
    ["exp(retried) - 1", [0, 1.718, 6.389]],
    ["(retried % 2) * 10 / 2", [0, 5, 0]],
  ])("%s", (expression, expected) => {
    const delay = compileRetryDelay(expression);
    expected.forEach((ms, retried) => expect(delay(retried)).toBeCloseTo(ms, 2));
  });

  it("never waits a negative time", () => {
    expect(retryDelayMs("0 - 1000", 0)).toBe(0);
  });

  it.each([
    ["process.exit(1)", /only pow, sqrt, abs, exp, floor, ceil, round, min, max can be called/],
    ["constructor", /unknown variable "constructor"/],
    ["retried.constructor", /MemberExpression/],
    ["toString(1)", /unknown function "toString"/],
    ["hasOwnProperty(1)", /unknown function "hasOwnProperty"/],
    ["eval('1')", /unknown function "eval"/],
    ["'1000'", /unexpected literal/],
    ["retried > 1", /unsupported operator ">"/],
    ["2 ** retried", /unsupported operator "\*\*"/],
    ["true", /unexpected literal/],
    ["[1, 2]", /ArrayExpression/],
    ["pow(2)", /pow takes 2 argument/],
    ["retried ? 1 : 2", /Conditional|unsupported/],
    ["1000 *", /Expected expression/],
    ["", /unsupported expression/],
    ["1 / 0", /evaluates to Infinity/],
  ])("rejects %j", (expression, message) => {
    expect(() => compileRetryDelay(expression)).toThrow(message);
  });
});
