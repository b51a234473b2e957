/**
 * The Upstash Redis REST API as a hono app: loopback only (../loopback.ts: a web page must not run
 * FLUSHALL or CONFIG here, whatever token it sends), bearer-token auth (or Upstash's `_token` query
 * parameter, which the real service accepts too), `POST /` for one command, `POST /pipeline`, `POST /multi-exec`, and the path form
 * (`GET /set/k/v`). It owns the HTTP side only: statuses and bodies. Parsing lives in request.ts,
 * running commands in executor.ts, result encoding in encoding.ts.
 */
import { timingSafeEqual } from "node:crypto";
import { Hono, type Context } from "hono";
import type { RedisConnection } from "../redis-connection.ts";
import type { Reply } from "./commands.ts";
import { toEntry, responseEncoding, type ResponseEncoding } from "./encoding.ts";
import { BadRequestError, METHOD_NOT_ALLOWED, WRONG_TOKEN, errorBody } from "./errors.ts";
import { createExecutor } from "./executor.ts";
import { refusal } from "../loopback.ts";
import { commandFromPath, parseCommand, parseCommands, parseJsonBody } from "./request.ts";

export function createRedisRestApp(
  connection: RedisConnection,
  token: string,
  log?: (line: string) => void,
): Hono {
  const executor = createExecutor(connection);
  const authorized = tokenCheck(token);
  const app = new Hono();

  app.onError((error, c) => {
    if (error instanceof BadRequestError) return c.json(errorBody(error.message), 400);
    log?.(`redis-rest: ${c.req.method} ${c.req.path} failed: ${error.stack ?? error.message}`);
    return c.json(errorBody(`ERR awl dev failed to run the request: ${error.message}`), 500);
  });

  app.use(async (c, next) => {
    // Before the token: a refused request learns nothing about it.
    const refused = refusal(c.req.raw.headers, "the Upstash Redis REST API of awl dev");
    if (refused) return c.json(errorBody(refused), 403);
    if (!authorized(c)) return c.json(errorBody(WRONG_TOKEN), 401);
    await next();
  });

  app.post("/", async (c) => {
    const command = parseCommand(parseJsonBody(await c.req.text()));
    return single(c, await executor.pipeline([command], c.req.raw.signal));
  });

  app.post("/pipeline", async (c) => {
    const commands = parseCommands(parseJsonBody(await c.req.text()));
    const replies = await executor.pipeline(commands, c.req.raw.signal);
    const encoding = encodingOf(c);
    return c.json(replies.map((reply) => toEntry(reply, encoding)));
  });

  app.post("/multi-exec", async (c) => {
    const commands = parseCommands(parseJsonBody(await c.req.text()));
    const replies = await executor.transaction(commands);
    if (replies instanceof Error) return c.json(errorBody(replies.message), 400);
    const encoding = encodingOf(c);
    return c.json(replies.map((reply) => toEntry(reply, encoding)));
  });

  app.on(["GET", "POST", "PUT"], "*", async (c) => {
    const url = new URL(c.req.url);
    const body = c.req.method === "GET" ? undefined : Buffer.from(await c.req.arrayBuffer());
    const command = commandFromPath(url.pathname, url.searchParams, body);
    return single(c, await executor.pipeline([command], c.req.raw.signal));
  });

  app.all("*", (c) => c.json(errorBody(METHOD_NOT_ALLOWED), 405));

  return app;
}

function single(c: Context, replies: Reply[]): Response {
  const entry = toEntry(replies[0] ?? null, encodingOf(c));
  return c.json(entry, "error" in entry ? 400 : 200);
}

function encodingOf(c: Context): ResponseEncoding {
  return responseEncoding(c.req.header("upstash-encoding"));
}

function tokenCheck(token: string): (c: Context) => boolean {
  const expected = Buffer.from(token);
  return (c) => {
    const header = c.req.header("authorization");
    const given = header?.startsWith("Bearer ") ? header.slice(7) : c.req.query("_token");
    if (given === undefined) return false;
    const bytes = Buffer.from(given);
    return bytes.length === expected.length && timingSafeEqual(bytes, expected);
  };
}
