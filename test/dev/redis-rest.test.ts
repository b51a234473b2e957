/**
 * The Upstash Redis REST emulator of `awl dev`, driven by the official @upstash/redis client against
 * the real Redis: every answer must be the one the same operation gets straight from Redis through
 * ioredis, in each way the client talks (base64 or plain responses, auto-pipelined or one request
 * per command). Bad requests go over raw fetch and must change nothing.
 */
import { createHash, randomUUID } from "node:crypto";
import { Redis as Upstash, errors, type RedisConfigNodejs } from "@upstash/redis";
import { Redis as IORedis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  connectRedis,
  DEFAULT_REDIS_URL,
  startRedisRest,
  type RedisConnection,
  type RedisRestServer,
} from "@awl/dev";

const TOKEN = `test-token-${randomUUID()}`;
const PREFIX = `awl-test:redis-rest:${randomUUID()}:`;

let connection: RedisConnection;
let server: RedisRestServer;
let direct: IORedis;

beforeAll(async () => {
  connection = await connectRedis({ requireRedis: true });
  server = await startRedisRest({ port: 0, token: TOKEN, connection });
  direct = new IORedis(process.env.REDIS_URL ?? DEFAULT_REDIS_URL);
});

afterAll(async () => {
  const keys: string[] = [];
  for await (const batch of direct.scanStream({ match: `${PREFIX}*`, count: 1000 }))
    keys.push(...(batch as string[]));
  if (keys.length > 0) await direct.del(...keys);
  await server?.close();
  await connection?.close();
  direct?.disconnect();
});

const key = (name: string) => `${PREFIX}${name}`;

/** A client that hands over what the server answered, without its JSON parsing of values. */
function rawClient(options: Partial<RedisConfigNodejs> = {}): Upstash {
  return new Upstash({ url: server.url, token: TOKEN, automaticDeserialization: false, ...options });
}

/** A rejection as the Redis error inside it, without what the client wraps around it. */
function redisMessage(error: unknown): string {
  return (error as Error).message.replace(/^Command failed: /, "").replace(/, command was: .*$/s, "");
}

async function settle(promise: Promise<unknown>): Promise<unknown> {
  try {
    return await promise;
  } catch (error) {
    return { error: redisMessage(error) };
  }
}

type Keys = (name: string) => string;
type Step = [
  label: string,
  viaRest: (client: Upstash, k: Keys) => Promise<unknown>,
  viaRedis: (k: Keys) => unknown[],
];

/** Runs each step through the emulator and straight through ioredis (on keys of its own) and compares. */
async function expectSameAnswers(client: Upstash, steps: Step[]): Promise<void> {
  const space = randomUUID();
  const restKeys: Keys = (name) => key(`${space}:rest:${name}`);
  const redisKeys: Keys = (name) => key(`${space}:redis:${name}`);
  const viaRest: Record<string, unknown> = {};
  const viaRedis: Record<string, unknown> = {};
  for (const [label, rest, redis] of steps) {
    viaRest[label] = await settle(rest(client, restKeys));
    const [name, ...args] = redis(redisKeys) as [string, ...(string | number)[]];
    viaRedis[label] = await settle(direct.call(name, ...args));
  }
  expect(viaRest).toEqual(viaRedis);
}

/** Results of an ioredis pipeline or transaction in the shape the Upstash client gives them. */
function ioredisResults(results: [Error | null, unknown][] | null): unknown[] {
  return (results ?? []).map(([error, result]) => (error ? { error: error.message } : result));
}

interface RawResponse {
  status: number;
  body: unknown;
}

async function request(
  path: string,
  init: { method?: string; body?: string | Buffer; token?: string | null; base64?: boolean } = {},
): Promise<RawResponse> {
  const headers: Record<string, string> = {};
  const token = init.token === undefined ? TOKEN : init.token;
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (init.base64) headers["upstash-encoding"] = "base64";
  const response = await fetch(`${server.url}${path}`, {
    method: init.method ?? "POST",
    headers,
    body: typeof init.body === "string" ? init.body : init.body && new Uint8Array(init.body),
  });
  return { status: response.status, body: await response.json() };
}

const post = (path: string, body: unknown, init: { token?: string | null; base64?: boolean } = {}) =>
  request(path, { ...init, body: JSON.stringify(body) });

async function until(condition: () => Promise<boolean>): Promise<void> {
  while (!(await condition())) await new Promise((resolve) => setTimeout(resolve, 20));
}

/** How many Redis clients sit in a BLPOP right now. */
async function blockedClients(): Promise<number> {
  const clients = String(await direct.call("CLIENT", "LIST")).split("\n");
  return clients.filter((line) => line.includes("cmd=blpop")).length;
}

const variants: { name: string; options: Partial<RedisConfigNodejs> }[] = [
  { name: "base64 responses and auto-pipelining (the client's defaults)", options: {} },
  { name: "plain responses (responseEncoding: false)", options: { responseEncoding: false } },
  { name: "one request per command (enableAutoPipelining: false)", options: { enableAutoPipelining: false } },
];

describe.each(variants)("@upstash/redis with $name", ({ options }) => {
  const client = () => rawClient(options);

  it("answers string commands as Redis does", async () => {
    await expectSameAnswers(client(), [
      ["set", (c, k) => c.set(k("s"), "hello"), (k) => ["SET", k("s"), "hello"]],
      ["get", (c, k) => c.get(k("s")), (k) => ["GET", k("s")]],
      ["get missing", (c, k) => c.get(k("missing")), (k) => ["GET", k("missing")]],
      ["set nx on existing", (c, k) => c.set(k("s"), "x", { nx: true }), (k) => ["SET", k("s"), "x", "NX"]],
      ["set ex", (c, k) => c.set(k("t"), "v", { ex: 100 }), (k) => ["SET", k("t"), "v", "EX", 100]],
      ["ttl", (c, k) => c.ttl(k("t")), (k) => ["TTL", k("t")]],
      ["append", (c, k) => c.append(k("s"), " world"), (k) => ["APPEND", k("s"), " world"]],
      ["getrange", (c, k) => c.getrange(k("s"), 0, 4), (k) => ["GETRANGE", k("s"), 0, 4]],
      ["strlen", (c, k) => c.strlen(k("s")), (k) => ["STRLEN", k("s")]],
      ["incr", (c, k) => c.incr(k("n")), (k) => ["INCR", k("n")]],
      ["incrby", (c, k) => c.incrby(k("n"), 41), (k) => ["INCRBY", k("n"), 41]],
      ["incrbyfloat", (c, k) => c.incrbyfloat(k("n"), 0.5), (k) => ["INCRBYFLOAT", k("n"), 0.5]],
      ["incr on text fails", (c, k) => c.incr(k("s")), (k) => ["INCR", k("s")]],
      ["mget", (c, k) => c.mget(k("s"), k("missing"), k("n")), (k) => ["MGET", k("s"), k("missing"), k("n")]],
      ["type", (c, k) => c.type(k("s")), (k) => ["TYPE", k("s")]],
      ["del", (c, k) => c.del(k("s"), k("n"), k("missing")), (k) => ["DEL", k("s"), k("n"), k("missing")]],
    ]);
  });

  it("keeps unicode values, and values that look like OK, base64, JSON or nothing, as they were", async () => {
    const values = ["héllo wörld 🚀 日本語 ✓", "OK", "T0s=", "", "123", '{"a":1}', "null", "  spaced  "];
    const steps: Step[] = values.flatMap((value, index): Step[] => [
      [`set ${index}`, (c, k) => c.set(k(`v${index}`), value), (k) => ["SET", k(`v${index}`), value]],
      [`get ${index}`, (c, k) => c.get(k(`v${index}`)), (k) => ["GET", k(`v${index}`)]],
    ]);
    const all = (k: Keys) => values.map((_, index) => k(`v${index}`));
    steps.push(["mget all", (c, k) => c.mget(...all(k)), (k) => ["MGET", ...all(k)]]);
    await expectSameAnswers(client(), steps);
  });

  it("reads values that are not valid UTF-8 the way ioredis reads them", async () => {
    const bytes = Buffer.from([0xff, 0xfe, 0x00, 0x41, 0xc3, 0x28, 0x80, 0xe2, 0x82]);
    const space = randomUUID();
    await direct.set(key(`${space}:rest:bin`), bytes);
    await direct.set(key(`${space}:redis:bin`), bytes);
    const viaRest = await client().get(key(`${space}:rest:bin`));
    expect(viaRest).toBe(await direct.get(key(`${space}:redis:bin`)));
    expect(viaRest).toContain("\uFFFD");
  });

  it("answers hash commands as Redis does", async () => {
    await expectSameAnswers(client(), [
      [
        "hset",
        (c, k) => c.hset(k("h"), { name: "Ada", visits: "2", ünï: "😀" }),
        (k) => ["HSET", k("h"), "name", "Ada", "visits", "2", "ünï", "😀"],
      ],
      ["hget", (c, k) => c.hget(k("h"), "name"), (k) => ["HGET", k("h"), "name"]],
      ["hget missing", (c, k) => c.hget(k("h"), "nope"), (k) => ["HGET", k("h"), "nope"]],
      ["hgetall", (c, k) => c.hgetall(k("h")), (k) => ["HGETALL", k("h")]],
      ["hgetall missing", (c, k) => c.hgetall(k("none")), (k) => ["HGETALL", k("none")]],
      ["hmget", (c, k) => c.hmget(k("h"), "name", "nope"), (k) => ["HMGET", k("h"), "name", "nope"]],
      ["hincrby", (c, k) => c.hincrby(k("h"), "visits", 3), (k) => ["HINCRBY", k("h"), "visits", 3]],
      [
        "hincrby on text fails",
        (c, k) => c.hincrby(k("h"), "name", 1),
        (k) => ["HINCRBY", k("h"), "name", 1],
      ],
      ["hexists", (c, k) => c.hexists(k("h"), "ünï"), (k) => ["HEXISTS", k("h"), "ünï"]],
      ["hkeys", (c, k) => c.hkeys(k("h")), (k) => ["HKEYS", k("h")]],
      ["hvals", (c, k) => c.hvals(k("h")), (k) => ["HVALS", k("h")]],
      ["hlen", (c, k) => c.hlen(k("h")), (k) => ["HLEN", k("h")]],
      ["hdel", (c, k) => c.hdel(k("h"), "name", "nope"), (k) => ["HDEL", k("h"), "name", "nope"]],
      ["get on a hash fails", (c, k) => c.get(k("h")), (k) => ["GET", k("h")]],
    ]);
  });

  it("answers sorted-set commands as Redis does", async () => {
    await expectSameAnswers(client(), [
      [
        "zadd",
        (c, k) =>
          c.zadd(k("z"), { score: 1.5, member: "a" }, { score: 2, member: "b" }, { score: -3, member: "c" }),
        (k) => ["ZADD", k("z"), 1.5, "a", 2, "b", -3, "c"],
      ],
      ["zscore", (c, k) => c.zscore(k("z"), "a"), (k) => ["ZSCORE", k("z"), "a"]],
      ["zscore missing", (c, k) => c.zscore(k("z"), "x"), (k) => ["ZSCORE", k("z"), "x"]],
      ["zrange", (c, k) => c.zrange(k("z"), 0, -1), (k) => ["ZRANGE", k("z"), 0, -1]],
      [
        "zrange withscores",
        (c, k) => c.zrange(k("z"), 0, -1, { withScores: true }),
        (k) => ["ZRANGE", k("z"), 0, -1, "WITHSCORES"],
      ],
      [
        "zrange byscore rev",
        (c, k) => c.zrange(k("z"), 10, 0, { byScore: true, rev: true }),
        (k) => ["ZRANGE", k("z"), 10, 0, "BYSCORE", "REV"],
      ],
      ["zrank", (c, k) => c.zrank(k("z"), "b"), (k) => ["ZRANK", k("z"), "b"]],
      ["zincrby", (c, k) => c.zincrby(k("z"), 0.25, "c"), (k) => ["ZINCRBY", k("z"), 0.25, "c"]],
      ["zcard", (c, k) => c.zcard(k("z")), (k) => ["ZCARD", k("z")]],
      ["zrem", (c, k) => c.zrem(k("z"), "a", "x"), (k) => ["ZREM", k("z"), "a", "x"]],
      ["zrange after zrem", (c, k) => c.zrange(k("z"), 0, -1), (k) => ["ZRANGE", k("z"), 0, -1]],
    ]);
  });

  it("answers list commands as Redis does", async () => {
    await expectSameAnswers(client(), [
      ["rpush", (c, k) => c.rpush(k("l"), "a", "b", "c"), (k) => ["RPUSH", k("l"), "a", "b", "c"]],
      ["lpush", (c, k) => c.lpush(k("l"), "z"), (k) => ["LPUSH", k("l"), "z"]],
      ["lrange", (c, k) => c.lrange(k("l"), 0, -1), (k) => ["LRANGE", k("l"), 0, -1]],
      ["lindex", (c, k) => c.lindex(k("l"), 1), (k) => ["LINDEX", k("l"), 1]],
      ["llen", (c, k) => c.llen(k("l")), (k) => ["LLEN", k("l")]],
      ["lpop", (c, k) => c.lpop(k("l")), (k) => ["LPOP", k("l")]],
      ["rpop", (c, k) => c.rpop(k("l")), (k) => ["RPOP", k("l")]],
      ["lpop count", (c, k) => c.lpop(k("l"), 5), (k) => ["LPOP", k("l"), 5]],
      ["lpop empty", (c, k) => c.lpop(k("l")), (k) => ["LPOP", k("l")]],
      ["lset out of range fails", (c, k) => c.lset(k("l"), 9, "x"), (k) => ["LSET", k("l"), 9, "x"]],
    ]);
  });

  it("runs EVAL, SCRIPT LOAD and EVALSHA as Redis does, NOSCRIPT included", async () => {
    const script = `redis.call('SET', KEYS[1], ARGV[1]) return {1, ARGV[1], {2, 'OK', redis.call('GET', KEYS[1])}, 'x'}`;
    const sha = createHash("sha1").update(script).digest("hex");
    const unknownSha = createHash("sha1").update(randomUUID()).digest("hex");
    await expectSameAnswers(client(), [
      ["eval", (c, k) => c.eval(script, [k("e")], ["héllo"]), (k) => ["EVAL", script, 1, k("e"), "héllo"]],
      [
        "eval status reply",
        (c) => c.eval("return redis.status_reply('OK')", [], []),
        () => ["EVAL", "return redis.status_reply('OK')", 0],
      ],
      [
        "eval error",
        (c) => c.eval("return redis.call('NOSUCH')", [], []),
        () => ["EVAL", "return redis.call('NOSUCH')", 0],
      ],
      ["script load", (c) => c.scriptLoad(script), () => ["SCRIPT", "LOAD", script]],
      ["evalsha", (c, k) => c.evalsha(sha, [k("e2")], ["v"]), (k) => ["EVALSHA", sha, 1, k("e2"), "v"]],
      ["evalsha unknown", (c) => c.evalsha(unknownSha, [], []), () => ["EVALSHA", unknownSha, 0]],
    ]);
  });

  it("lets the Script helper fall back from EVALSHA to EVAL on NOSCRIPT", async () => {
    const nonce = randomUUID();
    const source = `return ARGV[1] .. ':${nonce}'`;
    const sha = createHash("sha1").update(source).digest("hex");
    expect(await direct.call("SCRIPT", "EXISTS", sha)).toEqual([0]);
    const script = client().createScript<string>(source);
    expect(await script.exec([], ["first"])).toBe(`first:${nonce}`);
    // The fallback EVAL cached the script, so the next EVALSHA finds it.
    expect(await direct.call("SCRIPT", "EXISTS", sha)).toEqual([1]);
    expect(await script.evalsha([], ["second"])).toBe(`second:${nonce}`);
  });

  it("runs a pipeline in order, answering as an ioredis pipeline does", async () => {
    const a = key(`${randomUUID()}:a`);
    const h = key(`${randomUUID()}:h`);
    const z = key(`${randomUUID()}:z`);
    const viaRest = await client()
      .pipeline()
      .set(a, "1")
      .incr(a)
      .get(a)
      .hset(h, { f: "v" })
      .hgetall(h)
      .zadd(z, { score: 1, member: "m" })
      .zrange(z, 0, -1, { withScores: true })
      .del(a, h, z)
      .exec();
    const viaRedis = await direct
      .pipeline([
        ["call", "SET", a, "1"],
        ["call", "INCR", a],
        ["call", "GET", a],
        ["call", "HSET", h, "f", "v"],
        ["call", "HGETALL", h],
        ["call", "ZADD", z, 1, "m"],
        ["call", "ZRANGE", z, 0, -1, "WITHSCORES"],
        ["call", "DEL", a, h, z],
      ])
      .exec();
    expect(viaRest).toEqual(ioredisResults(viaRedis));
  });

  it("reports a failed pipeline command in its place and still runs the others", async () => {
    const text = key(`${randomUUID()}:text`);
    const after = key(`${randomUUID()}:after`);
    const pipeline = () => client().pipeline().set(text, "abc").incr(text).set(after, "ran");
    const viaRest = await pipeline().exec({ keepErrors: true });
    expect(viaRest).toEqual([
      { error: undefined, result: "OK" },
      { error: "ERR value is not an integer or out of range", result: undefined },
      { error: undefined, result: "OK" },
    ]);
    await direct.del(after);
    await expect(pipeline().exec()).rejects.toThrow(
      "Command 2 [ incr ] failed: ERR value is not an integer or out of range",
    );
    expect(await direct.get(after)).toBe("ran");
  });

  it("runs multi() as a transaction, answering as an ioredis MULTI does", async () => {
    const n = key(`${randomUUID()}:n`);
    const l = key(`${randomUUID()}:l`);
    const viaRest = await client()
      .multi()
      .incr(n)
      .incrby(n, 9)
      .rpush(l, "x", "y")
      .lrange(l, 0, -1)
      .get(n)
      .exec();
    await direct.del(n, l);
    const viaRedis = await direct
      .multi([
        ["call", "INCR", n],
        ["call", "INCRBY", n, 9],
        ["call", "RPUSH", l, "x", "y"],
        ["call", "LRANGE", l, 0, -1],
        ["call", "GET", n],
      ])
      .exec();
    expect(viaRest).toEqual(ioredisResults(viaRedis));
  });

  it("keeps a runtime error inside a transaction in its place and applies the rest, as Redis does", async () => {
    const text = key(`${randomUUID()}:text`);
    const after = key(`${randomUUID()}:after`);
    const viaRest = await client()
      .multi()
      .set(text, "abc")
      .incr(text)
      .set(after, "ran")
      .exec({ keepErrors: true });
    await direct.del(text, after);
    const viaRedis = await direct
      .multi([
        ["call", "SET", text, "abc"],
        ["call", "INCR", text],
        ["call", "SET", after, "ran"],
      ])
      .exec();
    expect(viaRest.map((entry) => (entry.error ? { error: entry.error } : entry.result))).toEqual(
      ioredisResults(viaRedis),
    );
    expect(await direct.get(after)).toBe("ran");
  });

  it("never interleaves two transactions", async () => {
    const counter = key(`${randomUUID()}:counter`);
    const c = client();
    const pairs = await Promise.all(
      Array.from({ length: 25 }, () => c.multi().incr(counter).incr(counter).exec<[number, number]>()),
    );
    for (const [first, second] of pairs) expect(second).toBe(first + 1);
    expect(pairs.flat().sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
  });
});

describe("@upstash/redis with its default deserialization", () => {
  it("gives back what the user stored: JSON values, numbers, hashes as objects, scores", async () => {
    const client = new Upstash({ url: server.url, token: TOKEN });
    const id = randomUUID();
    await client.set(key(`${id}:order`), { id: "o_1", items: [1, 2], note: "ünï 🚀" });
    expect(await client.get(key(`${id}:order`))).toEqual({ id: "o_1", items: [1, 2], note: "ünï 🚀" });
    await client.hset(key(`${id}:h`), { count: 3, name: "Ada", nested: { ok: true } });
    expect(await client.hgetall(key(`${id}:h`))).toEqual({ count: 3, name: "Ada", nested: { ok: true } });
    await client.zadd(key(`${id}:z`), { score: 2.5, member: "m" });
    expect(await client.zrange(key(`${id}:z`), 0, -1, { withScores: true })).toEqual(["m", 2.5]);
    expect(await client.incr(key(`${id}:n`))).toBe(1);
  });
});

describe("the wire format", () => {
  it("sends every string base64-encoded under Upstash-Encoding: base64, except a top-level OK", async () => {
    const k = key(`${randomUUID()}:wire`);
    expect(await post("/", ["SET", k, "OK"], { base64: true })).toEqual({
      status: 200,
      body: { result: "OK" },
    });
    expect(await post("/", ["GET", k], { base64: true })).toEqual({ status: 200, body: { result: "OK" } });
    expect(await post("/", ["MGET", k, `${k}:missing`], { base64: true })).toEqual({
      status: 200,
      body: { result: [Buffer.from("OK").toString("base64"), null] },
    });
    expect(await post("/", ["SET", k, "ünï"], { base64: true })).toEqual({
      status: 200,
      body: { result: "OK" },
    });
    expect(await post("/pipeline", [["GET", k], ["STRLEN", k], ["PING"]], { base64: true })).toEqual({
      status: 200,
      body: [
        { result: Buffer.from("ünï").toString("base64") },
        { result: 5 },
        { result: Buffer.from("PONG").toString("base64") },
      ],
    });
    expect(await post("/", ["GET", k])).toEqual({ status: 200, body: { result: "ünï" } });
  });

  it("keeps bytes that are not UTF-8 intact, written through the path form and read back in base64", async () => {
    const k = key(`${randomUUID()}:binary`);
    const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28, 0x0a, 0x22]);
    const written = await request(`/set/${encodeURIComponent(k)}?EX=100`, { body: bytes });
    expect(written).toEqual({ status: 200, body: { result: "OK" } });
    expect(await direct.getBuffer(k)).toEqual(bytes);
    expect(await direct.ttl(k)).toBeGreaterThan(0);
    const read = await post("/", ["GET", k], { base64: true });
    expect(Buffer.from((read.body as { result: string }).result, "base64")).toEqual(bytes);
  });

  it("serves the path form for GET as well", async () => {
    const k = key(`${randomUUID()}:path`);
    expect(await request(`/set/${encodeURIComponent(k)}/h%C3%A9`, { method: "GET" })).toEqual({
      status: 200,
      body: { result: "OK" },
    });
    expect(await request(`/get/${encodeURIComponent(k)}`, { method: "GET" })).toEqual({
      status: 200,
      body: { result: "hé" },
    });
  });
});

describe("bad requests", () => {
  const written = (k: string) => direct.exists(k);

  it("rejects a missing or wrong token with 401 and runs nothing", async () => {
    const k = key(`${randomUUID()}:unauthorized`);
    const expected = { status: 401, body: { error: "WRONGPASS invalid or missing auth token" } };
    expect(await post("/", ["SET", k, "v"], { token: null })).toEqual(expected);
    expect(await post("/", ["SET", k, "v"], { token: "wrong" })).toEqual(expected);
    expect(await post("/pipeline", [["SET", k, "v"]], { token: "wrong" })).toEqual(expected);
    expect(await post("/multi-exec", [["SET", k, "v"]], { token: null })).toEqual(expected);
    expect(
      await request(`/set/${encodeURIComponent(k)}/v?_token=wrong`, { method: "GET", token: null }),
    ).toEqual(expected);
    const client = new Upstash({ url: server.url, token: "wrong" });
    await expect(client.set(k, "v")).rejects.toThrow(errors.UpstashError);
    await expect(client.set(k, "v")).rejects.toThrow(/WRONGPASS invalid or missing auth token/);
    expect(await written(k)).toBe(0);
  });

  it("accepts the token as the _token query parameter, as Upstash does", async () => {
    const k = key(`${randomUUID()}:query-token`);
    expect(await post(`/?_token=${TOKEN}`, ["SET", k, "v"], { token: null })).toEqual({
      status: 200,
      body: { result: "OK" },
    });
    expect(await direct.get(k)).toBe("v");
  });

  it("rejects malformed JSON, a body that is not a command, and an empty command with 400, running nothing", async () => {
    const k = key(`${randomUUID()}:malformed`);
    const cases: [path: string, body: string, error: RegExp][] = [
      ["/", `["SET","${k}","v"`, /^ERR failed to parse the request body as JSON/],
      ["/", `{"command":"SET","key":"${k}"}`, /must be a JSON array of the command name and its arguments/],
      ["/", `"SET ${k} v"`, /must be a JSON array/],
      ["/", "[]", /empty command/],
      ["/", `[42,"${k}"]`, /command name must be a string; got number/],
      ["/", `["SET","${k}",{"v":1}]`, /argument 2 of SET must be a string, number or boolean; got an object/],
      ["/", `["SET","${k}",null]`, /argument 2 of SET must be a string, number or boolean; got null/],
      ["/pipeline", `[["SET","${k}","v"]`, /^ERR failed to parse the request body as JSON/],
      ["/pipeline", `["SET","${k}","v"]`, /^ERR command 1: a command must be a JSON array/],
      ["/pipeline", `[["SET","${k}","v"],[]]`, /^ERR command 2: empty command/],
      ["/pipeline", "[]", /holds no commands/],
      ["/pipeline", `{"SET":"${k}"}`, /must be a JSON array of commands/],
      ["/multi-exec", `[["SET","${k}","v"],["GET"],{}]`, /^ERR command 3: a command must be a JSON array/],
      ["/multi-exec", "[]", /holds no commands/],
    ];
    for (const [path, body, error] of cases) {
      const response = await request(path, { body });
      expect({ path, body, status: response.status }).toEqual({ path, body, status: 400 });
      expect((response.body as { error: string }).error).toMatch(error);
    }
    expect(await written(k)).toBe(0);
  });

  it("answers an unknown command or route with Redis's own error and 400", async () => {
    const redisError = await direct.call("NOSUCH", "x").then(
      () => "NOSUCH unexpectedly succeeded",
      (error: Error) => error.message,
    );
    expect(await post("/", ["NOSUCH", "x"])).toEqual({ status: 400, body: { error: redisError } });
    const route = await request("/no-such-route/x", { method: "GET" });
    expect(route.status).toBe(400);
    expect((route.body as { error: string }).error).toMatch(/^ERR unknown command 'NO-SUCH-ROUTE'/);
    const client = rawClient();
    await expect(client.exec(["NOSUCH", "x"])).rejects.toThrow(errors.UpstashError);
    await expect(client.exec(["NOSUCH", "x"])).rejects.toThrow(redisError);
  });

  it("rejects methods Upstash does not accept with 405", async () => {
    const response = await request("/", { method: "DELETE" });
    expect(response.status).toBe(405);
    expect((response.body as { error: string }).error).toMatch(/Method not allowed/);
  });

  it("discards a transaction holding a command Redis cannot queue, naming it, and applies nothing", async () => {
    const k = key(`${randomUUID()}:discarded`);
    const response = await post("/multi-exec", [
      ["SET", k, "v"],
      ["NOSUCH", "x"],
    ]);
    expect(response.status).toBe(400);
    expect((response.body as { error: string }).error).toMatch(
      /^EXECABORT Transaction discarded because of previous errors\. Command 2 \[NOSUCH\] failed: ERR unknown command 'NOSUCH'/,
    );
    expect(await written(k)).toBe(0);
  });

  it("refuses commands that would take over the shared connection, and keeps serving", async () => {
    const k = key(`${randomUUID()}:after-refusal`);
    const multi = await post("/", ["MULTI"]);
    expect(multi.status).toBe(400);
    expect((multi.body as { error: string }).error).toMatch(
      /^ERR Command is not available: 'MULTI'.*\/multi-exec/,
    );
    const subscribe = await post("/pipeline", [
      ["SUBSCRIBE", "channel"],
      ["SET", k, "v"],
    ]);
    expect(subscribe.status).toBe(200);
    expect(subscribe.body).toEqual([
      { error: expect.stringMatching(/^ERR Command is not available: 'SUBSCRIBE'/) },
      { result: "OK" },
    ]);
    const transaction = await post("/multi-exec", [
      ["SET", `${k}:tx`, "v"],
      ["SELECT", "1"],
    ]);
    expect(transaction.status).toBe(400);
    expect(await written(`${k}:tx`)).toBe(0);
    // Not queued behind a MULTI, not in subscriber mode, still on database 0.
    expect(await post("/", ["GET", k])).toEqual({ status: 200, body: { result: "v" } });
  });

  it("runs a blocking command on a connection of its own while other requests go on", async () => {
    const list = key(`${randomUUID()}:blocking`);
    const other = key(`${randomUUID()}:other`);
    const before = await blockedClients();
    const popped = post("/", ["BLPOP", list, 0]);
    await until(async () => (await blockedClients()) > before);
    const client = rawClient();
    expect(await client.set(other, "v")).toBe("OK");
    expect(await client.get(other)).toBe("v");
    await client.rpush(list, "item");
    expect(await popped).toEqual({ status: 200, body: { result: [list, "item"] } });
  });

  it("closes, dropping a request that is still blocked and its Redis connection", async () => {
    const second = await startRedisRest({ port: 0, token: TOKEN, connection });
    const list = key(`${randomUUID()}:blocked-at-close`);
    const before = await blockedClients();
    const pending = fetch(`${second.url}/`, {
      method: "POST",
      headers: { authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify(["BLPOP", list, 0]),
    }).catch((error: Error) => error);
    await until(async () => (await blockedClients()) > before);
    await second.close();
    expect(await pending).toBeInstanceOf(Error);
    await until(async () => (await blockedClients()) === before);
  });
});

describe("on the in-memory fallback", () => {
  it("warns loudly, and the REST API still works", async () => {
    const warnings: string[] = [];
    const memory = await connectRedis({ url: "redis://127.0.0.1:1", warn: (line) => warnings.push(line) });
    const fallback = await startRedisRest({ port: 0, token: TOKEN, connection: memory });
    try {
      expect(memory.backend).toBe("memory");
      expect(warnings.join("\n")).toMatch(/EMBEDDED IN-MEMORY store/);
      const client = new Upstash({ url: fallback.url, token: TOKEN });
      expect(await client.set("order", { id: "o_1", note: "ünï" })).toBe("OK");
      expect(await client.get("order")).toEqual({ id: "o_1", note: "ünï" });
      await client.hset("h", { count: 2, name: "Ada" });
      expect(await client.hgetall("h")).toEqual({ count: 2, name: "Ada" });
      expect(await client.pipeline().rpush("l", "a", "b").lrange("l", 0, -1).exec()).toEqual([2, ["a", "b"]]);
      expect(await client.multi().incr("n").incr("n").get("n").exec()).toEqual([1, 2, 2]);
      await expect(client.get("nope")).resolves.toBeNull();
      await expect(client.exec(["NOSUCH"])).rejects.toThrow(/unknown command 'NOSUCH'/);
    } finally {
      await fallback.close();
      await memory.close();
    }
  });
});
