/**
 * POSTs a large body as a chunked stream (no Content-Length, so a server cannot refuse it by its
 * declared size) and reports the status and how many bytes had been sent when the answer came:
 * a server that refuses an oversized body while reading it answers long before the end.
 */
import http from "node:http";

export function streamPost(
  url: string,
  totalBytes: number,
  headers: Record<string, string> = {},
): Promise<{ status: number; bytesSentBeforeAnswer: number; body: string }> {
  return new Promise((resolve, reject) => {
    const chunk = Buffer.alloc(64 * 1024, "a");
    let sent = 0;
    let answered = false;
    const request = http.request(
      url,
      { method: "POST", headers: { "transfer-encoding": "chunked", ...headers } },
      (response) => {
        answered = true;
        const at = sent;
        const parts: Buffer[] = [];
        response.on("data", (part: Buffer) => parts.push(part));
        response.on("end", () =>
          resolve({
            status: response.statusCode ?? 0,
            bytesSentBeforeAnswer: at,
            body: Buffer.concat(parts).toString(),
          }),
        );
      },
    );
    request.on("error", (error) => {
      if (!answered) reject(error);
    });
    const pump = () => {
      while (!answered && sent < totalBytes) {
        sent += chunk.length;
        if (!request.write(chunk)) return void request.once("drain", pump);
      }
      request.end();
    };
    pump();
  });
}
