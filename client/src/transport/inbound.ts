/**
 * The front door shared by every endpoint QStash calls (router, workloads): method check, a body
 * size limit enforced while reading (before parsing), signature verification against the exact
 * URL and body, then JSON parsing. Anything refused here has touched no state.
 */
import type { Verifier } from "./verify.ts";

/** Deliveries carry only ids; anything bigger is not ours. */
export const MAX_DELIVERY_BYTES = 64 * 1024;

export function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });
}

export async function readLimitedBody(request: Request, maxBytes: number): Promise<string | null> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > maxBytes) return null;
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Either the verified, parsed delivery body, or the response that refuses it. */
export async function readDelivery(
  request: Request,
  verifier: Verifier,
): Promise<{ body: Record<string, unknown> } | { response: Response }> {
  if (request.method !== "POST") {
    return {
      response: jsonResponse(405, {
        error: `method ${request.method} not allowed; QStash delivers with POST`,
      }),
    };
  }
  const text = await readLimitedBody(request, MAX_DELIVERY_BYTES);
  if (text === null)
    return { response: jsonResponse(413, { error: `body exceeds ${MAX_DELIVERY_BYTES} bytes` }) };
  const problem = await verifier.verify({
    signature: request.headers.get("upstash-signature"),
    body: text,
    url: request.url,
  });
  if (problem) return { response: jsonResponse(401, { error: problem }) };
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body !== "object" || body === null || Array.isArray(body)) throw new Error("not an object");
    return { body: body as Record<string, unknown> };
  } catch {
    return { response: jsonResponse(400, { error: "body must be a JSON object" }) };
  }
}
