/**
 * Authenticates inbound QStash deliveries (invariant 4): the signature must be valid for this body
 * and for the URL the message was published to. Anything else is refused with 401 before any
 * state is read.
 */
import { Receiver } from "@upstash/qstash";

export interface Verifier {
  /** Resolves to null when the delivery is authentic, otherwise to the reason it is not. */
  verify(request: { signature: string | null; body: string; url: string }): Promise<string | null>;
}

export function qstashVerifier(keys: { currentSigningKey: string; nextSigningKey: string }): Verifier {
  const receiver = new Receiver(keys);
  return {
    async verify({ signature, body, url }) {
      if (!signature) return "missing Upstash-Signature header";
      try {
        const valid = await receiver.verify({ signature, body, url });
        return valid ? null : "invalid Upstash-Signature";
      } catch (error) {
        return `invalid Upstash-Signature: ${(error as Error).message}`;
      }
    },
  };
}
