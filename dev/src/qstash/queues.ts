/**
 * Queues (`/v2/enqueue/{queue}/...`): ordered delivery with a parallelism (default 1). A queue holds
 * its unfinished messages in order; only the first `parallelism` of them may be attempted, and a
 * message keeps its place through its retries and until its callback (or failure callback) is done,
 * as QStash documents for FIFO queues. A paused queue starts nothing. Settings live in memory here;
 * the server persists them through the store.
 */
import type { QueueSettings } from "./store.ts";

export interface QueueMember {
  /** Position in the queue (the message id, or the parent's for a callback). */
  readonly order: string;
  /** Due and waiting for its turn. */
  ready: boolean;
}

export const QUEUE_NAME = /^[A-Za-z0-9._-]+$/;

export class QueueGate<M extends QueueMember> {
  readonly #settings = new Map<string, QueueSettings>();
  readonly #members = new Map<string, M[]>();
  readonly #start: (member: M) => void;

  constructor(start: (member: M) => void) {
    this.#start = start;
  }

  settings(name: string): QueueSettings | undefined {
    return this.#settings.get(name);
  }

  list(): QueueSettings[] {
    return [...this.#settings.values()];
  }

  /** Messages waiting in the queue, in flight or between retries. */
  lag(name: string): number {
    return this.#members.get(name)?.length ?? 0;
  }

  configure(settings: QueueSettings): void {
    this.#settings.set(settings.name, settings);
    this.pump(settings.name);
  }

  /** Forgets a queue's settings; its remaining messages go on with the defaults. */
  forget(name: string): void {
    this.#settings.delete(name);
    this.pump(name);
  }

  add(name: string, member: M): void {
    let members = this.#members.get(name);
    if (!members) {
      members = [];
      this.#members.set(name, members);
    }
    let low = 0;
    let high = members.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if ((members[middle] as M).order <= member.order) low = middle + 1;
      else high = middle;
    }
    members.splice(low, 0, member);
  }

  /** Takes `member` out (it is finished), or puts `successor` (its callback) in its place. */
  remove(name: string, member: M, successor?: M): void {
    const members = this.#members.get(name);
    const index = members?.indexOf(member) ?? -1;
    if (!members || index < 0) return;
    if (successor) members[index] = successor;
    else members.splice(index, 1);
    if (members.length === 0) this.#members.delete(name);
    this.pump(name);
  }

  /** Starts whichever of the first `parallelism` messages are ready. */
  pump(name: string): void {
    const members = this.#members.get(name);
    const settings = this.#settings.get(name);
    if (!members || settings?.paused) return;
    const slots = Math.min(settings?.parallelism ?? 1, members.length);
    for (let i = 0; i < slots; i += 1) {
      const member = members[i] as M;
      if (member.ready) {
        member.ready = false;
        this.#start(member);
      }
    }
  }
}
