/**
 * BUG (found by fuzz.test.ts, property 3; fixed with one line in client/src/events/limits.ts):
 * a `delayUntil` that is a finite number of milliseconds outside the range a Date can hold
 * (beyond ±8.64e15), or a duration that lands there ("1000000000 years"), made the events API
 * answer 500 "internal error: Invalid time value": resolveDelayUntil accepted the number as a
 * time and then called toISOString() on it to say it was in the past or too far ahead, which
 * throws. Expected: 400 naming `delayUntil`, nothing stored.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { serveApi, type ServedApi } from "../api/serve-api.ts";
import { startStack, type Stack } from "../helpers/stack.ts";

let stack: Stack;
let api: ServedApi;

beforeAll(async () => {
  stack = await startStack();
  api = await serveApi(stack.runtime);
});
afterAll(async () => {
  await api?.close();
  await stack?.close();
});

test.each([-8_640_000_000_000_001, 8_640_000_000_000_001, -1e300, 1e300, "1000000000 years"])(
  "delayUntil %s is refused with 400 naming the field, and nothing is stored",
  async (delayUntil) => {
    const answer = await api.call("POST", "/events", { body: { name: "range-test", delayUntil } });
    expect(answer.status).toBe(400);
    expect(answer.body.issues).toEqual([{ path: ["delayUntil"], message: expect.any(String) }]);
    expect(await stack.connection.redis.keys(`${stack.prefix}*`)).toEqual([]);
  },
);
