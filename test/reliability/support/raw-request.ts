/**
 * One HTTP request with node:http, path and body sent as given (fetch would normalize the path and
 * refuse some methods with a body), so a fuzz test can send malformed percent-encoding, odd methods
 * and arbitrary bytes. Characters node refuses in a path (spaces, controls, non-ASCII) are
 * percent-encoded; everything else, a lone `%` included, goes out raw.
 */
import http from "node:http";

export interface RawAnswer {
  status: number;
  body: string;
}

export function rawPath(text: string): string {
  return text.replace(/[^\x21-\x7e]/gu, (char) => encodeURIComponent(char));
}

export function rawRequest(
  origin: string,
  {
    method,
    path,
    headers = {},
    body,
  }: { method: string; path: string; headers?: Record<string, string>; body?: Uint8Array | string },
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const target = new URL(origin);
    const request = http.request(
      {
        host: target.hostname,
        port: target.port,
        method,
        path,
        headers: {
          ...headers,
          ...(body === undefined ? {} : { "content-length": String(Buffer.byteLength(body)) }),
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
        );
      },
    );
    request.on("error", reject);
    request.end(body);
  });
}
