/**
 * Upstash-Signature headers for security tests: the genuine article (HS256 with the site's signing
 * key, subject = the URL, body = SHA-256 of the body, valid for 5 minutes, as QStash signs) and
 * every way to get it wrong: no signature, a forged key, expired, signed for another URL, a body
 * changed after signing, `alg: none`, and a token not valid yet.
 */
import { createHash, randomBytes } from "node:crypto";
import { SignJWT, UnsecuredJWT } from "jose";

export interface SignOptions {
  key: string;
  url: string;
  body: string;
  /** Seconds from now; negative for the past. */
  expiresIn?: number;
  notBeforeIn?: number;
}

export const bodyHash = (body: string) => createHash("sha256").update(body).digest("base64url");

export async function sign({
  key,
  url,
  body,
  expiresIn = 300,
  notBeforeIn = 0,
}: SignOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ body: bodyHash(body) })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer("Upstash")
    .setSubject(url)
    .setIssuedAt(Math.min(now, now + expiresIn - 1))
    .setNotBefore(now + notBeforeIn)
    .setExpirationTime(now + expiresIn)
    .setJti(`jwt_${randomBytes(12).toString("hex")}`)
    .sign(new TextEncoder().encode(key));
}

export interface BadDelivery {
  name: string;
  /** The Upstash-Signature header (undefined: none), and the body actually sent. */
  signature: string | undefined;
  body: string;
}

/** Every wrong way to deliver `body` to `url`, for a site whose signing key is `key`. */
export async function badDeliveries(key: string, url: string, body: string): Promise<BadDelivery[]> {
  const now = Math.floor(Date.now() / 1000);
  const other = new URL(url);
  other.pathname = other.pathname.endsWith("/router") ? "/workloads/chain" : "/router";
  return [
    { name: "unsigned", signature: undefined, body },
    { name: "empty signature", signature: "", body },
    { name: "garbage signature", signature: "not.a.jwt", body },
    {
      name: "forged (another key)",
      signature: await sign({ key: `sig_${randomBytes(16).toString("hex")}`, url, body }),
      body,
    },
    { name: "expired", signature: await sign({ key, url, body, expiresIn: -60 }), body },
    {
      name: "not valid yet",
      signature: await sign({ key, url, body, notBeforeIn: 600, expiresIn: 900 }),
      body,
    },
    { name: "signed for another URL", signature: await sign({ key, url: other.toString(), body }), body },
    {
      name: "signed for another host",
      signature: await sign({ key, url: url.replace("127.0.0.1", "example.com"), body }),
      body,
    },
    { name: "body tampered", signature: await sign({ key, url, body: `${body} ` }), body },
    {
      name: "alg none",
      signature: new UnsecuredJWT({ body: bodyHash(body) })
        .setIssuer("Upstash")
        .setSubject(url)
        .setIssuedAt(now)
        .setNotBefore(now)
        .setExpirationTime(now + 300)
        .encode(),
      body,
    },
  ];
}
