/**
 * The in-memory fallback (ioredis-mock). The mock has no generic `call`, so a command runs as the
 * mock's Buffer method of that name (every Redis command the mock knows has one; nothing else
 * does, so a command can never reach `disconnect` or `duplicate`). The mock executes a command
 * synchronously when it is called, so issuing a whole batch before awaiting anything keeps it in
 * order and makes a transaction atomic. Replies come in ioredis's shape (HGETALL as an object) and
 * are put back into wire shape.
 */
import type { Redis } from "ioredis";
import type { RedisCommand, Reply } from "./commands.ts";
import { asError } from "./errors.ts";
import type { Backend } from "./backend.ts";

type MockMethod = (...args: RedisCommand["args"]) => Promise<unknown>;

export function memoryBackend(redis: Redis): Backend {
  const mock = redis as unknown as Record<string, unknown>;
  const runAll = (commands: RedisCommand[]) => Promise.all(commands.map((command) => invoke(mock, command)));
  return {
    // Nothing here holds a socket, so a blocking command cannot stall anyone: no special case.
    pipeline: (commands) => runAll(commands),
    transaction: (commands) => runAll(commands),
  };
}

function invoke(mock: Record<string, unknown>, command: RedisCommand): Promise<Reply> {
  const method = mock[`${command.name.toLowerCase()}Buffer`];
  if (typeof method !== "function") {
    return Promise.resolve(new Error(`ERR unknown command '${command.name}'`));
  }
  try {
    return (method as MockMethod).apply(mock, command.args).then(toWireShape, asError);
  } catch {
    // The mock throws synchronously only for the commands it lists but does not implement.
    return Promise.resolve(
      new Error(
        `ERR unknown command '${command.name}': the in-memory fallback of awl dev does not implement it; start Redis to use it`,
      ),
    );
  }
}

function toWireShape(value: unknown): Reply {
  if (value === null || value === undefined) return null;
  if (
    typeof value === "number" ||
    typeof value === "string" ||
    Buffer.isBuffer(value) ||
    value instanceof Error
  ) {
    return value;
  }
  if (Array.isArray(value)) return value.map(toWireShape);
  if (typeof value === "object")
    return Object.entries(value).flatMap(([key, field]) => [key, toWireShape(field)]);
  return String(value);
}
