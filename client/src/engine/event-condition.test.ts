/**
 * Parsing event conditions: the grammar's forms become the tree lib-condition.lua reads, and
 * anything outside the grammar is refused with a message naming the problem. (What conditions mean
 * is checked against the Lua evaluator in test/engine/event-condition.test.ts.)
 */
import { describe, expect, test } from "vitest";
import { conditionFunction, parseCondition } from "./event-condition.ts";

describe("parseCondition", () => {
  test("paths, literals, comparisons and logic become a small JSON tree", () => {
    expect(parseCondition("event.data.items[0]['sku-id'] == 'tee' || !async.data.vip")).toEqual([
      "||",
      ["==", ["get", "event", "data", "items", 0, "sku-id"], ["lit", "tee"]],
      ["!", ["get", "async", "data", "vip"]],
    ]);
    expect(parseCondition("event.data.amount >= -2.5 && null != event.name")).toEqual([
      "&&",
      [">=", ["get", "event", "data", "amount"], ["lit", -2.5]],
      ["!=", ["lit", null], ["get", "event", "name"]],
    ]);
    expect(parseCondition("event.data.a === true")).toEqual([
      "==",
      ["get", "event", "data", "a"],
      ["lit", true],
    ]);
  });

  test.each([
    ["", /non-empty expression/],
    ["   ", /non-empty expression/],
    ["event.data.a = 1", /Unexpected "="/],
    ["event.data.amount + 1 > 2", /operator "\+" is not supported \(use ==, !=, <, <=, >, >=, &&, \|\|, !\)/],
    ["data.amount > 1", /unknown name "data": a path starts with event\. .* or async\./],
    ["event.data.a > 1 event.data.b", /must be one expression/],
    ["event.data.tags.includes('a')", /function calls are not supported/],
    ["event.data.a ? 1 : 2", /\?: operator is not supported/],
    ["event.data[event.data.key] == 1", /an index must be a literal/],
    ["event.data.items[-1] == 1", /an index must be a literal|must be 0 or more/],
    ["-event.data.amount < 0", /operator "-" is not supported/],
    ["[1, 2]", /ArrayExpression is not supported/],
    ["this.data == 1", /ThisExpression is not supported|a path must start with event\. or async\./],
    [`event.data.a == '${"x".repeat(1100)}'`, /at most 1024/],
    [
      `${"(".repeat(40)}event.data.a${")".repeat(40)} && !!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!event.data.b`,
      /nests deeper than 32/,
    ],
  ])("refuses %j, naming the problem", (source, problem) => {
    expect(() => parseCondition(source)).toThrow(problem);
  });
});

describe("conditionFunction (a cancelOn rule's string `if`)", () => {
  test("reads `event` as the cancelling event and `async` as the run's", () => {
    const sameStore = conditionFunction("event.data.store == async.data.store");
    const closed = { eventId: "evt_2", name: "store.closed", data: { store: "berlin" } };
    expect(sameStore({ event: closed, trigger: { name: "order.placed", data: { store: "berlin" } } })).toBe(
      true,
    );
    expect(sameStore({ event: closed, trigger: { name: "order.placed", data: { store: "paris" } } })).toBe(
      false,
    );
  });
});
