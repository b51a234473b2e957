/**
 * What the REST emulator runs commands on: a real Redis (ioredis-backend.ts) or the in-memory
 * fallback (memory-backend.ts); the executor (executor.ts) picks one for the connection.
 */
import type { RedisCommand, Reply } from "./commands.ts";

export interface Backend {
  /** Runs the commands in order; one reply per command, a failed command's Error in its place. */
  pipeline(commands: RedisCommand[], blocking: boolean, signal: AbortSignal | undefined): Promise<Reply[]>;
  /** Runs the commands as one MULTI/EXEC; an Error when Redis discarded the transaction. */
  transaction(commands: RedisCommand[]): Promise<Reply[] | Error>;
}
