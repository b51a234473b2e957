import { describe, expect, test } from "vitest";
import { filterAccepts } from "../engine/workload-spec.ts";
import { defineWorkload } from "./definition.ts";

describe("workload configuration", () => {
  test("accepts a name, a list, or an object, and matches names case-insensitively", () => {
    expect(defineWorkload("Checkout").events).toEqual(["checkout"]);
    expect(defineWorkload(["a", "B", "b"]).events).toEqual(["a", "b"]);
    const full = defineWorkload({ events: "x", maxRetries: 2, timeBudget: "3s", name: "my-flow" });
    expect(full).toMatchObject({ events: ["x"], maxRetries: 2, timeBudgetMs: 3000, name: "my-flow" });
  });

  test("takes an onFailure handler, and of the internal events lets a site subscribe to awl:run-failed only", () => {
    const onFailure = () => undefined;
    expect(defineWorkload({ events: "x", onFailure }).onFailure).toBe(onFailure);
    expect(defineWorkload({ events: ["AWL:Run-Failed"] }).events).toEqual(["awl:run-failed"]);
    expect(() => defineWorkload({ events: "x", onFailure: "alert" as never })).toThrow(
      "asyncWorkload config.onFailure: must be a function",
    );
    expect(() => defineWorkload({ events: ["x", "awl:delete-events"] })).toThrow(
      'asyncWorkload config.events[1]: "awl:delete-events" is an internal event; of those, a workload may subscribe only to awl:run-failed',
    );
  });

  test("takes a cron schedule, with a time zone, instead of or beside events", () => {
    expect(defineWorkload({ schedule: "0 9 * * 1" })).toMatchObject({
      events: [],
      schedule: { fields: "0 9 * * 1", timezone: "UTC", expression: "0 9 * * 1" },
    });
    const zoned = { cron: "0 9 * * 1", timezone: "Europe/Paris" };
    expect(defineWorkload({ events: "report", schedule: zoned }).schedule).toEqual({
      fields: "0 9 * * 1",
      timezone: "Europe/Paris",
      expression: "CRON_TZ=Europe/Paris 0 9 * * 1",
    });
    expect(defineWorkload({ schedule: "CRON_TZ=Europe/Paris 0 9 * * 1" }).schedule?.timezone).toBe(
      "Europe/Paris",
    );
  });

  test("takes one concurrency limit or several, which stack", () => {
    const byTenant = (event: { data: unknown }) => (event.data as { tenantId: string }).tenantId;
    expect(
      defineWorkload({ events: "x", concurrency: { limit: 2, key: "data.tenantId" } }).concurrency,
    ).toEqual([{ limit: 2, key: "data.tenantId" }]);
    expect(
      defineWorkload({ events: "x", concurrency: [{ limit: 10 }, { limit: 1, key: byTenant }] }).concurrency,
    ).toEqual([{ limit: 10 }, { limit: 1, key: byTenant }]);
  });

  test("takes a throttle with its period as a duration", () => {
    expect(
      defineWorkload({ events: "x", throttle: { limit: 10, period: "1s", key: "data.a" } }).throttle,
    ).toEqual({
      limit: 10,
      periodMs: 1000,
      key: "data.a",
    });
  });

  test("defaults to 4 retries (5 attempts) and an 8 s time budget", () => {
    expect(defineWorkload("x")).toMatchObject({ maxRetries: 4, timeBudgetMs: 8000 });
  });

  test.each([
    [{ events: [] }, /subscribe to at least one event/],
    [{ events: ["has space"] }, /events\[0\]: "has space"/],
    [{ events: "x", maxRetries: -1 }, /maxRetries: -1/],
    [{ events: "x", timeBudget: "soon" }, /timeBudget: "soon" is not a duration/],
    [{ events: "x", name: "../etc" }, /name: "..\/etc"/],
    [{ events: "x", backoffSchedule: "10s" }, /backoffSchedule: must be a function/],
    [{ schedule: "61 * * * *" }, /schedule: "61 \* \* \* \*" is not a cron expression/],
    [{ schedule: "* * * * * *" }, /schedule: .* has 6 fields; expected 5/],
    [
      { schedule: { cron: "0 9 * * 1", timezone: "Mars/Olympus" } },
      /schedule: unknown time zone "Mars\/Olympus"/,
    ],
    [{ events: "x", concurrency: { limit: 0 } }, /concurrency.limit: 0 must be a whole number of at least 1/],
    [
      { events: "x", concurrency: [{ limit: 2 }, { limit: 1, key: "" }] },
      /concurrency\[1\].key: must be a path/,
    ],
    [{ events: "x", throttle: { limit: 10, period: "soon" } }, /throttle.period: "soon" is not a duration/],
    [{ events: "x", throttle: { limit: 0.5, period: "1s" } }, /throttle.limit: 0.5 must be a whole number/],
    [
      { events: "x", debounce: { period: "10s", maxWait: "1s" } },
      /debounce.maxWait: must be at least the period/,
    ],
    [{ schedule: 42 }, /schedule: expected a cron expression or \{ cron, timezone \}/],
  ])("refuses bad configuration %j naming the field", (config, message) => {
    expect(() => defineWorkload(config as never)).toThrow(message);
  });
});

describe("eventFilter verdicts follow JavaScript truthiness", () => {
  const event = { eventId: "evt_1", name: "signup", data: { userId: "u1", count: 0 }, priority: 0 };
  const data = (e: typeof event) => e.data;

  test("a truthy non-boolean matches; a falsy one skips", () => {
    expect(filterAccepts((e) => data(e as typeof event).userId, event)).toBe(true);
    expect(filterAccepts((e) => data(e as typeof event).count, event)).toBe(false);
    expect(filterAccepts(() => undefined, event)).toBe(false);
    expect(filterAccepts(() => true, event)).toBe(true);
  });

  test("a filter returning a Promise is an error (filters run synchronously), not a match", () => {
    expect(() => filterAccepts(async () => false, event)).toThrow(/returned a Promise/);
  });
});
