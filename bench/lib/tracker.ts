/** Wall-clock milliseconds with sub-millisecond precision: the clock of every time kept here. */
export const wallClock = () => performance.timeOrigin + performance.now();

/**
 * In-process instrumentation shared by every system under test: when each run finished (as its
 * system reports it: our workload's "completed" answer, Upstash Workflow's final invocation,
 * BullMQ's `completed` event), and for sleeping runs when the sleep began and when the code after
 * it resumed. Completions that arrive before anyone waits for them are kept; a run its system
 * reports failed rejects its waiter, so a scenario stops with the reason instead of hanging. Also the
 * function invocations of the systems whose code runs as functions (awl's router and workloads,
 * Upstash Workflow's workflows): how many, how long each took (what Netlify bills), and which run
 * each served, so the time a run's functions spent inside its sleep can be told.
 */
export class Tracker {
  readonly #done = new Map<string, number>();
  readonly #waiters = new Map<string, { resolve: (at: number) => void; reject: (error: Error) => void }>();
  readonly #failed = new Map<string, Error>();
  readonly #sleepStarted = new Map<string, number>();
  readonly #woke = new Map<string, number>();
  readonly #invocations = new Map<string, [number, number][]>();
  #functionCount = 0;
  #functionMs = 0;
  readonly #inStep = new Map<string, number>();
  #peakInStep = 0;

  /**
   * A step of a run under flow-control key `key` began (`+1`) or ended (`-1`): the most steps of one
   * key running at once, measured from inside the steps, shows whether a limit held.
   */
  inStep(key: string, change: 1 | -1): void {
    const now = (this.#inStep.get(key) ?? 0) + change;
    this.#inStep.set(key, now);
    this.#peakInStep = Math.max(this.#peakInStep, now);
  }

  /** The most steps of one key that ran at once since the last call (and starts counting again). */
  takePeakInStep(): number {
    const peak = this.#peakInStep;
    this.#peakInStep = 0;
    return peak;
  }

  /** Marks run `key` done now (performance.now()); repeats are ignored. */
  done(key: string): void {
    if (this.#done.has(key)) return;
    const at = performance.now();
    this.#done.set(key, at);
    this.#waiters.get(key)?.resolve(at);
    this.#waiters.delete(key);
  }

  /** Marks run `key` failed: whoever waits for it (or will) gets `error`. */
  fail(key: string, error: Error): void {
    if (this.#done.has(key) || this.#failed.has(key)) return;
    this.#failed.set(key, error);
    this.#waiters.get(key)?.reject(error);
    this.#waiters.delete(key);
  }

  /** When run `key` finished (performance.now()). */
  whenDone(key: string): Promise<number> {
    const at = this.#done.get(key);
    if (at !== undefined) return Promise.resolve(at);
    const failed = this.#failed.get(key);
    if (failed) return Promise.reject(failed);
    return new Promise((resolve, reject) => this.#waiters.set(key, { resolve, reject }));
  }

  /**
   * The first time run `key` reached its sleep (Date.now(): whole milliseconds, the clock the
   * systems schedule with, so a wake on time is never seen as early by a fraction of a millisecond).
   */
  sleepStarted(key: string): void {
    if (!this.#sleepStarted.has(key)) this.#sleepStarted.set(key, Date.now());
  }

  /** The first time run `key` ran code after its sleep (Date.now()). */
  woke(key: string): void {
    if (!this.#woke.has(key)) this.#woke.set(key, Date.now());
  }

  /** How late run `key` woke, in ms, for a sleep of `sleepMs`. */
  lateness(key: string, sleepMs: number): number {
    const started = this.#sleepStarted.get(key);
    const woke = this.#woke.get(key);
    return started === undefined || woke === undefined ? NaN : woke - (started + sleepMs);
  }

  /** A function invocation from `startedAt` to `endedAt` (wallClock), serving run `key` if known. */
  invocation(key: string | undefined, startedAt: number, endedAt: number): void {
    this.#functionCount += 1;
    this.#functionMs += endedAt - startedAt;
    if (key === undefined) return;
    const list = this.#invocations.get(key) ?? [];
    list.push([startedAt, endedAt]);
    this.#invocations.set(key, list);
  }

  /** Function invocations so far, and their summed duration (ms). */
  get functions(): { invocations: number; ms: number } {
    return { invocations: this.#functionCount, ms: this.#functionMs };
  }

  /**
   * Function time (ms) run `key` spent inside its sleep of `sleepMs` (from when the sleep began to
   * when it was due): time billed for waiting, not working. NaN when the run never slept.
   */
  functionMsAsleep(key: string, sleepMs: number): number {
    const from = this.#sleepStarted.get(key);
    if (from === undefined) return NaN;
    const to = from + sleepMs;
    let total = 0;
    for (const [start, end] of this.#invocations.get(key) ?? []) {
      total += Math.max(0, Math.min(end, to) - Math.max(start, from));
    }
    return total;
  }

  get pending(): number {
    return this.#waiters.size;
  }
}
