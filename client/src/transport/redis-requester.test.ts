/**
 * The engine's Redis client on the lean requester sends what the official client, configured as
 * the engine configured it (raw replies, no telemetry, plain responses), sends through fetch: the
 * same commands reach a recording server once each way, and method, URL, every header the client
 * sets and the body must be equal. Only the headers fetch adds by itself and connection framing
 * may differ. Replies come back as the official client hands them over.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { errors, Redis } from "@upstash/redis";
import { afterAll, beforeAll, expect, it } from "vitest";
import { engineRedis } from "./redis-requester.ts";

interface Recorded {
  method: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

const FETCH_OWN = ["accept", "accept-language", "accept-encoding", "sec-fetch-mode", "user-agent"];
const FRAMING = ["host", "connection", "content-length", "transfer-encoding"];
const TOKEN = "redis-token-for-the-test";

let server: http.Server;
let url = "";
const recorded: Recorded[] = [];

/** Answers like Upstash: one result per command; a pipeline's results in order; NOSCRIPT for EVALSHA. */
function reply(body: unknown): { status: number; body: unknown } {
  const one = (command: unknown[]) => {
    const name = String(command[0]).toLowerCase();
    if (name === "evalsha") return { error: "NOSCRIPT No matching script. Please use EVAL." };
    if (name === "get") return { result: '{"state":"done","n":"007"}' };
    return { result: "OK" };
  };
  if (Array.isArray(body) && Array.isArray(body[0])) return { status: 200, body: body.map(one) };
  const answer = one(body as unknown[]);
  return { status: "error" in answer ? 400 : 200, body: answer };
}

beforeAll(async () => {
  server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(request.headers)) {
        if (!FRAMING.includes(name)) headers[name] = String(value);
      }
      const body = Buffer.concat(chunks).toString("utf8");
      recorded.push({ method: request.method ?? "", url: request.url ?? "", headers, body });
      const answer = reply(JSON.parse(body));
      response
        .writeHead(answer.status, {
          "content-type": "application/json",
          "upstash-sync-token": `sync-${recorded.length}`,
        })
        .end(JSON.stringify(answer.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

async function commands(redis: Redis): Promise<unknown[]> {
  const results: unknown[] = [];
  results.push(await redis.set("awl:k", '{"state":"done"}', { ex: 60 }));
  results.push(await redis.get("awl:k"));
  // Issued together: auto-pipelined (the client batches reads and writes apart, one request each).
  results.push(await Promise.all([redis.get("awl:a"), redis.set("awl:b", "x")]));
  results.push(await redis.evalsha("abc123", [], ["arg"]).catch((error: Error) => error));
  return results;
}

it("sends the official client's requests unchanged, without the base64 detour, and answers alike", async () => {
  const official = new Redis({
    url,
    token: TOKEN,
    automaticDeserialization: false,
    enableTelemetry: false,
    responseEncoding: false,
  });
  recorded.length = 0;
  const officialResults = await commands(official);
  const byFetch = recorded.splice(0).map((request) => ({
    ...request,
    headers: Object.fromEntries(
      Object.entries(request.headers).filter(([name]) => !FETCH_OWN.includes(name)),
    ),
  }));
  const leanResults = await commands(engineRedis({ url, token: TOKEN }));
  const byLean = recorded.splice(0);

  expect(byLean).toEqual(byFetch);
  expect(byLean.map((request) => request.url)).toEqual(Array(5).fill("/pipeline"));
  expect(byLean[0]!.headers).toMatchObject({ authorization: `Bearer ${TOKEN}`, "upstash-sync-token": "" });
  // Read-your-writes: each request carries the token the previous answer gave.
  expect(byLean[1]!.headers["upstash-sync-token"]).toBe("sync-1");
  expect(byLean.some((request) => "upstash-encoding" in request.headers)).toBe(false);

  // Raw replies (no JSON parsing of values), and the NOSCRIPT error as the store's fallback reads it.
  expect(leanResults.slice(0, 3)).toEqual(officialResults.slice(0, 3));
  expect(leanResults[1]).toBe('{"state":"done","n":"007"}');
  const [leanError, officialError] = [leanResults[3], officialResults[3]] as Error[];
  expect(leanError).toBeInstanceOf(errors.UpstashError);
  expect(leanError!.message).toBe(officialError!.message);
  expect(leanError!.message).toContain("NOSCRIPT");
});
