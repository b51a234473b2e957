/**
 * What a command is to the REST emulator, and which commands may run on the Redis connection that
 * every request shares. Commands that would change that connection's state (MULTI, SELECT,
 * SUBSCRIBE, ...) are refused, as Upstash refuses them over REST, because one request's MULTI would
 * otherwise swallow everybody else's commands. Blocking commands are recognised so that they can be
 * sent down a connection of their own instead of holding up the shared one.
 */

export type Argument = string | Buffer;

/** One Redis command, name and arguments exactly as the request gave them. */
export interface RedisCommand {
  readonly name: string;
  readonly args: Argument[];
}

/**
 * A reply in RESP2 shape as ioredis parses it with bytes kept: bulk and status strings as Buffers,
 * integers as numbers, nil as null. A top-level Error is a failed command; a nested one is an error
 * element of an EXEC or EVAL reply.
 */
export type Reply = null | number | string | Buffer | Error | readonly Reply[];

const SHARED = "It would change the Redis connection that all requests to awl dev share.";
const TRANSACTION = "Send transactions to /multi-exec (redis.multi() in @upstash/redis).";
const STREAMING = "awl dev answers one request with one reply; Pub/Sub and MONITOR streams are not emulated.";

const REFUSED = new Map<string, string>([
  ["multi", TRANSACTION],
  ["exec", TRANSACTION],
  ["discard", TRANSACTION],
  ["watch", "WATCH needs a connection of its own, which a REST request does not have."],
  ["unwatch", "WATCH needs a connection of its own, which a REST request does not have."],
  ["subscribe", STREAMING],
  ["psubscribe", STREAMING],
  ["ssubscribe", STREAMING],
  ["unsubscribe", STREAMING],
  ["punsubscribe", STREAMING],
  ["sunsubscribe", STREAMING],
  ["monitor", STREAMING],
  ["select", SHARED],
  ["hello", SHARED],
  ["auth", SHARED],
  ["reset", SHARED],
  ["quit", SHARED],
  ["client", SHARED],
  ["sync", SHARED],
  ["psync", SHARED],
  ["replconf", SHARED],
]);

/** The error a refused command gets, or undefined when it may run. */
export function refusal(command: RedisCommand): string | undefined {
  const reason = REFUSED.get(command.name.toLowerCase());
  return reason === undefined ? undefined : `ERR Command is not available: '${command.name}'. ${reason}`;
}

const BLOCKING = new Set([
  "blpop",
  "brpop",
  "brpoplpush",
  "blmove",
  "blmpop",
  "bzpopmin",
  "bzpopmax",
  "bzmpop",
  "wait",
  "waitaof",
]);
const BLOCKING_WITH_OPTION = new Set(["xread", "xreadgroup"]);

/** Whether Redis may hold the connection while the command waits (outside MULTI, where nothing blocks). */
export function isBlocking(command: RedisCommand): boolean {
  const name = command.name.toLowerCase();
  if (BLOCKING.has(name)) return true;
  if (!BLOCKING_WITH_OPTION.has(name)) return false;
  // Options come before STREAMS; after it, a key may well be called "block".
  for (const arg of command.args) {
    const word = arg.toString().toUpperCase();
    if (word === "STREAMS") return false;
    if (word === "BLOCK") return true;
  }
  return false;
}
