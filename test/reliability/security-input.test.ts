/**
 * Bad input at the site over real HTTP, checked against the whole Redis dataset:
 * - oversized bodies are refused with 413 while they are read, before any parsing or signature
 *   check (a delivery over 64 KB, an API body over 1 MB, declared or streamed without a length);
 * - JSON with `__proto__` / `constructor` keys stays data, end to end (API → Redis → router →
 *   workload → step journal → API), and pollutes no prototype in the site process;
 * - event names, ids, step ids and idempotency keys full of `../`, `*`, `:`, `{`, newlines, NULs
 *   and very long strings reach no key outside the engine's prefix, and no key outside its layout
 *   (SCAN of the whole private Redis at the end).
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MAX_DELIVERY_BYTES } from "../../client/src/transport/inbound.ts";
import { MAX_BODY_BYTES } from "../../client/src/api/input.ts";
import { EVENT_STATES } from "../../client/src/engine/keys.ts";
import { EVENT_NAME_PATTERN } from "../../client/src/engine/limits.ts";
import { LEDGER_PREFIX } from "./support/ledger.ts";
import { readMemory } from "./support/memory.ts";
import { startFaultStack, API_KEY, type FaultStack } from "./support/fault-stack.ts";
import { report } from "./support/report.ts";
import { sign } from "./support/signatures.ts";
import { streamPost } from "./support/stream-post.ts";

let stack: FaultStack;

beforeAll(async () => {
  stack = await startFaultStack();
}, 60_000);
afterAll(async () => {
  await stack?.close();
}, 60_000);

const api = (path: string, init: RequestInit = {}, key: string | null = API_KEY) =>
  fetch(`${stack.host.url}/awl/api${path}`, {
    ...init,
    headers: {
      ...(key ? { authorization: `Bearer ${key}` } : {}),
      "content-type": "application/json",
      ...(init.headers as Record<string, string>),
    },
  });

async function sendOne(body: unknown): Promise<string> {
  const response = await api("/events", { method: "POST", body: JSON.stringify(body) });
  expect(response.status).toBe(202);
  return ((await response.json()) as { eventId: string }).eventId;
}

describe("oversized bodies", () => {
  test("refused with 413 before parsing or verification, declared or streamed; nothing changes", async () => {
    const before = await stack.redis.quietDigest();
    const rssBefore = readMemory(stack.host.pid())!.rssMb;
    const big = (n: number) => JSON.stringify({ runId: "x".repeat(n) });
    const answers: Record<string, number> = {};
    for (const path of ["/router", "/workloads/chain"]) {
      const url = `${stack.host.url}${path}`;
      const body = big(MAX_DELIVERY_BYTES);
      // Validly signed, so only the size can refuse it; and unsigned, so the size is checked first.
      const signature = await sign({ key: stack.dev.env.QSTASH_CURRENT_SIGNING_KEY, url, body });
      answers[`${path} signed`] = (
        await fetch(url, { method: "POST", body, headers: { "upstash-signature": signature } })
      ).status;
      answers[`${path} unsigned`] = (await fetch(url, { method: "POST", body })).status;
      const streamed = await streamPost(url, 20 * 1024 * 1024);
      answers[`${path} streamed 20 MB`] = streamed.status;
      expect(streamed.bytesSentBeforeAnswer).toBeLessThan(20 * 1024 * 1024);
    }
    const apiBody = JSON.stringify({ name: "chain", data: "x".repeat(MAX_BODY_BYTES) });
    answers["events API"] = (await api("/events", { method: "POST", body: apiBody })).status;
    const streamed = await streamPost(`${stack.host.url}/awl/api/events`, 50 * 1024 * 1024, {
      authorization: `Bearer ${API_KEY}`,
    });
    answers["events API streamed 50 MB"] = streamed.status;
    expect(answers).toEqual(Object.fromEntries(Object.keys(answers).map((k) => [k, 413])));
    // Without a key the body is never read at all.
    expect((await api("/events", { method: "POST", body: apiBody }, null)).status).toBe(401);
    expect(await stack.redis.digest()).toBe(before);
    report("oversized-bodies", {
      refused: Object.keys(answers).length,
      apiStreamBytesSentBeforeAnswer: streamed.bytesSentBeforeAnswer,
      hostRssBeforeMb: rssBefore,
      hostRssAfterMb: readMemory(stack.host.pid())!.rssMb,
    });
  }, 60_000);
});

describe("__proto__ and constructor keys", () => {
  test("stay data from the API to the step journal, and pollute nothing in the site", async () => {
    const data =
      '{"__proto__":{"polluted":"yes"},"constructor":{"prototype":{"polluted":"yes"}},"nested":{"__proto__":{"polluted":"yes"}}}';
    const tricky = [
      `{"name":"proto","data":${data}}`,
      `[{"name":"proto","data":${data}}]`,
      `{"events":[{"name":"proto","data":${data}}]}`,
    ];
    const ids: string[] = [];
    for (const body of tricky) {
      const response = await api("/events", { method: "POST", body });
      expect(response.status).toBe(202);
      const json = (await response.json()) as { eventId?: string; events?: { eventId: string }[] };
      ids.push(json.eventId ?? json.events![0]!.eventId);
    }
    // At the top level of a request they are unknown fields: refused, naming them.
    for (const body of [
      '{"name":"proto","__proto__":{"polluted":"yes"}}',
      '{"__proto__":{"name":"proto"}}',
      '{"name":"proto","constructor":{"prototype":{"polluted":"yes"}}}',
    ]) {
      const response = await api("/events", { method: "POST", body });
      expect(response.status).toBe(400);
    }
    // A signed delivery whose body is all __proto__ is a bad body, not an exploit.
    const url = `${stack.host.url}/workloads/proto`;
    const body = '{"__proto__":{"runId":"evt_x.proto"}}';
    const signed = await fetch(url, {
      method: "POST",
      body,
      headers: {
        "upstash-signature": await sign({ key: stack.dev.env.QSTASH_CURRENT_SIGNING_KEY, url, body }),
      },
    });
    expect(signed.status).toBe(400);

    // The probe runs after all of the above, in the site process: it fails if anything was polluted.
    ids.push(await sendOne({ name: "proto", data: { probe: true } }));
    const census = await stack.settle(ids, 60_000);
    expect(census.completed).toBe(ids.length);
    const event = (await (await api(`/events/${ids[0]}`)).json()) as {
      data: object;
      runs: { steps: { id: string; result: unknown }[] }[];
    };
    expect(Object.keys(event.data)).toEqual(["__proto__", "constructor", "nested"]);
    const echo = event.runs[0]!.steps.find((step) => step.id === "echo")!;
    expect(JSON.stringify(echo.result)).toBe(data);
    expect(event.runs[0]!.steps.find((step) => step.id === "after")!.result).toEqual({ polluted: null });
  }, 60_000);
});

const WEIRD = [
  "../../etc/passwd",
  "..",
  "*",
  "?",
  "[a-z]*",
  "a:b:c",
  ":",
  "{tag}",
  "}{",
  "line\nbreak",
  "\r\n",
  "tab\there",
  " ",
  "x".repeat(256),
  "__proto__",
  "constructor",
  "prototype",
  "ev:evt_fake",
  "run:x:steps",
  "\u0000",
  "nul\u0000byte",
  "🙂",
  "ä",
  "%2e%2e%2f",
  "$",
  "\\",
  "'",
  '"',
  "`",
  "awl:",
  "idx:all",
  "outbox",
];

describe("names, ids and step ids cannot reach other keys", () => {
  test("bad names and ids are refused or inert; every key stays inside the prefix and its layout", async () => {
    const before = await stack.redis.quietDigest();
    const refused: Record<string, number> = {};
    for (const name of [...WEIRD.filter((n) => !EVENT_NAME_PATTERN.test(n)), "a".repeat(129), ""]) {
      refused[`name ${JSON.stringify(name).slice(0, 20)}`] = (
        await api("/events", { method: "POST", body: JSON.stringify({ name }) })
      ).status;
    }
    refused["idempotencyKey 257"] = (
      await api("/events", {
        method: "POST",
        body: JSON.stringify({ name: "keys", idempotencyKey: "k".repeat(257) }),
      })
    ).status;
    expect(Object.values(refused).every((status) => status === 400)).toBe(true);
    const lookups: number[] = [];
    for (const id of [...WEIRD, "a".repeat(129), "a".repeat(10_000)]) {
      lookups.push((await api(`/events/${encodeURIComponent(id)}`)).status);
      for (const path of ["/router", "/workloads/keys"]) {
        const url = `${stack.host.url}${path}`;
        const body = JSON.stringify(path === "/router" ? { eventId: id, name: "keys" } : { runId: id });
        const response = await fetch(url, {
          method: "POST",
          body,
          headers: {
            "upstash-signature": await sign({ key: stack.dev.env.QSTASH_CURRENT_SIGNING_KEY, url, body }),
          },
        });
        lookups.push(response.status);
      }
    }
    expect(lookups.filter((status) => status >= 500)).toEqual([]);
    expect(await stack.redis.digest()).toBe(before);

    // Accepted: any step id (up to 256 characters) and any idempotency key, used for real.
    const ids: string[] = [];
    ids.push(await sendOne({ name: "keys", data: { stepIds: WEIRD } }));
    for (const key of WEIRD)
      ids.push(await sendOne({ name: "keys", data: { stepIds: [key] }, idempotencyKey: key }));
    const tooLong = await sendOne({ name: "keys", data: { stepIds: ["s".repeat(257)] } });
    const census = await stack.settle([...ids, tooLong], 90_000);
    expect(census.completed).toBe(ids.length);
    expect(census.deadLettered).toBe(1);
    const deadRun = (await (await api(`/events/${tooLong}`)).json()) as {
      runs: { lastError: { message: string } }[];
    };
    expect(deadRun.runs[0]!.lastError.message).toMatch(/at most 256 characters/);
    // The journal holds each weird step id as a field, with its own result.
    const journal = await stack.redis.client.hgetall(`${stack.prefix}run:${ids[0]}.keys:steps`);
    for (const id of WEIRD)
      expect(JSON.parse(journal[id]!)).toMatchObject({ status: "completed", result: id });

    const keys: string[] = [];
    let cursor = "0";
    do {
      const [next, batch] = await stack.redis.client.scan(cursor, "COUNT", 1000);
      keys.push(...batch);
      cursor = next;
    } while (cursor !== "0");
    const P = stack.prefix.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const STATES = `(${EVENT_STATES.join("|")})`;
    const layout = new RegExp(
      `^${P}(ev:evt_[0-9a-z]+|run:evt_[0-9a-z]+\\.[a-z-]+(:steps|:attempts)?|idx:all|idx:names|idx:name:[a-z0-9._:/-]+|` +
        `idx:state:${STATES}|idx:ns:${STATES}:[a-z0-9._:/-]+|outbox|routes|workloads|idem:[\\s\\S]+)$`,
    );
    const outside = keys.filter(
      (key) =>
        !key.startsWith(stack.prefix) && !key.startsWith("awl-dev:qstash:") && !key.startsWith(LEDGER_PREFIX),
    );
    const offLayout = keys.filter((key) => key.startsWith(stack.prefix) && !layout.test(key));
    report("key-injection", {
      refusedInputs: Object.keys(refused).length,
      inertLookups: lookups.length,
      acceptedWeirdEvents: ids.length,
      keysScanned: keys.length,
      outsidePrefix: outside.length,
      outsideLayout: offLayout.length,
    });
    expect(outside).toEqual([]);
    expect(offLayout).toEqual([]);
  }, 120_000);
});
