/**
 * Counters since the server started, served at `GET /v2/awl/stats` (our extension to the QStash
 * API) so benchmarks and `awl dev` can read deltas. Counts are events, not messages: a message
 * retried twice adds 2 to `retried` and 3 to `attempts`.
 */
export interface QStashStats {
  /** Messages accepted from publish, enqueue, batch and DLQ retry (deduplicated ones excluded). */
  published: number;
  /** Publishes answered with an earlier message id. */
  deduplicated: number;
  /** Attempts answered with 2xx. */
  delivered: number;
  /** Attempts made (successful or not). */
  attempts: number;
  /** Failed attempts followed by another attempt. */
  retried: number;
  /** Messages moved to the DLQ after their last retry. */
  deadLettered: number;
  /** Callback and failure-callback messages that were dead-lettered themselves. */
  failedCallbacks: number;
  /** Messages cancelled before they were settled. */
  cancelled: number;
  /** Messages waiting for their time, in a queue or a waitlist (gauge). */
  pending: number;
  /** Attempts in progress (gauge). */
  inFlight: number;
  /** Redis commands and pipelines sent by the QStash server. */
  redisRoundTrips: number;
  /** When these counts started (ms since epoch). */
  since: number;
}

export type Counter = Exclude<keyof QStashStats, "pending" | "inFlight" | "redisRoundTrips" | "since">;

export class Stats {
  readonly #counts: Record<Counter, number> = {
    published: 0,
    deduplicated: 0,
    delivered: 0,
    attempts: 0,
    retried: 0,
    deadLettered: 0,
    failedCallbacks: 0,
    cancelled: 0,
  };
  readonly #since = Date.now();

  add(counter: Counter, amount = 1): void {
    this.#counts[counter] += amount;
  }

  snapshot(gauges: Pick<QStashStats, "pending" | "inFlight" | "redisRoundTrips">): QStashStats {
    return { ...this.#counts, ...gauges, since: this.#since };
  }
}
