/**
 * The life of every message from accepted to settled: stored, then held by the scheduler until due,
 * passed through its queue and flow-control key to an attempt, and after each attempt settled in
 * one Redis write: delivered (and its callback created), rescheduled with the retry delay, or
 * dead-lettered (with its failure callback). Memory is authoritative while the server runs (one
 * process owns a key prefix); Redis is what a restart resumes from. A message delivered at its
 * first attempt costs two Redis writes, its publish and its settlement, and nothing is read back.
 */
import { callbackMessage } from "./callbacks.ts";
import type { Deliverer, AttemptResult } from "./delivery.ts";
import { Dispatcher } from "./dispatcher.ts";
import {
  decodeBody,
  encodeBody,
  newDlqId,
  newMessageId,
  type DlqRecord,
  type StoredMessage,
} from "./message.ts";
import type { AcceptedMessage } from "./publish-request.ts";
import { QueueGate, type QueueMember } from "./queues.ts";
import { retryDelayMs } from "./retry-delay.ts";
import { Scheduler } from "./scheduler.ts";
import { releaseTime, type TimerGranularity } from "./timer-granularity.ts";
import { bodyHash } from "./signing.ts";
import type { QStashStats, Stats } from "./stats.ts";
import type { NewMessage, QueueSettings, Settlement, Store } from "./store.ts";

interface Entry extends QueueMember {
  message: StoredMessage;
  body: Buffer;
  bodyHash: string;
  cancelled: boolean;
}

export interface PublishResult {
  messageId: string;
  deduplicated?: true;
}

export interface MessageFilter {
  workflowRunId?: string[];
  queueName?: string[];
  url?: string[];
  label?: string[];
  flowControlKey?: string[];
}

export interface EngineOptions {
  store: Store;
  deliverer: Deliverer;
  stats: Stats;
  log: (line: string) => void;
  maxInFlight: number;
  /** When the clock lets a message go: at its millisecond, or on the whole second QStash would. */
  timerGranularity: TimerGranularity;
}

/** How long to wait before attempting again when an outcome could not be written to Redis. */
const SETTLE_RETRY_MS = 1000;

const matches = (values: string[] | undefined, actual: string | undefined) =>
  values === undefined || (actual !== undefined && values.includes(actual));

export class Engine {
  readonly #options: EngineOptions;
  readonly #entries = new Map<string, Entry>();
  readonly #scheduler = new Scheduler((id) => this.#due(id));
  readonly #queues = new QueueGate<Entry>((entry) => this.#dispatcher.admit(entry));
  readonly #dispatcher: Dispatcher<Entry>;
  /** Attempts and settlements in progress, which close() waits for. */
  readonly #work = new Set<Promise<void>>();
  #closing = false;

  constructor(options: EngineOptions) {
    this.#options = options;
    this.#dispatcher = new Dispatcher<Entry>({
      maxInFlight: options.maxInFlight,
      flowOf: (entry) => entry.message.flowControl,
      run: (entry) => this.#track(this.#attempt(entry)),
    });
  }

  /** Resumes what the last server left: queue settings and every unsettled message. */
  async start(): Promise<void> {
    for (const settings of await this.#options.store.queueList()) this.#queues.configure(settings);
    const loaded = (await this.#options.store.loadScheduled()).map(({ message, dueAt }) => ({
      entry: this.#register(message),
      dueAt,
    }));
    // Every queue is complete before anything is released, so the first in line goes first.
    for (const { entry, dueAt } of loaded) this.#arm(entry, dueAt);
  }

  async publish(accepted: AcceptedMessage[]): Promise<PublishResult[]> {
    const earlier = await this.#options.store.publish(
      accepted.map(({ message, deduplicationKey }) => ({
        message,
        dueAt: message.notBefore,
        ...(deduplicationKey !== undefined ? { deduplicationKey } : {}),
      })),
    );
    return accepted.map(({ message }, index) => {
      const earlierId = earlier[index];
      if (earlierId) {
        this.#options.stats.add("deduplicated");
        return { messageId: earlierId, deduplicated: true };
      }
      this.#options.stats.add("published");
      this.#arm(this.#register(message), message.notBefore);
      return { messageId: message.id };
    });
  }

  get(id: string): StoredMessage | undefined {
    return this.#entries.get(id)?.message;
  }

  idsWhere(filter: MessageFilter): string[] {
    const ids: string[] = [];
    for (const { message } of this.#entries.values()) {
      if (
        matches(filter.workflowRunId, message.workflowRunId) &&
        matches(filter.queueName, message.queueName) &&
        matches(filter.url, message.url) &&
        matches(filter.flowControlKey, message.flowControl?.key) &&
        (filter.label === undefined || (message.labels ?? []).some((label) => filter.label?.includes(label)))
      ) {
        ids.push(message.id);
      }
    }
    return ids;
  }

  /** Cancels messages not yet settled; returns how many there were. */
  async cancel(ids: string[]): Promise<number> {
    const removed = await this.#options.store.cancel(ids);
    for (const id of removed) {
      const entry = this.#entries.get(id);
      if (!entry) continue;
      entry.cancelled = true;
      this.#entries.delete(id);
      this.#scheduler.unschedule(id);
      if (entry.message.queueName !== undefined) this.#queues.remove(entry.message.queueName, entry);
      this.#options.stats.add("cancelled");
    }
    return removed.length;
  }

  /** Publishes DLQ entries again as new messages (fresh retries), then drops them from the DLQ. */
  async retryDeadLetters(records: DlqRecord[]): Promise<PublishResult[]> {
    const now = Date.now();
    const results = await this.publish(
      records.map(({ message }) => {
        const id = newMessageId();
        return {
          message: {
            ...message,
            id,
            retried: 0,
            notBefore: now,
            createdAt: now,
            ...(message.queueName !== undefined ? { queueOrder: id } : {}),
          },
        };
      }),
    );
    await this.#options.store.dlqDelete(records.map(({ dlqId }) => dlqId));
    return results;
  }

  queue(name: string): (QueueSettings & { lag: number }) | undefined {
    const settings = this.#queues.settings(name);
    return settings && { ...settings, lag: this.#queues.lag(name) };
  }

  queues(): (QueueSettings & { lag: number })[] {
    return this.#queues.list().map((settings) => ({ ...settings, lag: this.#queues.lag(settings.name) }));
  }

  /** Creates or updates a queue (enqueue creates one with parallelism 1 on first use). */
  async configureQueue(
    name: string,
    change: Partial<Pick<QueueSettings, "parallelism" | "paused">>,
  ): Promise<void> {
    const now = Date.now();
    const current = this.#queues.settings(name);
    const settings: QueueSettings = {
      name,
      parallelism: change.parallelism ?? current?.parallelism ?? 1,
      paused: change.paused ?? current?.paused ?? false,
      createdAt: current?.createdAt ?? now,
      updatedAt: now,
    };
    await this.#options.store.queueSave(settings);
    this.#queues.configure(settings);
  }

  async deleteQueue(name: string): Promise<void> {
    await this.#options.store.queueDelete(name);
    this.#queues.forget(name);
  }

  stats(): QStashStats {
    return this.#options.stats.snapshot({
      pending: this.#entries.size - this.#dispatcher.inFlight,
      inFlight: this.#dispatcher.inFlight,
      redisRoundTrips: this.#options.store.roundTrips,
    });
  }

  /**
   * Stops the clock and abandons attempts in progress: they stay scheduled in Redis and are made
   * again by the next server (at-least-once). Resolves once nothing is left writing to Redis.
   */
  async close(): Promise<void> {
    this.#closing = true;
    this.#scheduler.stop();
    this.#dispatcher.stop();
    this.#options.deliverer.abandonAll();
    while (this.#work.size > 0) await Promise.allSettled([...this.#work]);
  }

  #register(message: StoredMessage, joinQueue = true): Entry {
    const body = decodeBody(message);
    const entry: Entry = {
      message,
      body,
      bodyHash: bodyHash(body),
      cancelled: false,
      ready: false,
      order: message.queueOrder ?? message.id,
    };
    this.#entries.set(message.id, entry);
    if (joinQueue && message.queueName !== undefined) this.#queues.add(message.queueName, entry);
    return entry;
  }

  #arm(entry: Entry, dueAt: number): void {
    const now = Date.now();
    if (dueAt <= now) this.#due(entry.message.id);
    else this.#scheduler.schedule(entry.message.id, releaseTime(dueAt, now, this.#options.timerGranularity));
  }

  #due(id: string): void {
    const entry = this.#entries.get(id);
    if (!entry || this.#closing) return;
    const queueName = entry.message.queueName;
    if (queueName === undefined) {
      this.#dispatcher.admit(entry);
      return;
    }
    entry.ready = true;
    this.#queues.pump(queueName);
  }

  /** Registers work for close() to wait for; the returned promise never rejects. */
  #track(work: Promise<void>): Promise<void> {
    const guarded = work
      .catch((error: unknown) => this.#options.log(`[qstash] internal error: ${(error as Error).message}`))
      .finally(() => this.#work.delete(guarded));
    this.#work.add(guarded);
    return guarded;
  }

  async #attempt(entry: Entry): Promise<void> {
    if (entry.cancelled || this.#closing) return;
    const { message } = entry;
    this.#options.stats.add("attempts");
    const result = await this.#options.deliverer.attempt(entry, message.callback !== undefined);
    if (result.abandoned) return;
    const outcome = result.response
      ? String(result.response.status)
      : `failed: ${result.error ?? "no response"}`;
    this.#options.log(
      `[qstash] ${message.method} ${message.url} -> ${outcome} (attempt ${message.retried + 1}/${message.maxRetries + 1}, ${result.ms} ms)`,
    );
    // Recording the outcome does not hold the delivery slot: the next attempt can start meanwhile.
    void this.#track(this.#settle(entry, result));
  }

  async #settle(entry: Entry, result: AttemptResult): Promise<void> {
    const { message } = entry;
    const { stats, store } = this.#options;
    const now = Date.now();
    const response = result.response;
    const callback = callbackMessage({
      parent: message,
      kind: "callback",
      retried: message.retried,
      response,
      now,
    });
    const followUps: StoredMessage[] = callback ? [callback] : [];
    // The callback that ends a queued message's turn takes its place in the queue.
    let successor: StoredMessage | undefined;
    let settlement: Settlement;
    if (result.ok) {
      settlement = { outcome: "done" };
      successor = callback;
    } else if (message.retried < message.maxRetries) {
      const dueAt = now + retryDelayMs(message.retryDelay, message.retried);
      settlement = { outcome: "retry", message: { ...message, retried: message.retried + 1 }, dueAt };
    } else {
      const record: DlqRecord = {
        dlqId: newDlqId(),
        message,
        failedAt: now,
        ...(response
          ? { response: { status: response.status, headers: response.headers, ...encodeBody(response.body) } }
          : {}),
        ...(result.error !== undefined ? { error: result.error } : {}),
      };
      settlement = { outcome: "dead", record };
      const failure = callbackMessage({
        parent: message,
        kind: "failure-callback",
        retried: message.retried,
        dlqId: record.dlqId,
        response,
        now,
      });
      if (failure) followUps.push(failure);
      successor = failure ?? callback;
    }
    if (successor && message.queueName !== undefined) {
      successor.queueName = message.queueName;
      successor.queueOrder = message.queueOrder ?? message.id;
    }

    let stored: boolean;
    try {
      stored = await store.settle(
        message.id,
        settlement,
        followUps.map((followUp): NewMessage => ({ message: followUp, dueAt: followUp.notBefore })),
      );
    } catch (error) {
      // Redis kept the message as it was before the attempt: make the attempt again later.
      this.#options.log(
        `[qstash] could not record the outcome of ${message.id}: ${(error as Error).message}`,
      );
      this.#arm(entry, Date.now() + SETTLE_RETRY_MS);
      return;
    }
    // Cancelled meanwhile: nothing was recorded and nothing follows.
    if (!stored || entry.cancelled) return;

    if (settlement.outcome === "retry") {
      stats.add("retried");
      entry.message = settlement.message;
      this.#arm(entry, settlement.dueAt);
    } else {
      stats.add(settlement.outcome === "done" ? "delivered" : "deadLettered");
      if (settlement.outcome === "dead" && message.origin !== undefined) stats.add("failedCallbacks");
      this.#entries.delete(message.id);
    }
    const followEntries = followUps.map((followUp) => this.#register(followUp, false));
    if (settlement.outcome !== "retry" && message.queueName !== undefined) {
      const successorEntry = followEntries.find((followEntry) => followEntry.message === successor);
      this.#queues.remove(message.queueName, entry, successorEntry);
    }
    for (const followEntry of followEntries) this.#arm(followEntry, followEntry.message.notBefore);
  }
}
