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
 * How much earlier than its time a timed delivery is scheduled, at least: the time QStash takes to
 * deliver after the second and the claim's round trip, so that a wake is claimed before it is due.
 * Everything between the claim and the due time is waited out in the function, which Netlify
 * bills: on average about 500 ms plus this lead per wake (whole seconds leave no less without
 * wakes coming late). bench/experiments/transport-wake-wait.ts measured it through awl dev as
 * production sees it (--granularity 1s, 20 ms QStash and 2 ms Redis round trips): a lead of 500 ms
 * waited 885-935 ms per wake, 200 ms waited 567-659 ms, with no wake late except 6 of 800 by at most
 * 45 ms when 400 wakes due in one second hit one process on a machine at load 6; at 100 ms, bursts
 * came late by up to 290 ms. (The 500 ms it replaces was chosen before awl dev scheduled on whole
 * seconds, against bursts it delivered at the same millisecond.)
 */
export const DELIVERY_LEAD_MS = 200;

/**
 * The whole second (unix seconds) to schedule a delivery due at `dueAt` for, or undefined for
 * "now". Without `leadMs`, the first whole second not before it (never early). With `leadMs` (the
 * receiver holds an early delivery until its time), the last whole second at least `leadMs` before
 * it; when that second has passed, undefined (the receiver holds it the whole way).
 */
export function deliverySecond(dueAt: number | undefined, now: number, leadMs?: number): number | undefined {
  if (!dueAt) return undefined;
  // A receiver that does not hold early deliveries (the router) must never get one early: round up.
  if (leadMs === undefined) return dueAt > now ? Math.ceil(dueAt / 1000) : undefined;
  const second = Math.floor((dueAt - leadMs) / 1000);
  return second * 1000 > now ? second : undefined;
}

export interface PublisherOptions {
  /** How much earlier than its time a held delivery is scheduled, at least (default DELIVERY_LEAD_MS). */
  wakeLeadMs?: number;
}

export function qstashPublisher(client: Client, options: PublisherOptions = {}): Publisher {
  const wakeLeadMs = options.wakeLeadMs ?? DELIVERY_LEAD_MS;
  const toRequest = (message: OutboundMessage) => {
    // QStash schedules in whole seconds. Rounding down means a wake arrives early (up to 1.2 s with
    // the lead) and the workload waits out the rest in-process (the claim holds it until then), so
    // wakes are on time instead of up to a second late.
    const notBefore = deliverySecond(
      message.notBefore,
      Date.now(),
      message.holdsUntilDue === true ? wakeLeadMs : undefined,
    );
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
