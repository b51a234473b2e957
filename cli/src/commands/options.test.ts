import { InvalidArgumentError } from "commander";
import { expect, test } from "vitest";
import {
  collect,
  parseDelayUntil,
  parseGranularity,
  parseInteger,
  parseLatency,
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

test("awl dev --granularity is exact or 1s", () => {
  expect(parseGranularity("1s")).toBe("1s");
  expect(parseGranularity("exact")).toBe("exact");
  expect(() => parseGranularity("1000ms")).toThrow(
    '"1000ms" is not a timer granularity: use one of exact, 1s',
  );
});

test("awl dev --latency reads a round trip per link, in ms", () => {
  expect(parseLatency("redis=2ms,qstash=20ms")).toEqual({ redisMs: 2, qstashMs: 20 });
  expect(parseLatency(" qstash = 0.05s ")).toEqual({ qstashMs: 50 });
  expect(parseLatency("redis=3")).toEqual({ redisMs: 3 });
  expect(() => parseLatency("redis=fast")).toThrow('redis: "fast" is not a duration (such as 2ms or 0.5s)');
  expect(() => parseLatency("redis=-2ms")).toThrow('redis: "-2ms" is not a duration');
  expect(() => parseLatency("postgres=2ms")).toThrow('"postgres" is not a link: use redis, qstash');
  expect(() => parseLatency("redis=2ms,redis=3ms")).toThrow("redis is given twice");
  expect(() => parseLatency("redis")).toThrow('"redis" is not link=duration');
  expect(() => parseLatency("redis=2ms,")).toThrow('"" is not link=duration');
});
