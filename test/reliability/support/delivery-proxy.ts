/**
 * An HTTP proxy between QStash and the host that makes delivery as bad as it can legally be:
 * every delivery is forwarded `copies` times, each copy after its own random delay (so copies of
 * one message and different messages overtake each other), and now and then a delivery seen
 * earlier is replayed, late and out of order (a stale message for a run that has moved on).
 * Headers, including Host and Upstash-Signature, are forwarded unchanged, so every copy carries a
 * valid signature for the URL it was published to. QStash gets the first copy's answer.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";

export interface DeliveryProxyOptions {
  targetPort: number;
  copies: number;
  maxDelayMs: number;
  /** Chance that a delivery also triggers the replay of an earlier one. */
  replayProbability: number;
}

export interface DeliveryProxyStats {
  received: number;
  forwarded: number;
  replayed: number;
  /** Copies that got no HTTP answer, or a 5xx. */
  failedCopies: number;
  /** Copies and replays scheduled or being forwarded (gauge): 0 once every one has been answered. */
  outstanding: number;
}

export interface DeliveryProxy {
  url: string;
  stats(): DeliveryProxyStats;
  close(): Promise<void>;
}

interface Seen {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export async function startDeliveryProxy(options: DeliveryProxyOptions): Promise<DeliveryProxy> {
  const stats = { received: 0, forwarded: 0, replayed: 0, failedCopies: 0 };
  let forwarding = 0;
  const history: Seen[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  let closed = false;

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (!closed) fn();
    }, ms);
    timers.add(timer);
  };
  const forward = (
    seen: Seen,
  ): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> => {
    forwarding++;
    return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve) => {
      stats.forwarded++;
      const request = http.request(
        {
          host: "127.0.0.1",
          port: options.targetPort,
          method: seen.method,
          path: seen.path,
          headers: seen.headers,
          agent,
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            if ((response.statusCode ?? 0) >= 500) stats.failedCopies++;
            resolve({
              status: response.statusCode ?? 502,
              headers: response.headers,
              body: Buffer.concat(chunks),
            });
          });
          response.on("error", () => {
            stats.failedCopies++;
            resolve({ status: 502, headers: {}, body: Buffer.from("proxy: response failed") });
          });
        },
      );
      request.on("error", (error) => {
        stats.failedCopies++;
        resolve({ status: 502, headers: {}, body: Buffer.from(`proxy: ${error.message}`) });
      });
      request.end(seen.body);
    }).finally(() => forwarding--);
  };
  const randomDelay = () => Math.floor(Math.random() * options.maxDelayMs);

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      stats.received++;
      const seen: Seen = {
        method: req.method ?? "POST",
        path: req.url ?? "/",
        headers: req.headers,
        body: Buffer.concat(chunks),
      };
      if (Math.random() < options.replayProbability && history.length > 0) {
        const old = history[Math.floor(Math.random() * history.length)]!;
        later(randomDelay(), () => {
          stats.replayed++;
          void forward(old);
        });
      }
      history.push(seen);
      if (history.length > 1000) history.splice(0, history.length - 1000);
      for (let copy = 1; copy < options.copies; copy++) later(randomDelay(), () => void forward(seen));
      later(randomDelay(), () => {
        void forward(seen).then((answer) => {
          const headers = { ...answer.headers };
          delete headers["transfer-encoding"];
          delete headers["content-length"];
          delete headers.connection;
          res.writeHead(answer.status, headers);
          res.end(answer.body);
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stats: () => ({ ...stats, outstanding: timers.size + forwarding }),
    close: () =>
      new Promise<void>((resolve) => {
        closed = true;
        for (const timer of timers) clearTimeout(timer);
        agent.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
