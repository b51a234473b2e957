/**
 * Slows down a client that keeps presenting wrong API keys to the events API, in memory (per
 * function instance: an attacker spread over many instances is slowed in each of them, and the key
 * policy in auth.ts is what makes guessing hopeless anyway). A client's first FREE_FAILURES wrong
 * keys are answered at once; each further one within WINDOW_MS of the last is held back, 1 s, then
 * twice as long each time, at most MAX_DELAY_MS; and while a client has an answer held back,
 * anything else it sends is refused unchecked (429, Retry-After), so a flood cannot run its guesses
 * in parallel. A correct key is never held back, and clears the client's record.
 */

export const FREE_FAILURES = 10;
export const WINDOW_MS = 15 * 60_000;
const FIRST_DELAY_MS = 1000;
export const MAX_DELAY_MS = 30_000;
/** Bounds the memory a flood from many addresses can take: the oldest record goes first. */
const MAX_CLIENTS = 10_000;

interface ClientRecord {
  failures: number;
  lastFailure: number;
  /** When the answer being held back goes out; 0 when none is. */
  heldUntil: number;
}

export interface FailureLimiter {
  /** Seconds the client must wait before it is heard again (a 429), or undefined. */
  refusedFor(client: string, now: number): number | undefined;
  /** Records a wrong key; returns how long to hold its answer back (ms, 0 for at once). */
  failed(client: string, now: number): number;
  succeeded(client: string): void;
}

export function createFailureLimiter(): FailureLimiter {
  const records = new Map<string, ClientRecord>();
  return {
    refusedFor(client, now) {
      const held = records.get(client)?.heldUntil ?? 0;
      return held > now ? Math.max(1, Math.ceil((held - now) / 1000)) : undefined;
    },
    failed(client, now) {
      const previous = records.get(client);
      const failures = previous && now - previous.lastFailure < WINDOW_MS ? previous.failures + 1 : 1;
      const excess = failures - FREE_FAILURES;
      const delay = excess > 0 ? Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(excess - 1, 30)) : 0;
      // Re-inserted so that the Map's order is least recently failed first.
      records.delete(client);
      records.set(client, { failures, lastFailure: now, heldUntil: delay > 0 ? now + delay : 0 });
      if (records.size > MAX_CLIENTS) records.delete(records.keys().next().value!);
      return delay;
    },
    succeeded(client) {
      records.delete(client);
    },
  };
}
