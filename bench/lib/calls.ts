/**
 * Counts the requests the application makes to its services: HTTP requests by destination port
 * (through the `undici:request:create` diagnostics channel, which sees every fetch, and by
 * wrapping node:http's ClientRequest.end, which sees every node:http request and its body, such as
 * the engine's keep-alive transport's), and Redis commands sent by ioredis clients in this process (BullMQ's),
 * by server port. A pipeline of Redis commands over HTTP counts once as a request and once per
 * command; ioredis commands count one each, however they are pipelined on the socket.
 */
import dc from "node:diagnostics_channel";
import { ClientRequest } from "node:http";
import { Redis } from "ioredis";

export class CallCounter {
  readonly #http = new Map<number, number>();
  /** Redis commands carried by HTTP requests (a pipeline of n counts n), by port. */
  readonly #httpCommands = new Map<number, number>();
  readonly #redis = new Map<number, number>();
  readonly #ignored = new WeakSet<object>();

  constructor() {
    dc.subscribe("undici:request:create", (message) => {
      const request = (message as { request: { origin: string | URL; path: string; body?: unknown } })
        .request;
      const port = Number(new URL(String(request.origin)).port);
      this.#http.set(port, (this.#http.get(port) ?? 0) + 1);
      this.#httpCommands.set(
        port,
        (this.#httpCommands.get(port) ?? 0) + commandsIn(request.path, request.body),
      );
    });
    // node:http requests are counted as they end, when their body (a pipeline's commands) is known.
    const http = this.#http;
    const httpCommands = this.#httpCommands;
    const originalEnd = ClientRequest.prototype.end;
    ClientRequest.prototype.end = function (this: ClientRequest, ...args: unknown[]) {
      const port = Number(new URL(`http://${String(this.getHeader("host"))}`).port || 80);
      http.set(port, (http.get(port) ?? 0) + 1);
      const chunk = typeof args[0] === "function" ? undefined : args[0];
      httpCommands.set(port, (httpCommands.get(port) ?? 0) + commandsIn(this.path, chunk));
      return originalEnd.apply(this, args as Parameters<ClientRequest["end"]>);
    } as ClientRequest["end"];
    const redisCounts = this.#redis;
    const ignored = this.#ignored;
    const original = Redis.prototype.sendCommand;
    Redis.prototype.sendCommand = function (this: Redis, ...args: Parameters<Redis["sendCommand"]>) {
      if (!ignored.has(this)) {
        const port = Number(this.options.port);
        redisCounts.set(port, (redisCounts.get(port) ?? 0) + 1);
      }
      return original.apply(this, args);
    } as Redis["sendCommand"];
  }

  ignore(client: object): void {
    this.#ignored.add(client);
  }

  /** Redis commands carried by HTTP requests to `port` so far. */
  commands(port: number): number {
    return this.#httpCommands.get(port) ?? 0;
  }

  /** HTTP requests to `port` plus ioredis commands to `port`, so far. */
  read(port: number): number {
    return (this.#http.get(port) ?? 0) + (this.#redis.get(port) ?? 0);
  }
}

/** Commands in an Upstash REST request: a pipeline's array length, otherwise one. */
function commandsIn(path: string, body: unknown): number {
  if (!path.startsWith("/pipeline") && !path.startsWith("/multi-exec")) return 1;
  const text =
    typeof body === "string"
      ? body
      : body instanceof Uint8Array
        ? Buffer.from(body).toString("utf8")
        : undefined;
  if (text === undefined) return 1;
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) ? parsed.length : 1;
  } catch {
    return 1;
  }
}
