/**
 * The clock: which message is due when. A binary min-heap of due times and one timer armed for the
 * earliest, re-armed whenever an earlier one arrives, so a message fires within a timer tick of its
 * time and an idle server does no work (no polling). Rescheduling or unscheduling an id leaves its
 * old heap node behind; a node is honoured only if it is still the id's current one.
 */

interface Node {
  dueAt: number;
  id: string;
  token: number;
}

// setTimeout stores its delay in 32 bits; longer waits are taken in several steps.
const MAX_TIMER_MS = 2 ** 31 - 1;

export class Scheduler {
  readonly #heap: Node[] = [];
  readonly #current = new Map<string, number>();
  readonly #onDue: (id: string) => void;
  #nextToken = 0;
  #timer: NodeJS.Timeout | undefined;
  #armedFor = Infinity;
  #stopped = false;

  constructor(onDue: (id: string) => void) {
    this.#onDue = onDue;
  }

  /** Messages waiting for their time. */
  get size(): number {
    return this.#current.size;
  }

  /** (Re)schedules `id` for `dueAt` (ms since epoch). */
  schedule(id: string, dueAt: number): void {
    if (this.#stopped) return;
    const token = (this.#nextToken += 1);
    this.#current.set(id, token);
    this.#push({ dueAt, id, token });
    if (dueAt < this.#armedFor) this.#arm();
  }

  unschedule(id: string): void {
    this.#current.delete(id);
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#heap.length = 0;
    this.#current.clear();
  }

  #arm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#armedFor = Infinity;
    const top = this.#heap[0];
    if (!top || this.#stopped) return;
    this.#armedFor = top.dueAt;
    this.#timer = setTimeout(() => this.#fire(), Math.min(MAX_TIMER_MS, Math.max(0, top.dueAt - Date.now())));
  }

  #fire(): void {
    this.#timer = undefined;
    this.#armedFor = Infinity;
    // The timer can run a millisecond early by the wall clock: anything not yet due waits for a re-arm.
    const now = Date.now();
    const due: string[] = [];
    while (this.#heap.length > 0 && (this.#heap[0] as Node).dueAt <= now) {
      const node = this.#pop();
      if (this.#current.get(node.id) === node.token) {
        this.#current.delete(node.id);
        due.push(node.id);
      }
    }
    this.#arm();
    for (const id of due) this.#onDue(id);
  }

  #push(node: Node): void {
    const heap = this.#heap;
    heap.push(node);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if ((heap[parent] as Node).dueAt <= node.dueAt) break;
      heap[index] = heap[parent] as Node;
      index = parent;
    }
    heap[index] = node;
  }

  #pop(): Node {
    const heap = this.#heap;
    const top = heap[0] as Node;
    const last = heap.pop() as Node;
    if (heap.length > 0) {
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        if (left >= heap.length) break;
        const right = left + 1;
        const child =
          right < heap.length && (heap[right] as Node).dueAt < (heap[left] as Node).dueAt ? right : left;
        if ((heap[child] as Node).dueAt >= last.dueAt) break;
        heap[index] = heap[child] as Node;
        index = child;
      }
      heap[index] = last;
    }
    return top;
  }
}
