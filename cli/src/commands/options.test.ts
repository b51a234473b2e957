import { InvalidArgumentError } from "commander";
import { expect, test } from "vitest";
import {
  collect,
  parseDelayUntil,
  parseInteger,
  parsePositiveInteger,
  parseSiteUrl,
  parseState,
} from "./options.ts";

test("--delay-until takes a duration or an ISO date, as written", () => {
  expect(parseDelayUntil("10s")).toBe("10s");
  expect(parseDelayUntil("2 days")).toBe("2 days");
  expect(parseDelayUntil("2030-01-31T09:00:00Z")).toBe("2030-01-31T09:00:00Z");
  for (const bad of ["soon", "", "-5s", "31/01/2030"]) {
    expect(() => parseDelayUntil(bad)).toThrow(InvalidArgumentError);
  }
  expect(() => parseDelayUntil("soon")).toThrow(/"soon" is neither a duration .* nor an ISO date/);
});

test("numbers: whole, and positive where a count is meant", () => {
  expect(parseInteger("-5")).toBe(-5);
  expect(() => parseInteger("1.5")).toThrow('"1.5" is not a whole number');
  expect(parsePositiveInteger("250")).toBe(250);
  expect(() => parsePositiveInteger("0")).toThrow(InvalidArgumentError);
});

test("--site must be an http(s) URL", () => {
  expect(parseSiteUrl("https://shop.example")).toBe("https://shop.example");
  expect(() => parseSiteUrl("localhost:8888")).toThrow(/not an http\(s\) URL/);
});

test("states are the engine's, and repeatable options collect", () => {
  const states = collect(parseState);
  expect(states("completed", states("dead-lettered", undefined))).toEqual(["dead-lettered", "completed"]);
  expect(() => parseState("done")).toThrow(/"done" is not a state: use one of pending, .*dead-lettered/);
});
