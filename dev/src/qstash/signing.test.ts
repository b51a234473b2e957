import { Receiver } from "@upstash/qstash";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { describe, expect, it } from "vitest";
import { QSTASH_DEV_CREDENTIALS } from "./server.ts";
import { bodyHash, createSigner } from "./signing.ts";

const { currentSigningKey, nextSigningKey } = QSTASH_DEV_CREDENTIALS;
const url = "http://127.0.0.1:3000/api/workload?run=1";
const body = JSON.stringify({ hello: "wörld" });

describe("Upstash-Signature", () => {
  it("is accepted by the official Receiver for this body and url", async () => {
    const signature = await createSigner(currentSigningKey).sign(url, bodyHash(Buffer.from(body)));
    const receiver = new Receiver({ currentSigningKey, nextSigningKey });
    await expect(receiver.verify({ signature, body, url })).resolves.toBe(true);
  });

  it("carries the claims QStash documents", async () => {
    const signature = await createSigner(currentSigningKey).sign(url, bodyHash(Buffer.from(body)));
    expect(decodeProtectedHeader(signature)).toEqual({ alg: "HS256", typ: "JWT" });
    const claims = decodeJwt(signature);
    expect(claims).toMatchObject({ iss: "Upstash", sub: url });
    expect(claims.body).toMatch(/^[A-Za-z0-9_-]{43}=$/);
    expect(claims.jti).toMatch(/^jwt_[A-Za-z0-9]{27}$/);
    expect(claims.nbf).toBe(claims.iat);
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(300);
  });

  it("is refused for another body, another url or another key", async () => {
    const signature = await createSigner(currentSigningKey).sign(url, bodyHash(Buffer.from(body)));
    const receiver = new Receiver({ currentSigningKey, nextSigningKey });
    await expect(receiver.verify({ signature, body: "{}", url })).rejects.toThrow(/body hash does not match/);
    await expect(receiver.verify({ signature, body, url: "http://127.0.0.1:3000/other" })).rejects.toThrow(
      /invalid subject/,
    );
    const stranger = new Receiver({ currentSigningKey: "sig_other", nextSigningKey: "sig_another" });
    await expect(stranger.verify({ signature, body, url })).rejects.toThrow();
  });

  it("still verifies during a key rotation (signed with what the receiver knows as next)", async () => {
    const signature = await createSigner(nextSigningKey).sign(url, bodyHash(Buffer.from(body)));
    const receiver = new Receiver({ currentSigningKey, nextSigningKey });
    await expect(receiver.verify({ signature, body, url })).resolves.toBe(true);
  });
});
