import type { Redis } from "ioredis";
import RedisMock from "ioredis-mock";
import { describe, expect, it } from "vitest";
import type { RedisConnection } from "../redis-connection.ts";
import { createRedisRestApp } from "./app.ts";

const TOKEN = "unit-token";

function app() {
  const redis = new RedisMock() as unknown as Redis;
  const connection: RedisConnection = {
    redis,
    backend: "memory",
    url: "memory://",
    duplicate: () => redis.duplicate(),
    close: async () => redis.disconnect(),
  };
  return createRedisRestApp(connection, TOKEN);
}

async function call(path: string, init: RequestInit & { token?: string | null } = {}) {
  const headers = new Headers(init.headers);
  // What every HTTP/1.1 client sends; the app answers only to loopback Hosts.
  headers.set("host", "127.0.0.1:8079");
  const token = init.token === undefined ? TOKEN : init.token;
  if (token !== null) headers.set("authorization", `Bearer ${token}`);
  const response = await app().request(path, { method: "POST", ...init, headers });
  return { status: response.status, type: response.headers.get("content-type"), body: await response.json() };
}

describe("error responses of the REST app", () => {
  it("answers a missing or wrong token with 401 and Upstash's WRONGPASS body", async () => {
    const expected = {
      status: 401,
      type: "application/json",
      body: { error: "WRONGPASS invalid or missing auth token" },
    };
    expect(await call("/", { body: '["GET","k"]', token: null })).toEqual(expected);
    expect(await call("/", { body: '["GET","k"]', token: "nope" })).toEqual(expected);
    expect(
      await call("/", { body: '["GET","k"]', headers: { authorization: `Basic ${TOKEN}` }, token: null }),
    ).toEqual(expected);
  });

  it("answers malformed input with 400 and a JSON error body the client can read", async () => {
    const response = await call("/", { body: "[" });
    expect(response.status).toBe(400);
    expect(response.type).toBe("application/json");
    expect(response.body).toEqual({
      error: expect.stringMatching(/^ERR failed to parse the request body as JSON/),
    });
  });

  it("answers a failed command with 400 and the command's error", async () => {
    expect(await call("/", { body: '["NOSUCH"]' })).toMatchObject({
      status: 400,
      body: { error: "ERR unknown command 'NOSUCH'" },
    });
  });

  it("answers an unsupported method with 405", async () => {
    expect(await call("/", { method: "PATCH" })).toMatchObject({
      status: 405,
      body: { error: expect.stringMatching(/^ERR Method not allowed/) },
    });
  });

  it("puts per-command errors of a pipeline in place with status 200", async () => {
    expect(await call("/pipeline", { body: '[["SET","k","v"],["NOSUCH"],["GET","k"]]' })).toMatchObject({
      status: 200,
      body: [{ result: "OK" }, { error: "ERR unknown command 'NOSUCH'" }, { result: "v" }],
    });
  });
});
