/**
 * Outbound messages through QStash with the official client: one message goes out as a publish,
 * several as one batch call (one HTTP request, however many runs an event fans out to).
 */
import type { Client } from "@upstash/qstash";

export interface OutboundMessage {
  url: string;
  body: unknown;
  /** Deliver no earlier than this time (ms since epoch). */
  notBefore?: number;
  /**
   * The receiver holds a delivery that comes early until `notBefore` (a run's claim does), so it
   * may be scheduled with a lead (DELIVERY_LEAD_MS). Without it, a delivery is scheduled for the
   * first whole second not before `notBefore` (never early, up to a second late).
   */
  holdsUntilDue?: boolean;
  /**
   * Where QStash reports this message once it has given up on it (every try answered with an error,
   * or not at all): a new signed message with the last answer's status and body (see undelivered.ts).
   */
  failureCallback?: string;
  /** QStash's retries of this message wait this long, doubling each time (else QStash's own backoff). */
  retryDelayMs?: number;
}

export interface Publisher {
  publish(messages: OutboundMessage[]): Promise<void>;
}

/**
 * How many times QStash itself retries a delivery the host does not answer with a 2xx. The engine
 * retries a workload's failures itself; a run's delivery QStash gives up on is one failed attempt.
 */
const DELIVERY_RETRIES = 3;

/**
 * How much earlier than its time a timed delivery is scheduled, at least. Deliveries due within
 * the same second all arrive at once; this lead lets every one of them be claimed before its time
 * even when a burst of them arrives together (the benchmarks' timer scenario showed wakes late by
 * the time a burst took to claim when a wake fell just after the second it was scheduled for).
 */
export const DELIVERY_LEAD_MS = 500;

/**
 * The whole second (unix seconds) to schedule a delivery due at `dueAt` for, or undefined for
 * "now": the first whole second not before it, or with `lead`, one that starts at least DELIVERY_LEAD_MS earlier.
 */
export function deliverySecond(dueAt: number | undefined, now: number, lead = false): number | undefined {
  if (!dueAt) return undefined;
  // A receiver that does not hold early deliveries (the router) must never get one early: round up.
  if (!lead) return dueAt > now ? Math.ceil(dueAt / 1000) : undefined;
  const second = Math.floor((dueAt - DELIVERY_LEAD_MS) / 1000);
  return second * 1000 > now ? second : undefined;
}

export function qstashPublisher(client: Client): Publisher {
  const toRequest = (message: OutboundMessage) => {
    // QStash schedules in whole seconds. Rounding down means a wake arrives early (up to 1.5 s with
    // the lead) and the workload waits out the rest in-process (the claim holds it until then), so
    // wakes are on time instead of up to a second late.
    const notBefore = deliverySecond(message.notBefore, Date.now(), message.holdsUntilDue === true);
    return {
      url: message.url,
      body: message.body,
      retries: DELIVERY_RETRIES,
      ...(notBefore !== undefined ? { notBefore } : {}),
      ...(message.failureCallback ? { failureCallback: message.failureCallback } : {}),
      // QStash's retry delay is an expression in `retried` (0 before the first retry), in ms.
      ...(message.retryDelayMs !== undefined
        ? { retryDelay: `pow(2, retried) * ${Math.max(1, Math.round(message.retryDelayMs))}` }
        : {}),
    };
  };
  return {
    async publish(messages) {
      if (messages.length === 0) return;
      if (messages.length === 1) {
        await client.publishJSON(toRequest(messages[0]!));
        return;
      }
      await client.batchJSON(messages.map(toRequest));
    },
  };
}
