/**
 * One table of cases, two evaluators: event-condition.ts (the reference, in JavaScript) and
 * lib-condition.lua (what Redis runs when an event meets a waiting step). Each case runs through
 * both: the JavaScript evaluator on the full condition with both events, and on the condition bound
 * to the triggering event as a waiter stores it; the Lua one, in the real Redis behind awl dev, on
 * that bound condition. All three must give the expected answer.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  bindTrigger,
  evaluateCondition,
  parseCondition,
  type ConditionEvent,
} from "../../client/src/engine/event-condition.ts";
import { LUA_LIB } from "../../client/src/engine/store/scripts/generated.ts";
import { startStack, type Stack } from "../helpers/stack.ts";

const event: ConditionEvent = {
  eventId: "evt_1",
  name: "payment.received",
  data: {
    amount: 120,
    currency: "EUR",
    note: null,
    tags: ["a", "b"],
    nested: { k: 1 },
    empty_object: {},
    zero: 0,
    empty: "",
    flag: true,
    "dash-key": "x",
    big: 2 ** 60,
    fraction: 0.1 + 0.2,
    text: "héllo",
    emoji: "😀",
    high: "\uffff",
  },
};
const trigger: ConditionEvent = {
  eventId: "evt_0",
  name: "order.placed",
  data: { min: 100, currency: "EUR", vip: false, ids: [1, 2], fraction: 0.1 + 0.2 },
};

/** [condition, whether it holds for `event`, with `trigger` as async] */
const CASES: [string, boolean][] = [
  ["event.data.amount >= async.data.min && event.data.currency == 'EUR'", true],
  ["event.data.amount < async.data.min", false],
  ["event.data.amount == 120", true],
  ["event.data.amount === 120", true],
  ["event.data.amount !== 120", false],
  ["event.data.amount == '120'", false],
  ["event.data.amount != '120'", true],
  ["event.data.currency == async.data.currency", true],
  ["event.data.fraction == async.data.fraction", true],
  ["event.data.fraction == 0.30000000000000004", true],
  ["event.data.fraction == 0.3", false],
  ["event.data.big == 1152921504606846976", true],
  ["event.data.big == 1152921504606846977", true],
  ["event.data.big > 1152921504606846000", true],
  ["event.data.note == null", true],
  ["event.data.missing == null", true],
  ["event.data.missing != null", false],
  ["event.data.amount == null", false],
  ["null == null", true],
  ["event.data.missing.deeper == null", true],
  ["event.data.tags == event.data.tags", false],
  ["event.data.tags != event.data.tags", true],
  ["event.data.tags != null", true],
  ["event.data.tags[0] == 'a'", true],
  ["event.data.tags[1] == 'b'", true],
  ["event.data.tags[2] == null", true],
  ["event.data.tags['0'] == null", true],
  ["event.data.nested.k == 1", true],
  ["event.data.nested[0] == null", true],
  ["event.data['dash-key'] == 'x'", true],
  ["event.data.text.length == null", true],
  ["event.data.zero", false],
  ["event.data.empty", false],
  ["event.data.note", false],
  ["event.data.flag", true],
  ["event.data.tags", true],
  ["event.data.empty_object", true],
  ["'0'", true],
  ["0", false],
  ["''", false],
  ["true", true],
  ["!event.data.flag", false],
  ["!event.data.missing", true],
  ["!!event.data.amount", true],
  ["async.data.vip", false],
  ["async.data.vip == false", true],
  ["event.data.flag == true", true],
  ["event.data.flag == 1", false],
  ["event.data.zero == false", false],
  ["event.data.zero == 0", true],
  ["event.data.empty == ''", true],
  ["event.data.amount > 'a'", false],
  ["event.data.amount < 'a'", false],
  ["event.data.missing < 1", false],
  ["event.data.missing >= event.data.missing", false],
  ["'abc' < 'abd'", true],
  ["'abc' <= 'abc'", true],
  ["'abc' >= 'abd'", false],
  ["'ab' < 'abc'", true],
  ["'B' < 'a'", true],
  ["event.data.text > 'hello'", true],
  ["event.data.emoji > event.data.high", true],
  ["-5 < 0", true],
  ["event.data.amount > -1.5", true],
  ["event.data.amount >= 120 && event.data.amount <= 120", true],
  ["event.data.amount > 100 || event.data.missing", true],
  ["false || event.data.zero", false],
  ["(event.data.amount > 100) && !(event.data.currency != 'EUR')", true],
  ["event.data.amount > 500 || event.data.currency == 'EUR' && event.data.flag", true],
  ["(event.data.amount > 500 || event.data.currency == 'EUR') && event.data.zero", false],
  ["event.name == 'payment.received'", true],
  ["event.eventId == 'evt_1'", true],
  ["async.name == 'order.placed'", true],
  ["async.data.ids[1] == 2", true],
  ["async.data.ids == null", false],
  ["event", true],
  ["event == null", false],
];

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

/** lib-condition.lua's condition_holds on each [condition JSON, event JSON], in one script call. */
async function luaHolds(pairs: [string, string][]): Promise<boolean[]> {
  const script = `${LUA_LIB}
local out = {}
for i, pair in ipairs(cjson.decode(ARGV[2])) do
  out[i] = condition_holds(pair[1], cjson.decode(pair[2])) and 1 or 0
end
return out`;
  const answer = await stack.redis.eval<string[], number[]>(
    script,
    [],
    [stack.prefix, JSON.stringify(pairs)],
  );
  return answer.map((value) => value === 1);
}

test("the JavaScript and Lua evaluators agree with the table, case by case", async () => {
  const bound = CASES.map(([source]) => bindTrigger(parseCondition(source), trigger));
  const lua = await luaHolds(bound.map((node) => [JSON.stringify(node), JSON.stringify(event)]));
  const answers = CASES.map(([source, expected], i) => ({
    source,
    expected,
    js: evaluateCondition(parseCondition(source), { event, async: trigger }),
    bound: evaluateCondition(bound[i]!, { event }),
    lua: lua[i],
  }));
  expect(answers).toEqual(
    CASES.map(([source, expected]) => ({ source, expected, js: expected, bound: expected, lua: expected })),
  );
});

test("a bound condition holds no async path: the trigger's values are in it", () => {
  const bound = bindTrigger(parseCondition("event.data.amount >= async.data.min"), trigger);
  expect(bound).toEqual([">=", ["get", "event", "data", "amount"], ["lit", 100]]);
  expect(JSON.stringify(bindTrigger(parseCondition("async.data.ids[0] == 1"), trigger))).not.toContain(
    "async",
  );
});
