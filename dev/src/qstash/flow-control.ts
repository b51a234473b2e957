/**
 * Flow control, per `Upstash-Flow-Control-Key`: reading `Upstash-Flow-Control-Value`
 * ("parallelism=5, rate=10, period=1m") and the limiter that enforces it. Parallelism caps the
 * deliveries of one key that are in flight at once; rate caps how many start per period (a fixed
 * window opened by the first start, default 1 s). A message over either limit waits in the key's
 * FIFO waitlist; it is admitted when a delivery of that key ends or the window rolls over. Like
 * QStash, a key takes the limits of the latest message that named it.
 */
import { DurationError, parseDuration } from "./duration.ts";
import { Fifo } from "./fifo.ts";

export interface FlowControlLimits {
  parallelism?: number;
  rate?: number;
  /** Length of the rate window, in seconds (QStash reports it in seconds). */
  period: number;
}

export class FlowControlError extends Error {}

const positiveInteger = (name: string, raw: string) => {
  if (!/^\d+$/.test(raw) || Number(raw) < 1) {
    throw new FlowControlError(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  }
  return Number(raw);
};

/** Parses an `Upstash-Flow-Control-Value` header; throws FlowControlError naming the bad part. */
export function parseFlowControlValue(value: string): FlowControlLimits {
  const limits: FlowControlLimits = { period: 1 };
  for (const part of value.split(",")) {
    const trimmed = part.trim();
    if (trimmed === "") continue;
    const [name = "", raw = "", ...extra] = trimmed.split("=").map((piece) => piece.trim());
    if (extra.length > 0 || raw === "")
      throw new FlowControlError(`expected name=value, got ${JSON.stringify(trimmed)}`);
    switch (name.toLowerCase()) {
      case "parallelism":
        limits.parallelism = positiveInteger("parallelism", raw);
        break;
      case "rate":
        limits.rate = positiveInteger("rate", raw);
        break;
      case "period": {
        let ms: number;
        try {
          ms = /^\d+$/.test(raw) ? Number(raw) * 1000 : parseDuration(raw);
        } catch (error) {
          throw new FlowControlError(`period: ${(error as DurationError).message}`);
        }
        if (ms < 1000) throw new FlowControlError(`period must be at least 1s, got ${JSON.stringify(raw)}`);
        limits.period = Math.floor(ms / 1000);
        break;
      }
      default:
        throw new FlowControlError(
          `unknown setting ${JSON.stringify(name)} (expected parallelism, rate or period)`,
        );
    }
  }
  if (limits.parallelism === undefined && limits.rate === undefined) {
    throw new FlowControlError("set at least one of parallelism or rate");
  }
  return limits;
}

interface KeyState<T> {
  limits: FlowControlLimits;
  active: number;
  windowStart: number;
  windowCount: number;
  waiting: Fifo<T>;
  timer: NodeJS.Timeout | undefined;
}

export class FlowLimiter<T> {
  readonly #keys = new Map<string, KeyState<T>>();
  readonly #admit: (item: T) => void;
  readonly #now: () => number;

  constructor(admit: (item: T) => void, now: () => number = Date.now) {
    this.#admit = admit;
    this.#now = now;
  }

  /** Queues `item` under `key`; it is passed to `admit` as soon as the key's limits allow. */
  enter(key: string, limits: FlowControlLimits, item: T): void {
    let state = this.#keys.get(key);
    if (!state) {
      state = { limits, active: 0, windowStart: 0, windowCount: 0, waiting: new Fifo<T>(), timer: undefined };
      this.#keys.set(key, state);
    }
    state.limits = limits;
    state.waiting.push(item);
    this.#drain(key, state);
  }

  /** Ends one admitted delivery of `key`. */
  leave(key: string): void {
    const state = this.#keys.get(key);
    if (!state) return;
    state.active -= 1;
    this.#drain(key, state);
  }

  stop(): void {
    for (const state of this.#keys.values()) clearTimeout(state.timer);
    this.#keys.clear();
  }

  #drain(key: string, state: KeyState<T>): void {
    const { parallelism, rate, period } = state.limits;
    const now = this.#now();
    while (state.waiting.length > 0) {
      if (parallelism !== undefined && state.active >= parallelism) break;
      if (rate !== undefined) {
        const windowEnd = state.windowStart + period * 1000;
        if (now >= windowEnd) {
          state.windowStart = now;
          state.windowCount = 0;
        } else if (state.windowCount >= rate) {
          if (!state.timer) {
            state.timer = setTimeout(() => {
              state.timer = undefined;
              this.#drain(key, state);
            }, windowEnd - now);
          }
          break;
        }
        state.windowCount += 1;
      }
      state.active += 1;
      this.#admit(state.waiting.shift() as T);
    }
    // An idle key is forgotten once its rate window is over, so keys do not accumulate.
    const windowOver = rate === undefined || now >= state.windowStart + period * 1000;
    if (state.active === 0 && state.waiting.length === 0 && !state.timer && windowOver) {
      this.#keys.delete(key);
    }
  }
}
