/**
 * In-process instrumentation shared by every system under test: when each run finished (as its
 * system reports it: our workload's "completed" answer, Upstash Workflow's final invocation,
 * BullMQ's `completed` event), and for sleeping runs when the sleep began and when the code after
 * it resumed. Completions that arrive before anyone waits for them are kept.
 */
export class Tracker {
  readonly #done = new Map<string, number>();
  readonly #waiters = new Map<string, (at: number) => void>();
  readonly #sleepStarted = new Map<string, number>();
  readonly #woke = new Map<string, number>();

  /** Marks run `key` done now (performance.now()); repeats are ignored. */
  done(key: string): void {
    if (this.#done.has(key)) return;
    const at = performance.now();
    this.#done.set(key, at);
    this.#waiters.get(key)?.(at);
    this.#waiters.delete(key);
  }

  /** When run `key` finished (performance.now()). */
  whenDone(key: string): Promise<number> {
    const at = this.#done.get(key);
    if (at !== undefined) return Promise.resolve(at);
    return new Promise((resolve) => this.#waiters.set(key, resolve));
  }

  /** The first time run `key` reached its sleep (wall clock, ms). */
  sleepStarted(key: string): void {
    if (!this.#sleepStarted.has(key)) this.#sleepStarted.set(key, Date.now());
  }

  /** The first time run `key` ran code after its sleep (wall clock, ms). */
  woke(key: string): void {
    if (!this.#woke.has(key)) this.#woke.set(key, Date.now());
  }

  /** How late run `key` woke, in ms, for a sleep of `sleepMs`. */
  lateness(key: string, sleepMs: number): number {
    const started = this.#sleepStarted.get(key);
    const woke = this.#woke.get(key);
    return started === undefined || woke === undefined ? NaN : woke - (started + sleepMs);
  }

  get pending(): number {
    return this.#waiters.size;
  }
}
