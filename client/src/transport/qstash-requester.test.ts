/**
 * The lean QStash requester sends what the official client sends on its own: the same client
 * configuration publishes to a recording server once through fetch and once through the lean
 * requester, and method, URL, every header the client sets and the body must be equal byte for
 * byte. Only the headers fetch adds by itself (FETCH_OWN) and connection framing may differ.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { Client, QstashError } from "@upstash/qstash";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEFAULT_QSTASH_URL, engineQStash, leanQStashRequester } from "./qstash-requester.ts";

interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Added by undici's fetch on its own, not by the client; framing headers of the connection. */
const FETCH_OWN = ["accept", "accept-language", "accept-encoding", "sec-fetch-mode", "user-agent"];
const FRAMING = ["host", "connection", "content-length", "transfer-encoding"];

let server: http.Server;
let baseUrl = "";
const recorded: Recorded[] = [];
/** The status the next requests get (and a body), for the error cases. */
let answer = { status: 200, body: '{"messageId":"msg_1"}' };

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (!FRAMING.includes(name)) headers[name] = String(value);
      }
      recorded.push({
        method: request.method ?? "",
        url: request.url ?? "",
        headers,
        body: Buffer.concat(chunks).toString("utf8"),
      });
      response.writeHead(answer.status, { "content-type": "application/json" }).end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const TOKEN = "qstash-token-for-the-test";

/** What `call` sends through the official client alone, and through it on the lean requester. */
async function bothWays(call: (client: Client) => Promise<unknown>): Promise<[Recorded[], Recorded[]]> {
  const official = new Client({ baseUrl, token: TOKEN });
  const lean = new Client({ baseUrl, token: TOKEN });
  lean.http = leanQStashRequester({ baseUrl, token: TOKEN }, lean.http);
  recorded.length = 0;
  await call(official);
  const byFetch = recorded.splice(0).map((request) => ({
    ...request,
    headers: Object.fromEntries(
      Object.entries(request.headers).filter(([name]) => !FETCH_OWN.includes(name)),
    ),
  }));
  await call(lean);
  return [byFetch, recorded.splice(0)];
}

describe("the lean requester sends the official client's requests unchanged", () => {
  // The engine's calls (transport/publish.ts): a wake (notBefore, retries, failure callback, retry delay)...
  const wake = {
    url: "https://site.example/.netlify/functions/awl-run-checkout?x=1",
    body: { runId: "run_1", generation: 3, text: "grüße ✓" },
    retries: 3,
    notBefore: 1_900_000_000,
    failureCallback: "https://site.example/.netlify/functions/awl-router?failed=1",
    retryDelay: "pow(2, retried) * 1000",
  };

  it("publishJSON", async () => {
    const [byFetch, byLean] = await bothWays((client) => client.publishJSON(wake));
    expect(byFetch).toHaveLength(1);
    expect(byLean).toEqual(byFetch);
    // What equal means here: the client's own headers are all there.
    expect(byLean[0]!.headers).toMatchObject({
      authorization: `Bearer ${TOKEN}`,
      "content-type": "application/json",
      "upstash-not-before": "1900000000",
      "upstash-retries": "3",
      "upstash-telemetry-sdk": expect.stringMatching(/^upstash-qstash-js@/),
    });
    expect(byLean[0]!.url).toBe(`/v2/publish/${wake.url}`);
  });

  it("batchJSON", async () => {
    answer = { status: 200, body: '[{"messageId":"msg_1"},{"messageId":"msg_2"}]' };
    const [byFetch, byLean] = await bothWays((client) =>
      // batchJSON serializes the bodies in place: each call gets its own messages.
      client.batchJSON([
        { ...wake, body: { ...wake.body } },
        { url: "https://site.example/.netlify/functions/awl-router", body: { eventId: "evt_1" }, retries: 3 },
      ]),
    );
    expect(byFetch).toHaveLength(1);
    expect(byLean).toEqual(byFetch);
    expect(JSON.parse(byLean[0]!.body)).toHaveLength(2);
  });

  it("the messages API (a GET with no body, a DELETE)", async () => {
    answer = { status: 200, body: '{"messageId":"msg_1","url":"https://x.example","createdAt":1}' };
    const [byFetch, byLean] = await bothWays(async (client) => {
      await client.messages.get("msg_1");
      answer = { status: 202, body: "" };
      await client.messages.delete("msg_1");
      answer = { status: 200, body: '{"messageId":"msg_1","url":"https://x.example","createdAt":1}' };
    });
    expect(byFetch).toHaveLength(2);
    expect(byLean).toEqual(byFetch);
  });
});

describe("the lean requester answers as the official client does", () => {
  it("hands back the parsed answer", async () => {
    answer = { status: 201, body: '{"messageId":"msg_9"}' };
    const client = engineQStash({ baseUrl, token: TOKEN, resolvesItself: false });
    await expect(client.publishJSON({ url: "https://x.example", body: {} })).resolves.toEqual({
      messageId: "msg_9",
    });
  });

  it("throws a non-2xx answer as QstashError with its status and body", async () => {
    answer = { status: 400, body: '{"error":"invalid destination"}' };
    const client = engineQStash({ baseUrl, token: TOKEN, resolvesItself: false });
    const error = await client
      .publishJSON({ url: "https://x.example", body: {} })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(QstashError);
    expect(error).toMatchObject({ status: 400, message: '{"error":"invalid destination"}' });
    answer = { status: 200, body: '{"messageId":"msg_1"}' };
  });

  it("sends again when the connection drops before an answer (the official clients' network retry)", async () => {
    const flaky = http.createServer();
    let connections = 0;
    flaky.on("connection", (socket) => {
      connections += 1;
      if (connections === 1) socket.destroy();
    });
    flaky.on("request", (_request, response) => response.end('{"messageId":"msg_2"}'));
    await new Promise<void>((resolve) => flaky.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(flaky.address() as AddressInfo).port}`;
    try {
      const client = engineQStash({ baseUrl: url, token: TOKEN, resolvesItself: false });
      await expect(client.publishJSON({ url: "https://x.example", body: {} })).resolves.toEqual({
        messageId: "msg_2",
      });
      expect(connections).toBe(2);
    } finally {
      flaky.closeAllConnections();
      await new Promise<void>((resolve) => flaky.close(() => resolve()));
    }
  });

  it("without QSTASH_URL, sends where the official client would: Upstash's default server", () => {
    const saved = process.env.QSTASH_URL;
    delete process.env.QSTASH_URL;
    try {
      // The official client's resolved URL is not part of its typed API; read here only to check ours.
      const official = new Client({ token: TOKEN }).http as unknown as { baseUrl: string };
      expect(official.baseUrl).toBe(DEFAULT_QSTASH_URL);
      const lean = engineQStash({ token: TOKEN, resolvesItself: false });
      expect(lean.http.constructor).not.toBe(new Client({ token: TOKEN }).http.constructor);
    } finally {
      if (saved !== undefined) process.env.QSTASH_URL = saved;
    }
  });

  it("leaves dev mode and regions to the official client's own transport", () => {
    const official = new Client({ baseUrl, token: TOKEN });
    const devMode = engineQStash({ baseUrl, token: TOKEN, resolvesItself: true });
    expect(devMode.http.constructor).toBe(official.http.constructor);
    const lean = engineQStash({ baseUrl, token: TOKEN, resolvesItself: false });
    expect(lean.http.constructor).not.toBe(official.http.constructor);
  });
});
