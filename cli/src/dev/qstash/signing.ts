/**
 * The `Upstash-Signature` JWT on every delivery, shaped as QStash documents it so the official
 * `Receiver.verify` accepts it: HS256 with the current signing key; iss "Upstash"; sub the
 * destination URL; iat = nbf = now; exp = now + 5 minutes; jti "jwt_..."; body the SHA-256 of the
 * raw body, base64url with its "=" padding as QStash sends it (the Receiver ignores padding).
 */
import { createHash, randomFillSync, webcrypto } from "node:crypto";
import { SignJWT } from "jose";

const LIFETIME_S = 5 * 60;

export function bodyHash(body: Uint8Array): string {
  return `${createHash("sha256").update(body).digest("base64url")}=`;
}

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
// Two random tokens per message (id, jti): draw from a refilled pool instead of one syscall each.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

export function randomToken(length: number): string {
  if (poolOffset + length > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  let out = "";
  for (let i = 0; i < length; i += 1) out += ALPHABET[(pool[poolOffset + i] as number) % ALPHABET.length];
  poolOffset += length;
  return out;
}

export interface Signer {
  sign(url: string, bodyHash: string): Promise<string>;
}

export function createSigner(signingKey: string): Signer {
  // Handing jose a ready CryptoKey halves the cost of a signature (no key conversion per call).
  const key = webcrypto.subtle.importKey(
    "raw",
    Buffer.from(signingKey),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return {
    async sign(url, hash) {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ body: hash })
        .setProtectedHeader({ alg: "HS256", typ: "JWT" })
        .setIssuer("Upstash")
        .setSubject(url)
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + LIFETIME_S)
        .setJti(`jwt_${randomToken(27)}`)
        .sign(await key);
    },
  };
}
