/**
 * The `Upstash-Signature` JWT on every delivery, shaped as QStash documents it so the official
 * `Receiver.verify` accepts it: HS256 with the current signing key; iss "Upstash"; sub the
 * destination URL; iat = nbf = now; exp = now + 5 minutes; jti "jwt_..."; body the SHA-256 of the
 * raw body, base64url with its "=" padding as QStash sends it (the Receiver ignores padding).
 * The token is assembled and HMAC-signed here with node:crypto, synchronously: every delivery is
 * signed, and an asynchronous WebCrypto signature costs a round through libuv's thread pool (the
 * CPU profile of the benchmarks showed it on every delivery), which under load is what a delivery
 * waits for.
 */
import { createHash, createHmac, randomFillSync } from "node:crypto";

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

const HEADER = Buffer.from(JSON.stringify({ alg: "HS256", typ: "JWT" })).toString("base64url");

export function createSigner(signingKey: string): Signer {
  const key = Buffer.from(signingKey);
  return {
    async sign(url, hash) {
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        body: hash,
        iss: "Upstash",
        sub: url,
        iat: now,
        nbf: now,
        exp: now + LIFETIME_S,
        jti: `jwt_${randomToken(27)}`,
      };
      const signed = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}`;
      return `${signed}.${createHmac("sha256", key).update(signed).digest("base64url")}`;
    },
  };
}
