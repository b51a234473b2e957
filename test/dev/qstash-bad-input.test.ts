// Bad requests get QStash's status and an {"error": "..."} body, and store nothing.
import { QstashError } from "@upstash/qstash";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startHarness, type Harness } from "./helpers/qstash-harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h.close());

const destination = () => h.receiver.url("/never");

async function expectRejected(response: Response, status: number, error: string | RegExp): Promise<void> {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  const body = (await response.json()) as { error: string };
  expect(Object.keys(body)).toEqual(["error"]);
  if (typeof error === "string") expect(body.error).toBe(error);
  else expect(body.error).toMatch(error);
}

/** Runs `attempt` and checks that it left no message in Redis and published nothing. */
async function storesNothing(attempt: () => Promise<void>): Promise<void> {
  const before = h.server.stats().published;
  const keysBefore = await h.keys();
  await attempt();
  expect(h.server.stats().published).toBe(before);
  expect(await h.keys()).toEqual(keysBefore);
  expect(h.receiver.deliveries).toEqual([]);
}

describe("authentication", () => {
  it.each([
    ["no token", null],
    ["a wrong token", "not-the-token"],
  ])("refuses %s with 401", async (_what, token) => {
    await storesNothing(async () => {
      const response = await h.request(`/v2/publish/${destination()}`, { method: "POST", body: "x", token });
      await expectRejected(response, 401, "Unauthorized");
    });
  });

  it("accepts the token as ?qstash_token= too, and keeps it out of the destination", async () => {
    const response = await fetch(
      `${h.server.url}/v2/keys?qstash_token=${encodeURIComponent(h.server.token)}`,
    );
    expect(await response.json()).toEqual({
      current: h.server.currentSigningKey,
      next: h.server.nextSigningKey,
    });
  });
});

describe("bad input", () => {
  it("answers an unknown route with 404", async () => {
    await expectRejected(await h.request("/v2/nothing-here"), 404, "not found");
    await expectRejected(await h.request("/v3/publish/x", { method: "POST" }), 404, "not found");
  });

  it("refuses malformed JSON in a batch, and a batch with one bad entry, whole", async () => {
    await storesNothing(async () => {
      const malformed = await h.request("/v2/batch", { method: "POST", body: '[{"destination": ' });
      await expectRejected(malformed, 400, /^invalid request body: /);
      const notArray = await h.request("/v2/batch", { method: "POST", body: '{"destination": "x"}' });
      await expectRejected(notArray, 400, "invalid request body: expected an array of messages");
      const oneBad = await h.request("/v2/batch", {
        method: "POST",
        body: JSON.stringify([
          { destination: destination(), body: "fine" },
          { destination: destination(), headers: { "Upstash-Delay": "whenever" } },
        ]),
      });
      await expectRejected(oneBad, 400, 'invalid Upstash-Delay header: time: invalid duration "whenever"');
    });
  });

  it("refuses a destination that is not an http(s) url", async () => {
    await storesNothing(async () => {
      const error = await h.client
        .publish({ url: "not-a-url", body: "x" })
        .catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(QstashError);
      expect((error as QstashError).status).toBe(400);
      expect(JSON.parse((error as QstashError).message)).toEqual({
        error: "invalid destination url: endpoint has invalid scheme, add http:// or https://",
      });
    });
  });

  it.each([
    ["Upstash-Delay", "tomorrow", 'invalid Upstash-Delay header: time: invalid duration "tomorrow"'],
    ["Upstash-Delay", "10", 'invalid Upstash-Delay header: time: missing unit in duration "10"'],
    ["Upstash-Not-Before", "soon", /^invalid Upstash-Not-Before header: /],
    ["Upstash-Retries", "many", /^invalid Upstash-Retries header: /],
    ["Upstash-Retry-Delay", "process.exit(1)", /^invalid Upstash-Retry-Delay header: /],
    ["Upstash-Method", "TELEPORT", /^invalid Upstash-Method header: /],
    ["Upstash-Callback", "ftp://example.com", /^invalid callback url: /],
  ])("refuses %s: %s with 400", async (header, value, error) => {
    await storesNothing(async () => {
      const response = await h.request(`/v2/publish/${destination()}`, {
        method: "POST",
        body: "x",
        headers: { [header]: value },
      });
      await expectRejected(response, 400, error);
    });
  });

  it("refuses an invalid queue name", async () => {
    await storesNothing(async () => {
      const response = await h.request(`/v2/enqueue/bad queue!/${destination()}`, {
        method: "POST",
        body: "x",
      });
      await expectRejected(response, 400, /^invalid queue name/);
    });
  });

  it("answers 404 for a message or DLQ entry it does not have", async () => {
    await expectRejected(await h.request("/v2/messages/msg_missing"), 404, "message not found");
    await expectRejected(await h.request("/v2/dlq/1-0"), 404, "dlq message not found");
    await expectRejected(await h.request("/v2/queues/missing"), 404, "queue not found");
  });
});
