/**
 * The real-Redis backend. Commands go through ioredis untouched and replies come back as parsed
 * bytes. A batch is one ioredis Pipeline, written to the socket in one go, so a MULTI ... EXEC can
 * never interleave with another request's commands on the shared connection; a batch holding a
 * blocking command runs on a connection of its own, opened for the request and closed after it (or
 * when the HTTP client goes away).
 */
import { Command, Pipeline, type Redis } from "ioredis";
import type { RedisConnection } from "../redis-connection.ts";
import type { RedisCommand, Reply } from "./commands.ts";
import { transactionDiscarded } from "./errors.ts";
import type { Backend } from "./backend.ts";

export function ioredisBackend(connection: RedisConnection): Backend {
  return {
    pipeline(commands, blocking, signal) {
      const wire = commands.map(toWire);
      return blocking
        ? onOwnConnection(connection, signal, (redis) => send(redis, wire))
        : send(connection.redis, wire);
    },
    async transaction(commands) {
      const replies = await send(connection.redis, [raw("MULTI"), ...commands.map(toWire), raw("EXEC")]);
      const exec = replies[replies.length - 1];
      if (Array.isArray(exec)) return exec;
      // Redis answers EXECABORT when a command failed to queue (a nil EXEC needs WATCH, which is
      // refused). Each queued command's reply sits between MULTI's and EXEC's.
      for (const [index, command] of commands.entries()) {
        const queued = replies[index + 1];
        if (queued instanceof Error) return transactionDiscarded(command, index, queued.message);
      }
      return exec instanceof Error ? exec : new Error("EXECABORT Transaction discarded");
    },
  };
}

/**
 * ioredis rewrites the arguments and replies of some commands it knows by their lowercase names
 * (HGETALL replies become objects, object arguments to HSET and MSET are flattened). Redis command
 * names are case-insensitive, so sending them uppercased keeps ioredis a transparent pipe.
 */
function toWire(command: RedisCommand): Command {
  return raw(command.name.toUpperCase(), command.args);
}

function raw(name: string, args: RedisCommand["args"] = []): Command {
  return new Command(name, args, { replyEncoding: null });
}

async function send(redis: Redis, commands: Command[]): Promise<Reply[]> {
  const pipeline = new Pipeline(redis);
  for (const command of commands) pipeline.sendCommand(command);
  const results = (await pipeline.exec()) ?? [];
  // With replyEncoding null, ioredis hands over the parser's output: Buffers, numbers, null, arrays.
  return results.map(([error, reply]) => error ?? (reply as Reply));
}

async function onOwnConnection<T>(
  connection: RedisConnection,
  signal: AbortSignal | undefined,
  run: (redis: Redis) => Promise<T>,
): Promise<T> {
  const redis = connection.duplicate();
  // A failure reaches the command's promise; the 'error' event would only print it a second time.
  redis.on("error", () => {});
  const hangUp = () => redis.disconnect();
  signal?.addEventListener("abort", hangUp, { once: true });
  try {
    return await run(redis);
  } finally {
    signal?.removeEventListener("abort", hangUp);
    redis.disconnect();
  }
}
