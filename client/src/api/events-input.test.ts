/**
 * Every bad input to POST /events is a 400 naming the field, and none reaches state: the runtime
 * here throws when touched. Found by probing each field with the values a careless caller sends.
 */
import { randomBytes } from "node:crypto";
import { describe, expect, test } from "vitest";
import type { Runtime } from "../engine/runtime.ts";
import { createEventsApi } from "./events-api.ts";

const untouchable = new Proxy(
  {},
  {
    get: (_, property) => {
      throw new Error(`state was touched (${String(property)})`);
    },
  },
);
const runtime = {
  store: untouchable,
  publisher: untouchable,
  verifier: untouchable,
  routerUrl: "http://site/router",
  now: Date.now,
  log: () => undefined,
} as unknown as Runtime;
const key = randomBytes(24).toString("base64url");
const api = createEventsApi({ runtime, apiKeys: [key] });

async function post(body: string) {
  const response = await api(
    new Request("http://site/awl/api/events", {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
      body,
    }),
  );
  return { status: response.status, body: (await response.json()) as { issues?: { path: unknown[] }[] } };
}

describe("POST /events: every bad field is a 400 naming it", () => {
  test('delayUntil: "" alone and in a batch', async () => {
    const alone = await post('{"name":"x","delayUntil":""}');
    expect(alone.status).toBe(400);
    expect(alone.body.issues!.map((issue) => issue.path)).toEqual([["delayUntil"]]);
    const batch = await post('[{"name":"x"},{"name":"y","delayUntil":""}]');
    expect(batch.status).toBe(400);
    expect(batch.body.issues!.map((issue) => issue.path)).toEqual([[1, "delayUntil"]]);
  });

  const bad: [string, string, (string | number)[]][] = [
    ["delayUntil", '" "', ["delayUntil"]],
    ["delayUntil", '"-5m"', ["delayUntil"]],
    ["delayUntil", '"10 years"', ["delayUntil"]],
    ["delayUntil", "1e400", ["delayUntil"]],
    ["delayUntil", "-1e400", ["delayUntil"]],
    ["delayUntil", "1e300", ["delayUntil"]],
    ["delayUntil", "-8.64e15", ["delayUntil"]],
    ["delayUntil", '"9999999999999999999999"', ["delayUntil"]],
    ["delayUntil", "null", ["delayUntil"]],
    ["delayUntil", "{}", ["delayUntil"]],
    ["priority", "1e400", ["priority"]],
    ["priority", "1.5", ["priority"]],
    ["priority", '"5"', ["priority"]],
    ["priority", "null", ["priority"]],
    ["name", '""', ["name"]],
    ["name", `"${"n".repeat(5000)}"`, ["name"]],
    ["name", '"a b"', ["name"]],
    ["name", "null", ["name"]],
    ["idempotencyKey", '""', ["idempotencyKey"]],
    ["idempotencyKey", `"${"k".repeat(300)}"`, ["idempotencyKey"]],
    ["idempotencyKey", "7", ["idempotencyKey"]],
    ["data", `${"[".repeat(20_000)}${"]".repeat(20_000)}`, ["data"]],
  ];
  test.each(bad)("%s: %s", async (field, value, path) => {
    const event = field === "name" ? `{"name":${value}}` : `{"name":"x","${field}":${value}}`;
    const { status, body } = await post(event);
    expect(status).toBe(400);
    expect(body.issues!.map((issue) => issue.path)).toContainEqual(path);
  });
});
