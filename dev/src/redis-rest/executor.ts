/**
 * Runs parsed commands against the store behind awl dev. It refuses commands that would break the
 * shared connection, routes a batch holding a blocking command to a connection of its own, and
 * leaves the rest to the backend: real Redis through ioredis, or the in-memory fallback.
 */
import type { RedisConnection } from "../redis-connection.ts";
import { isBlocking, refusal, type RedisCommand, type Reply } from "./commands.ts";
import { transactionDiscarded } from "./errors.ts";
import { ioredisBackend } from "./ioredis-backend.ts";
import { memoryBackend } from "./memory-backend.ts";

export interface Executor {
  /** Not atomic: other requests may interleave. A failed command does not stop the others. */
  pipeline(commands: RedisCommand[], signal?: AbortSignal): Promise<Reply[]>;
  /** Atomic. Runtime errors stay in place (as in Redis); a refused command discards it all. */
  transaction(commands: RedisCommand[]): Promise<Reply[] | Error>;
}

export function createExecutor(connection: RedisConnection): Executor {
  const backend =
    connection.backend === "redis" ? ioredisBackend(connection) : memoryBackend(connection.redis);
  return {
    async pipeline(commands, signal) {
      const refusals = commands.map(refusal);
      if (refusals.every((refused) => refused === undefined)) {
        return backend.pipeline(commands, commands.some(isBlocking), signal);
      }
      const runnable = commands.filter((_, index) => refusals[index] === undefined);
      const replies =
        runnable.length === 0 ? [] : await backend.pipeline(runnable, runnable.some(isBlocking), signal);
      let next = 0;
      return refusals.map((refused) =>
        refused === undefined ? (replies[next++] ?? null) : new Error(refused),
      );
    },
    async transaction(commands) {
      for (const [index, command] of commands.entries()) {
        const refused = refusal(command);
        if (refused !== undefined) return transactionDiscarded(command, index, refused);
      }
      return backend.transaction(commands);
    },
  };
}
