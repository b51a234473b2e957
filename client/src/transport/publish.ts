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
}

export interface Publisher {
  publish(messages: OutboundMessage[]): Promise<void>;
}

/** How many times QStash itself retries a delivery the host does not answer (the engine retries failures itself). */
const DELIVERY_RETRIES = 3;

export function qstashPublisher(client: Client): Publisher {
  const toRequest = (message: OutboundMessage) => ({
    url: message.url,
    body: message.body,
    retries: DELIVERY_RETRIES,
    // QStash schedules in whole seconds. Rounding down means a wake arrives up to a second early and
    // the workload waits out the rest in-process, so wakes are on time instead of up to a second late.
    ...(message.notBefore && message.notBefore > Date.now() + 1000
      ? { notBefore: Math.floor(message.notBefore / 1000) }
      : {}),
  });
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
