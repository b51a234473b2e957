/**
 * Property-based fuzzing (fast-check) of every endpoint of the site over real HTTP: the router,
 * two workloads and the events API. Whatever arrives, no answer is a 5xx, and unless the events
 * API accepted a request with a valid key (2xx), the whole Redis dataset is unchanged (DEBUG
 * DIGEST before and after). Four properties:
 * 1. random bytes, methods and content types, with no key, a wrong key or the valid key;
 * 2. random JSON *validly signed* for the router and workloads (so it gets past the signature
 *    check), including the ids of real events and runs that have completed;
 * 3. random JSON and event-, selector- and query-shaped values at the events API with a valid key;
 * 4. random paths (malformed percent-encoding included) under the API and the site.
 */
import fc from "fast-check";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startFaultStack, API_KEY, type FaultStack } from "./support/fault-stack.ts";
import { rawPath, rawRequest, type RawAnswer } from "./support/raw-request.ts";
import { report } from "./support/report.ts";
import { sign } from "./support/signatures.ts";

const RUNS = Number(process.env.FUZZ_RUNS ?? 100);
let stack: FaultStack;
let eventIds: string[] = [];
let runIds: string[] = [];
const statuses: Record<string, number> = {};

beforeAll(async () => {
  stack = await startFaultStack({ hostEnv: { PLATFORM_TIMEOUT_MS: "30000" } });
  eventIds = await stack.send([{ name: "chain" }, { name: "chain", data: { steps: 1 } }, { name: "keys" }]);
  await stack.settle(eventIds);
  runIds = eventIds.flatMap((id) => [`${id}.chain`, `${id}.keys`]);
  await stack.redis.quietDigest();
}, 60_000);
afterAll(async () => {
  report("fuzz", { runsPerProperty: RUNS, statuses });
  await stack?.close();
}, 60_000);

/** Sends, then checks: no 5xx, and no state change unless `mayChange(answer)`. */
async function probe(
  send: () => Promise<RawAnswer>,
  mayChange: (answer: RawAnswer) => boolean = () => false,
) {
  const before = await stack.redis.digest();
  const answer = await send();
  statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
  expect(answer.status, answer.body).toBeLessThan(500);
  if (mayChange(answer)) await stack.redis.quietDigest();
  else expect(await stack.redis.digest()).toBe(before);
}

const endpoints = [
  "/router",
  "/workloads/chain",
  "/workloads/never",
  "/awl/api/events",
  "/awl/api/events/retry",
  "/awl/api/reconcile",
  "/awl/api/stats",
  "/awl/api/events/x",
];
const auth = fc.constantFrom<string | undefined>(
  undefined,
  `Bearer ${API_KEY}`,
  "Bearer wrong",
  "Basic Zm9vOmJhcg==",
);
const accepted = (key: string | undefined) => (answer: RawAnswer) =>
  key === `Bearer ${API_KEY}` && answer.status < 300;

test("1. random bytes at every endpoint: no 5xx, nothing changes", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...endpoints),
      fc.constantFrom("POST", "PUT", "PATCH", "DELETE"),
      fc.uint8Array({ maxLength: 4096 }),
      fc.constantFrom(
        "application/json",
        "text/plain",
        "application/octet-stream",
        "multipart/form-data; boundary=x",
      ),
      auth,
      async (path, method, bytes, type, key) => {
        const headers: Record<string, string> = {
          "content-type": type,
          ...(key ? { authorization: key } : {}),
        };
        await probe(() => rawRequest(stack.host.url, { method, path, headers, body: bytes }), accepted(key));
      },
    ),
    { numRuns: RUNS },
  );
}, 120_000);

test("2. random JSON validly signed for the router and workloads: no 5xx, nothing changes", async () => {
  const id = fc.oneof(
    fc.constantFrom(...eventIds, ...runIds),
    fc.string(),
    fc.stringMatching(/^[A-Za-z0-9._:-]{1,140}$/),
    fc.jsonValue(),
  );
  const body = fc.oneof(
    fc.jsonValue(),
    fc.record(
      {
        eventId: id,
        name: fc.oneof(
          fc.constantFrom(
            "chain",
            "keys",
            "never",
            "awl:delete-events",
            "awl:retry-failed-events",
            "constructor",
          ),
          fc.string(),
        ),
        runId: id,
      },
      { requiredKeys: [] },
    ),
  );
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom("/router", "/workloads/chain", "/workloads/never", "/workloads/keys"),
      body,
      async (path, value) => {
        const text = JSON.stringify(value) ?? "null";
        const url = `${stack.host.url}${path}`;
        const signature = await sign({ key: stack.dev.env.QSTASH_CURRENT_SIGNING_KEY, url, body: text });
        await probe(() =>
          rawRequest(stack.host.url, {
            method: "POST",
            path,
            headers: { "upstash-signature": signature },
            body: text,
          }),
        );
      },
    ),
    { numRuns: RUNS },
  );
}, 120_000);

test("3. random and almost-valid JSON at the events API with a valid key: no 5xx, a refusal changes nothing", async () => {
  const anyId = fc.oneof(fc.constantFrom(...eventIds), fc.string({ maxLength: 140 }));
  const event = fc.record(
    {
      name: fc.oneof(
        fc.constantFrom("chain", "keys", "awl:delete-events", "awl:retry-failed-events", "Chain", ""),
        fc.string(),
      ),
      data: fc.jsonValue({ maxDepth: 3 }),
      priority: fc.oneof(fc.integer(), fc.double(), fc.string()),
      delayUntil: fc.oneof(
        fc.integer(),
        fc.double(),
        fc.string(),
        fc.constantFrom("10m", "1 year", "-5s", "2020-01-01"),
      ),
      idempotencyKey: fc.oneof(fc.string({ maxLength: 300 }), fc.integer()),
      extra: fc.jsonValue({ maxDepth: 1 }),
    },
    { requiredKeys: [] },
  );
  const request = fc.oneof(
    fc.record({
      method: fc.constant("POST"),
      path: fc.constant("/awl/api/events"),
      body: fc.oneof(
        fc.jsonValue(),
        event,
        fc.array(event, { maxLength: 3 }),
        fc.record({ events: fc.array(event, { maxLength: 3 }) }),
      ),
    }),
    fc.record({
      method: fc.constant("POST"),
      path: fc.constant("/awl/api/events/retry"),
      body: fc.oneof(
        fc.jsonValue(),
        fc.record(
          {
            eventIds: fc.array(anyId, { maxLength: 3 }),
            eventNames: fc.array(fc.string(), { maxLength: 3 }),
          },
          { requiredKeys: [] },
        ),
      ),
    }),
    fc.record({
      method: fc.constant("DELETE"),
      path: fc.constant("/awl/api/events"),
      body: fc.oneof(
        fc.jsonValue(),
        fc.record(
          {
            eventIds: fc.array(anyId, { maxLength: 3 }),
            runIds: fc.array(anyId, { maxLength: 3 }),
            states: fc.array(fc.constantFrom("pending", "sleeping", "unmatched", "bogus", ""), {
              maxLength: 3,
            }),
            eventNames: fc.array(fc.string(), { maxLength: 2 }),
          },
          { requiredKeys: [] },
        ),
      ),
    }),
    fc.record({
      method: fc.constant("GET"),
      path: fc
        .dictionary(
          fc.constantFrom("state", "name", "cursor", "limit", "x", "__proto__"),
          fc.oneof(
            fc.string(),
            fc.constantFrom("completed", "1", "0", "101", "9:9", "99999999999999999999:1"),
          ),
        )
        .map((query) => `/awl/api/events?${new URLSearchParams(query).toString()}`),
      body: fc.constant(undefined),
    }),
  );
  await fc.assert(
    fc.asyncProperty(request, async ({ method, path, body }) => {
      const headers = { authorization: `Bearer ${API_KEY}`, "content-type": "application/json" };
      const text = body === undefined ? undefined : (JSON.stringify(body) ?? "null");
      await probe(
        () =>
          rawRequest(stack.host.url, {
            method,
            path,
            headers,
            ...(text === undefined ? {} : { body: text }),
          }),
        (answer) => answer.status < 300,
      );
    }),
    { numRuns: RUNS },
  );
}, 180_000);

test("4. random paths and methods, malformed percent-encoding included: no 5xx, nothing changes", async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom("/awl/api/events/", "/awl/api/", "/workloads/", "/", "/awl/api/events/retry/"),
      fc.oneof(
        fc.string(),
        fc.constantFrom("%", "%zz", "%E0%A4%A", "..%2f..%2f", "%00", "evt_%2e%2e", "a/b/c"),
      ),
      fc.constantFrom("GET", "POST", "DELETE", "OPTIONS", "HEAD", "PATCH"),
      auth,
      async (base, tail, method, key) => {
        const headers: Record<string, string> = key ? { authorization: key } : {};
        await probe(
          () => rawRequest(stack.host.url, { method, path: rawPath(`${base}${tail}`), headers }),
          accepted(key),
        );
      },
    ),
    { numRuns: RUNS },
  );
}, 120_000);
