import { expect, test } from "vitest";
import { eventIdFrom, formatRoute, parseRoute, type Route } from "./hash-route.ts";

test("an empty or unknown hash is the unfiltered list", () => {
  for (const hash of ["", "#", "#/", "#/nowhere/at/all"]) {
    expect(parseRoute(hash)).toEqual({ page: "list", cursors: [] });
  }
});

test("list filters and cursors round-trip through the hash", () => {
  const route: Route = { page: "list", state: "dead-lettered", name: "checkout", cursors: ["17:0", "9:20"] };
  const hash = formatRoute(route);
  expect(hash).toBe("#/?state=dead-lettered&name=checkout&after=17%3A0%2C9%3A20");
  expect(parseRoute(hash)).toEqual(route);
  expect(parseRoute("#/?state=dead-lettered&name=checkout")).toEqual({
    page: "list",
    state: "dead-lettered",
    name: "checkout",
    cursors: [],
  });
});

test("an event page round-trips, with ids that need escaping", () => {
  expect(formatRoute({ page: "event", id: "ev_1" })).toBe("#/events/ev_1");
  expect(parseRoute("#/events/ev_1")).toEqual({ page: "event", id: "ev_1" });
  expect(parseRoute(formatRoute({ page: "event", id: "a b/c" }))).toEqual({ page: "event", id: "a b/c" });
});

test("values this dashboard never writes are dropped, not passed to the API", () => {
  expect(parseRoute("#/?state=exploded&after=drop%20table,3:4")).toEqual({ page: "list", cursors: ["3:4"] });
  expect(formatRoute({ page: "list", cursors: [] })).toBe("#/");
});

test("Go to event takes an event id or a run id, and nothing else", () => {
  expect(eventIdFrom(" evt_mwramp074bd8c3ff5d201c65 ")).toBe("evt_mwramp074bd8c3ff5d201c65");
  expect(eventIdFrom("evt_mwramp074bd8c3ff5d201c65.send-receipt")).toBe("evt_mwramp074bd8c3ff5d201c65");
  for (const text of ["", "   ", "evt 1", "../etc", ".checkout", "x".repeat(129)]) {
    expect(eventIdFrom(text)).toBeUndefined();
  }
});
