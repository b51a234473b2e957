/**
 * The step API a workload uses, and its journal semantics: a step that completed never runs again
 * for that run (its stored JSON result is returned instead), a new step runs and is checkpointed
 * in one Redis round trip, and a sleep or a spent time budget interrupts the invocation so that
 * its outcome can be recorded and the run resumed by a later delivery.
 *
 * Sleeps and steps started together run together: a sleep that is not yet due leaves its promise
 * pending and lets other steps start. The run parks only once the workload can make no other
 * progress (no step running, and nothing new started after a turn of the event loop), until the
 * earliest pending sleep. A sleep whose time comes while other steps still run ends in this
 * invocation.
 *
 * Interrupts are remembered on the runner, not only thrown: a workload that catches one and carries
 * on cannot turn a parked run into a "completed" one, and every later step call throws it again.
 */
import { createHash } from "node:crypto";
import type { SendOptions, SendResult, SendInput } from "./send.ts";
import { toDelayMs, toDurationMs, type Duration } from "./durations.ts";
import { DuplicateStepIdError, InvalidStepError, NonDeterminismError, StepTimeoutError } from "./errors.ts";
import { stepResultJson } from "./step-result.ts";
import { eventNameSchema } from "./limits.ts";
import { bindTrigger, ConditionError, parseCondition } from "./event-condition.ts";
import type { WaitAnswer } from "./store/scripts/wait.ts";
import { InvalidInputError } from "./validation-error.ts";
import type { EventValidator } from "./workload-spec.ts";

export interface StepOptions {
  /**
   * How long one attempt of the step may take (ms or e.g. "30s"); default the workload's
   * `stepTimeout`, else none. Past it the attempt fails with a StepTimeoutError (retried like any
   * failure) and `signal` aborts; the step's result, if it comes later, is discarded.
   */
  timeout?: Duration;
}

export interface WaitForEventOptions<N extends string = string> {
  /** The awaited event's name (matched case-insensitively). */
  event: N;
  /** A dotted path such as "data.orderId": the awaited event must hold the triggering event's value there. */
  match?: string;
  /**
   * A condition the awaited event must meet, over `event` (the arriving one) and `async` (the run's
   * triggering event), e.g. `"event.data.amount >= async.data.min && event.data.currency == 'EUR'"`
   * (engine/event-condition.ts has the grammar). Checked as each event arrives, in Redis.
   */
  if?: string;
  /** How long to wait (ms or e.g. "3 days"); then the step returns null. */
  timeout: Duration;
}

/** The event a step.waitForEvent received. */
export interface WaitedEvent<D = unknown> {
  eventId: string;
  name: string;
  data: D;
  /** When it was accepted (ms since epoch). */
  createdAt: number;
}

/** What a step's function is given. */
export interface StepContext {
  /** Aborts when the step times out: pass it to fetch() and the like to stop the work itself. */
  signal: AbortSignal;
}

/**
 * The events a workload's catalog types (events/define-events.ts `CatalogEvents`): per event name,
 * the data a step receives (the schema's output) and the data a step sends (its input).
 */
export interface TypedEvents {
  received: object;
  sent: object;
}

/**
 * The step API a workload's handler gets. With a catalog (`E`), waitForEvent and sendEvent take the
 * catalog's event names only, and their data is the catalog's type for that name; without one, any
 * name, and waitForEvent's data is what its type argument says.
 */
export type StepApi<E extends TypedEvents | undefined = undefined> = StepBasics &
  (E extends TypedEvents ? TypedEventSteps<E> : UntypedEventSteps);

export interface StepBasics {
  /** Runs `fn` once for this run; on replay returns its stored result (as JSON: Dates become strings). */
  run<T>(
    id: string,
    fn: (context: StepContext) => T | Promise<T>,
    options?: StepOptions,
  ): Promise<Awaited<T>>;
  /** Parks the run for a duration (ms or e.g. "7 days"); nothing waits in memory. */
  sleep(id: string, duration: Duration): Promise<void>;
  /** Parks the run until a point in time. */
  sleepUntil(id: string, time: Date | number | string): Promise<void>;
}

/** waitForEvent and sendEvent without a catalog: any event name; the awaited data's type is given, not checked. */
export interface UntypedEventSteps {
  /**
   * Parks the run until an event of that name arrives (accepted since the run was created) whose
   * value at `match` equals the triggering event's and which meets `if`, or until `timeout`: the
   * event, or null.
   */
  waitForEvent<D = unknown>(id: string, options: WaitForEventOptions): Promise<WaitedEvent<D> | null>;
  /** Sends an event exactly once for this run, whatever the retries. */
  sendEvent(id: string, name: string, data?: unknown, options?: SendOptions): Promise<SendResult>;
}

/**
 * waitForEvent and sendEvent with a catalog: the catalog's event names, each with its data type.
 * At run time too, an awaited event's data and a sent event's data are validated against the
 * name's schema: invalid data fails the run with an InvalidInputError naming the field, not retried.
 */
export interface TypedEventSteps<E extends TypedEvents> {
  /** As without a catalog; the event's data is parsed by the name's schema. */
  waitForEvent<N extends keyof E["received"] & string>(
    id: string,
    options: WaitForEventOptions<N>,
  ): Promise<WaitedEvent<E["received"][N]> | null>;
  /** Sends an event of the catalog exactly once for this run, whatever the retries. */
  sendEvent<N extends keyof E["sent"] & string>(
    id: string,
    name: N,
    data: E["sent"][N],
    options?: SendOptions,
  ): Promise<SendResult>;
}

export type Interrupt =
  { kind: "sleep"; wakeAt: number } | { kind: "continue" } | { kind: "superseded" } | { kind: "cancelled" };

/** Unwinds a workload's code when the invocation must stop; never reported as a failure. */
export class StepInterrupt extends Error {
  constructor(readonly interrupt: Interrupt) {
    super(`awl: invocation interrupted (${interrupt.kind})`);
    this.name = "StepInterrupt";
  }
}

export interface StepRunnerDeps {
  runId: string;
  attempt: number;
  journal: Map<string, string>;
  /** true when written; "cancelling" when written but the run was cancelled meanwhile; false when fenced out. */
  checkpoint(stepId: string, record: string): Promise<boolean | "cancelling">;
  send(input: SendInput): Promise<SendResult>;
  /** step.waitForEvent's script (store/scripts/wait.lua), fenced by this invocation's generation. */
  wait(wait: {
    stepId: string;
    now: number;
    eventName: string;
    path: string;
    value: string;
    timeoutAt: number;
    expression: string;
    condition: string;
  }): Promise<WaitAnswer>;
  /** The run's triggering event, for waitForEvent's `match` and `if`. */
  trigger: { eventId: string; name: string; data: unknown };
  /** The workload's catalog of typed events: an awaited event's data is validated by it. */
  catalog?: EventValidator;
  now(): number;
  /** When the invocation started, and how long it may keep starting new steps. */
  startedAt: number;
  timeBudgetMs: number;
  /** The workload's default step timeout (ms), if it has one. */
  stepTimeoutMs?: number;
}

const stepOfError = new WeakMap<object, string>();

/**
 * The promise every step call returns: it knows whether the workload ever attached a handler to it
 * (`await`, `then`, `catch`, `Promise.all`... all call `then`). A failed step nobody awaited would
 * otherwise be lost without a trace and the run reported completed. Promises derived from it are
 * ordinary ones.
 */
class StepPromise<T> extends Promise<T> {
  static override get [Symbol.species]() {
    return Promise;
  }

  observed = false;

  override then<R1 = T, R2 = never>(
    onFulfilled?: ((value: T) => R1 | PromiseLike<R1>) | null,
    onRejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2> {
    this.observed = true;
    return super.then(onFulfilled, onRejected);
  }
}

/**
 * The idempotency key step.sendEvent derives: readable (`runId:stepId`) when it fits the 256
 * characters keys may have, otherwise the run id and a digest of the step id, so every valid step
 * id works and the key stays the same on every retry.
 */
export function sendEventKey(runId: string, stepId: string): string {
  const readable = `${runId}:${stepId}`;
  if (readable.length <= 256) return readable;
  return `${runId}:sha256:${createHash("sha256").update(stepId).digest("hex")}`;
}

/** The id of the step an error came out of, if it came out of one. */
export function failedStepOf(error: unknown): string | undefined {
  return typeof error === "object" && error !== null ? stepOfError.get(error) : undefined;
}

export class StepRunner {
  interrupt: Interrupt | undefined;
  /** Steps that ran (not replayed) in this invocation, in completion order. */
  readonly executed: string[] = [];
  private readonly used = new Set<string>();
  /** Ids reached in this invocation that the journal does not hold, in the order reached. */
  private readonly fresh: string[] = [];
  private readonly inflight = new Set<Promise<unknown>>();
  /** Sleeps reached and not yet due, by id; their promises settle when they end here or the run parks. */
  private readonly pending = new Map<string, PendingSleep>();
  /** Journal entries of sleeps first reached in this invocation, not yet written. */
  private readonly sleepRecords = new Map<string, string>();
  /** Bumped whenever a step or sleep is reached or a step ends, so the park waits for a quiet turn. */
  private version = 0;
  private wake: (() => void) | undefined;
  private closed = false;
  /** Every promise handed to the workload, to find failures nobody awaited. */
  private readonly returned: { promise: StepPromise<unknown>; failed: boolean; error?: unknown }[] = [];

  constructor(private readonly deps: StepRunnerDeps) {}

  readonly api: StepApi = {
    run: (id, fn, options) => this.track(this.run(id, fn, options)),
    sleep: (id, duration) =>
      this.track(this.sleepFor(id, () => toDurationMs(duration, `step.sleep("${id}")`))),
    sleepUntil: (id, time) =>
      this.track(
        this.sleepFor(id, () => {
          const date = time instanceof Date ? time : new Date(time);
          return toDelayMs(date, `step.sleepUntil("${id}")`, this.deps.now());
        }),
      ),
    waitForEvent: <D>(id: string, options: WaitForEventOptions) =>
      this.track(
        this.waitForEvent(id, options).then((event) =>
          this.validated(id, event),
        ) as Promise<WaitedEvent<D> | null>,
      ),
    sendEvent: (id, name, data, options) =>
      this.track(
        this.run(id, () =>
          this.deps.send({
            ...options,
            name,
            data,
            idempotencyKey: options?.idempotencyKey ?? sendEventKey(this.deps.runId, id),
          }),
        ),
      ),
  };

  /**
   * An awaited event as the workload gets it: with a catalog, its data parsed by its name's schema
   * (on every replay too, so every invocation sees the same value); data the schema refuses fails
   * the run, not retried: the stored event would be refused the same way every time.
   */
  private validated(id: string, event: WaitedEvent | null): WaitedEvent | null {
    if (event === null || !this.deps.catalog) return event;
    const result = this.deps.catalog.validate(event.name, event.data, ["data"]);
    if ("data" in result) return { ...event, data: result.data };
    const error = new InvalidInputError(
      result.issues,
      `step.waitForEvent("${id}") received ${event.name} ${event.eventId}, which does not match its schema`,
    );
    stepOfError.set(error, id);
    throw error;
  }

  /** The error of the first step that failed with no handler attached, once settled (interrupts aside). */
  unobservedFailure(): unknown {
    return this.returned.find((entry) => entry.failed && !entry.promise.observed)?.error;
  }

  private track<T>(inner: Promise<T>): Promise<T> {
    const promise = new StepPromise<T>((resolve, reject) => inner.then(resolve, reject));
    const entry: { promise: StepPromise<T>; failed: boolean; error?: unknown } = { promise, failed: false };
    this.returned.push(entry);
    // Keep Node from calling the rejection unhandled (it would crash the process) without marking it
    // observed: the failure is reported through unobservedFailure instead.
    Promise.prototype.then.call(promise, undefined, () => undefined);
    inner.catch((error: unknown) => {
      if (error instanceof StepInterrupt) return;
      entry.failed = true;
      entry.error = error;
    });
    return promise;
  }

  /**
   * Resolves when the run should park: a sleep is pending, no step is running, and a turn of the event
   * loop started nothing new (the code after a finished step has had its chance to start the next).
   * A sleep that is due by then ends here instead (its journal entry written first, so that a later
   * replay does not sleep again). Also resolves when another interrupt stops the invocation. Pending
   * sleeps are then rejected with the interrupt, so the workload's code unwinds.
   */
  async parked(): Promise<void> {
    while (!this.closed && !this.interrupt) {
      if (this.inflight.size) {
        await Promise.allSettled([...this.inflight]);
        continue;
      }
      if (this.pending.size === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      const seen = this.version;
      await new Promise((resolve) => setImmediate(resolve));
      if (this.closed || this.interrupt || seen !== this.version || this.inflight.size) continue;
      const now = this.deps.now();
      const due = [...this.pending].filter(([, sleep]) => sleep.wakeAt <= now);
      if (due.length === 0) {
        this.interrupt = {
          kind: "sleep",
          wakeAt: Math.min(...[...this.pending.values()].map((s) => s.wakeAt)),
        };
        break;
      }
      for (const [id, sleep] of due) {
        if (sleep.due) {
          // A wait at its timeout ends through its script (an event may have come meanwhile).
          this.pending.delete(id);
          const ended = await sleep.due();
          if (!ended) {
            this.interrupt ??= { kind: "superseded" };
            break;
          }
          continue;
        }
        const record = this.sleepRecords.get(id);
        if (record !== undefined) {
          const written = await this.deps.checkpoint(id, record);
          if (written !== true) {
            this.interrupt ??= written ? { kind: "cancelled" } : { kind: "superseded" };
            break;
          }
          this.sleepRecords.delete(id);
        }
        this.pending.delete(id);
        sleep.resolve();
      }
      this.changed();
    }
    if (this.closed || !this.interrupt) return;
    for (const sleep of this.pending.values()) sleep.reject(new StepInterrupt(this.interrupt));
    this.pending.clear();
  }

  /** The workload's code returned or threw: from now on, nothing parks it. */
  close(): void {
    this.closed = true;
    this.changed();
  }

  /** Journal entries of sleeps first reached in this invocation and not written yet (written with the outcome). */
  newSleeps(): { id: string; record: string }[] {
    return [...this.sleepRecords].map(([id, record]) => ({ id, record }));
  }

  private changed(): void {
    this.version++;
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }

  /** Waits until every step started in this invocation has finished and been checkpointed. */
  async settle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  private raise(interrupt: Interrupt): never {
    this.interrupt ??= interrupt;
    this.changed();
    throw new StepInterrupt(this.interrupt);
  }

  private claimId(id: string): string | undefined {
    if (this.interrupt) throw new StepInterrupt(this.interrupt);
    if (typeof id !== "string" || id.length === 0 || id.length > 256) {
      throw new InvalidStepError(
        `step id must be a non-empty string of at most 256 characters, got ${JSON.stringify(id)}`,
      );
    }
    if (this.used.has(id)) throw new DuplicateStepIdError(id);
    this.used.add(id);
    this.changed();
    const stored = this.deps.journal.get(id);
    if (stored === undefined) this.fresh.push(id);
    return stored;
  }

  /**
   * Non-determinism, judged once an invocation is over: it started steps or sleeps the journal does
   * not hold while journal entries were never reached. Replayed code reaches every journaled id before
   * it gets past them, so a new id with old ones left behind means the ids changed (checked at the end,
   * not when the new id appears: steps started together may be reached in any order).
   */
  divergence(): NonDeterminismError | undefined {
    if (this.fresh.length === 0) return undefined;
    const unreached = [...this.deps.journal.keys()].filter((id) => !this.used.has(id));
    return unreached.length ? new NonDeterminismError(unreached, this.fresh) : undefined;
  }

  private run<T>(
    id: string,
    fn: (context: StepContext) => T | Promise<T>,
    options?: StepOptions,
  ): Promise<Awaited<T>> {
    let stored: string | undefined;
    let timeoutMs: number | undefined;
    try {
      stored = this.claimId(id);
      timeoutMs =
        options?.timeout === undefined
          ? this.deps.stepTimeoutMs
          : stepInput(() => toDurationMs(options.timeout!, `step.run("${id}") timeout`));
      if (timeoutMs === 0) throw new InvalidStepError(`step.run("${id}") timeout: must be more than 0`);
    } catch (error) {
      return Promise.reject(error);
    }
    if (stored !== undefined) {
      const record = JSON.parse(stored) as { status: string; result?: Awaited<T> };
      if (record.status !== "completed") return Promise.reject(new DuplicateStepIdError(id));
      return Promise.resolve(record.result as Awaited<T>);
    }
    // Past the budget, stop before starting new work (but only after some progress, so a run always advances).
    if (this.executed.length > 0 && this.deps.now() - this.deps.startedAt >= this.deps.timeBudgetMs) {
      try {
        this.raise({ kind: "continue" });
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const task = this.execute(id, fn, timeoutMs);
    this.inflight.add(task);
    void task
      .finally(() => {
        this.inflight.delete(task);
        this.changed();
      })
      .catch(() => undefined);
    return task;
  }

  private async execute<T>(
    id: string,
    fn: (context: StepContext) => T | Promise<T>,
    timeoutMs: number | undefined,
  ): Promise<Awaited<T>> {
    const startedAt = this.deps.now();
    let json: string | undefined;
    try {
      json = stepResultJson(id, await withTimeout(id, fn, timeoutMs));
    } catch (error) {
      if (typeof error === "object" && error !== null && !stepOfError.has(error)) stepOfError.set(error, id);
      throw error;
    }
    const endedAt = this.deps.now();
    const head = `{"status":"completed","startedAt":${startedAt},"endedAt":${endedAt},"attempt":${this.deps.attempt}`;
    const record = json === undefined ? `${head}}` : `${head},"result":${json}}`;
    const written = await this.deps.checkpoint(id, record);
    if (!written) this.raise({ kind: "superseded" });
    this.executed.push(id);
    // Cancelled while this step ran: it is stored, and nothing after it starts.
    if (written === "cancelling") this.raise({ kind: "cancelled" });
    // Hand back the stored form, so the first run and every replay see the same value.
    return (json === undefined ? undefined : JSON.parse(json)) as Awaited<T>;
  }

  /**
   * step.waitForEvent: a journaled end returns its event (or null); a journaled wait not yet at its
   * timeout is pending like a sleep until then (an event that comes wakes the run: lib.lua
   * deliver_waits); otherwise the wait script looks back and registers the step, tracked like a
   * step so that the run parks only once it has answered.
   */
  private waitForEvent(id: string, options: WaitForEventOptions): Promise<WaitedEvent | null> {
    let stored: string | undefined;
    let request: WaitRequest;
    try {
      stored = this.claimId(id);
      request = this.waitRequest(id, options);
    } catch (error) {
      return Promise.reject(error);
    }
    if (stored !== undefined) {
      const entry = JSON.parse(stored) as { status: string; result?: WaitedEvent | null; timeoutAt?: number };
      if (entry.status === "completed") return Promise.resolve(entry.result ?? null);
      if (entry.status !== "waiting" || entry.timeoutAt === undefined) {
        return Promise.reject(new DuplicateStepIdError(id));
      }
      if (entry.timeoutAt > this.deps.now()) return this.pendingWait(id, request, entry.timeoutAt);
    }
    let timeoutAt = this.deps.now() + request.timeoutMs;
    if (stored !== undefined) timeoutAt = (JSON.parse(stored) as { timeoutAt: number }).timeoutAt;
    const task = (async (): Promise<WaitedEvent | null | { timeoutAt: number }> => {
      const answer = await this.askWait(id, request, timeoutAt);
      if (answer.status === "fenced") this.raise({ kind: "superseded" });
      if (answer.status === "done")
        return (JSON.parse(answer.record) as { result: WaitedEvent | null }).result;
      return { timeoutAt: answer.timeoutAt };
    })();
    this.inflight.add(task);
    void task
      .finally(() => {
        this.inflight.delete(task);
        this.changed();
      })
      .catch(() => undefined);
    return task.then((answer) =>
      answer !== null && "timeoutAt" in answer ? this.pendingWait(id, request, answer.timeoutAt) : answer,
    );
  }

  /** One call of the wait script for step `id`: look back, register, or end the wait. */
  private askWait(id: string, request: WaitRequest, timeoutAt: number) {
    return this.deps.wait({
      stepId: id,
      now: this.deps.now(),
      eventName: request.eventName,
      path: request.path,
      value: request.value,
      timeoutAt,
      expression: request.expression,
      condition: request.condition,
    });
  }

  /** A wait that parks the run until its timeout, when it ends through its script. */
  private pendingWait(id: string, request: WaitRequest, timeoutAt: number): Promise<WaitedEvent | null> {
    return new Promise<WaitedEvent | null>((resolve, reject) => {
      this.pending.set(id, {
        wakeAt: timeoutAt,
        resolve: () => undefined,
        reject,
        due: async () => {
          const answer = await this.askWait(id, request, timeoutAt);
          if (answer.status === "fenced") return false;
          if (answer.status === "waiting") {
            this.pending.set(id, { ...this.pending.get(id)!, wakeAt: answer.timeoutAt });
            return true;
          }
          resolve((JSON.parse(answer.record) as { result: WaitedEvent | null }).result);
          return true;
        },
      });
      this.changed();
    });
  }

  /** A waitForEvent's options, checked: a bad one fails the same way on every retry. */
  private waitRequest(id: string, options: WaitForEventOptions): WaitRequest {
    const field = `step.waitForEvent("${id}")`;
    if (typeof options !== "object" || options === null) {
      throw new InvalidStepError(`${field}: options must be { event, match?, if?, timeout }`);
    }
    const name = eventNameSchema.safeParse(options.event);
    if (!name.success) {
      throw new InvalidStepError(
        `${field} event: ${JSON.stringify(options.event)} ${name.error.issues[0]?.message}`,
      );
    }
    if (options.timeout === undefined) throw new InvalidStepError(`${field}: give a timeout (e.g. "1 day")`);
    const timeoutMs = stepInput(() => toDurationMs(options.timeout, `${field} timeout`));
    const condition = this.waitCondition(field, options.if);
    if (options.match === undefined)
      return { eventName: name.data, path: "", value: "", timeoutMs, ...condition };
    if (typeof options.match !== "string" || !/^[\w$-]+(\.[\w$-]+)*$/.test(options.match)) {
      throw new InvalidStepError(`${field} match: must be a dotted path such as "data.orderId"`);
    }
    const value = valueAt(this.deps.trigger, options.match);
    if (value === undefined) {
      throw new InvalidStepError(`${field} match: the triggering event has no value at ${options.match}`);
    }
    return {
      eventName: name.data,
      path: options.match,
      value: JSON.stringify(value),
      timeoutMs,
      ...condition,
    };
  }

  /** A wait's `if`, parsed and bound to the triggering event (its `async` paths become values), for the wait script. */
  private waitCondition(field: string, source: unknown): { expression: string; condition: string } {
    if (source === undefined) return { expression: "", condition: "" };
    if (typeof source !== "string") {
      throw new InvalidStepError(`${field} if: must be an expression such as "event.data.amount >= 100"`);
    }
    try {
      const bound = bindTrigger(parseCondition(source), this.deps.trigger);
      return { expression: source, condition: JSON.stringify(bound) };
    } catch (error) {
      if (!(error instanceof ConditionError)) throw error;
      throw new InvalidStepError(`${field} if: ${error.message}, in ${JSON.stringify(source)}`);
    }
  }

  private sleepFor(id: string, durationMs: () => number): Promise<void> {
    let wakeAt: number;
    try {
      const stored = this.claimId(id);
      if (stored !== undefined) {
        const entry = JSON.parse(stored) as { status: string; wakeAt?: number };
        if (entry.status !== "sleeping" || entry.wakeAt === undefined) throw new DuplicateStepIdError(id);
        wakeAt = entry.wakeAt;
      } else {
        const now = this.deps.now();
        wakeAt = now + stepInput(durationMs);
        if (wakeAt <= now) return Promise.resolve();
        this.sleepRecords.set(id, JSON.stringify({ status: "sleeping", startedAt: now, wakeAt }));
      }
    } catch (error) {
      return Promise.reject(error);
    }
    if (wakeAt <= this.deps.now()) return Promise.resolve();
    return new Promise<void>((resolve, reject) => this.pending.set(id, { wakeAt, resolve, reject }));
  }
}

/**
 * Runs a step's function, failing with a StepTimeoutError once `timeoutMs` has passed: the attempt
 * ends then instead of when the lease expires. JavaScript cannot stop the function itself, so its
 * signal aborts (for the fetch or query it passed it to) and a result that comes later is dropped.
 */
async function withTimeout<T>(
  id: string,
  fn: (context: StepContext) => T | Promise<T>,
  timeoutMs: number | undefined,
): Promise<Awaited<T>> {
  const controller = new AbortController();
  if (timeoutMs === undefined) return await fn({ signal: controller.signal });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new StepTimeoutError(id, timeoutMs);
      controller.abort(error);
      reject(error);
    }, timeoutMs);
  });
  try {
    // The step's own promise may still reject after the timeout: that is not a second failure.
    const work = Promise.resolve().then(() => fn({ signal: controller.signal }));
    work.catch(() => undefined);
    return await Promise.race([work, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** A sleep's duration or date, read: one that is not a duration fails the same way on every retry. */
function stepInput(read: () => number): number {
  try {
    return read();
  } catch (error) {
    throw error instanceof RangeError ? new InvalidStepError(error.message) : error;
  }
}

/** A waitForEvent's options as its script takes them (store/scripts/wait.lua). */
interface WaitRequest {
  eventName: string;
  path: string;
  value: string;
  timeoutMs: number;
  /** The `if` as written, and its tree bound to the triggering event (JSON); "" for none. */
  expression: string;
  condition: string;
}

interface PendingSleep {
  wakeAt: number;
  resolve(): void;
  reject(reason: unknown): void;
  /** A wait's end at its timeout: false when the invocation was fenced out. */
  due?: () => Promise<boolean>;
}

/** The value at a dotted path ("data.orderId") of an event; undefined when any part is missing or null. */
function valueAt(event: unknown, path: string): unknown {
  let value = event;
  for (const part of path.split(".")) {
    if (typeof value !== "object" || value === null || !Object.hasOwn(value, part)) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value === null ? undefined : value;
}
