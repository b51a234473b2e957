/**
 * Sends in flight together share one script call and one QStash call. Per runtime, a send goes at
 * once while fewer than MAX_BATCHES_IN_FLIGHT batches are in their Redis round trip (no added
 * latency on an idle site, and one slow request does not hold up the others); past that, it waits
 * for one of them and goes with every send that arrived meanwhile, as the next batch (whole sends,
 * up to MAX_EVENTS_PER_REQUEST events unless one send alone has more). A batch is published while
 * the next ones are persisted. Each send resolves with its own events' results once its batch's
 * publish was attempted; a batch whose script fails rejects each of its sends with that error, as
 * each would have failed alone.
 */
import { MAX_EVENTS_PER_REQUEST } from "./limits.ts";
import type { Runtime } from "./runtime.ts";
import type { Enqueued, NewEvent } from "./store/index.ts";

/** Batches of one runtime in their Redis round trip at once. */
export const MAX_BATCHES_IN_FLIGHT = 4;

/** Publishes what a persisted batch needs published (one function for every send); failures are its own to handle. */
export type PublishBatch = (
  runtime: Runtime,
  events: readonly NewEvent[],
  results: readonly Enqueued[],
) => Promise<void>;

interface QueuedSend {
  events: NewEvent[];
  resolve(results: Enqueued[]): void;
  reject(error: unknown): void;
}

class SendQueue {
  private readonly waiting: QueuedSend[] = [];
  private inFlight = 0;

  constructor(
    private readonly runtime: Runtime,
    private readonly publish: PublishBatch,
  ) {}

  submit(events: NewEvent[]): Promise<Enqueued[]> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ events, resolve, reject });
      if (this.inFlight < MAX_BATCHES_IN_FLIGHT) void this.persistNext();
    });
  }

  /** Persists the next batch, then the one after it, until nobody waits. */
  private async persistNext(): Promise<void> {
    this.inFlight++;
    while (this.waiting.length) {
      const batch = this.nextBatch();
      const events = batch.flatMap((send) => send.events);
      let results: Enqueued[];
      try {
        results = await this.runtime.store.enqueue(events, this.runtime.now());
      } catch (error) {
        for (const send of batch) send.reject(error);
        continue;
      }
      void this.publish(this.runtime, events, results).then(
        () => {
          let offset = 0;
          for (const send of batch) send.resolve(results.slice(offset, (offset += send.events.length)));
        },
        (error: unknown) => {
          for (const send of batch) send.reject(error);
        },
      );
    }
    this.inFlight--;
  }

  private nextBatch(): QueuedSend[] {
    const batch = [this.waiting.shift()!];
    let size = batch[0]!.events.length;
    while (this.waiting.length && size + this.waiting[0]!.events.length <= MAX_EVENTS_PER_REQUEST) {
      const send = this.waiting.shift()!;
      size += send.events.length;
      batch.push(send);
    }
    return batch;
  }
}

const queues = new WeakMap<Runtime, SendQueue>();

/** Persists a send's events (and routes those that carry targets) in a batch with the sends in flight beside it. */
export function enqueueBatched(
  runtime: Runtime,
  events: NewEvent[],
  publish: PublishBatch,
): Promise<Enqueued[]> {
  let queue = queues.get(runtime);
  if (!queue) {
    queue = new SendQueue(runtime, publish);
    queues.set(runtime, queue);
  }
  return queue.submit(events);
}
