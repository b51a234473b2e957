/**
 * Bytes on the wire between the application (this process: hosts, clients, workers) and the
 * services it uses, counted at the socket (headers and framing included) through Node's
 * `net.client.socket` / `net.server.socket` diagnostics channels. Each socket is classed by the
 * port of the service it talks to (outgoing) or of the host that accepted it (incoming: QStash's
 * deliveries). Sockets of the benchmark's own meters are left out.
 */
import dc from "node:diagnostics_channel";
import type { Socket } from "node:net";

interface Tracked {
  socket: Socket;
  label: string;
}

export class WireMeter {
  readonly #labels = new Map<string, string>();
  readonly #live = new Set<Tracked>();
  readonly #closed = new Map<string, number>();
  readonly #ignored = new WeakSet<Socket>();

  constructor() {
    dc.subscribe("net.client.socket", (message) => this.#client((message as { socket: Socket }).socket));
    dc.subscribe("net.server.socket", (message) => this.#server((message as { socket: Socket }).socket));
  }

  /** Counts traffic to (client) or accepted on (server) `port` as `label`. */
  label(kind: "to" | "on", port: number, label: string): void {
    this.#labels.set(`${kind}:${port}`, label);
  }

  ignore(socket: Socket | undefined): void {
    if (socket) this.#ignored.add(socket);
  }

  /** Bytes per label so far (both directions). */
  read(): Record<string, number> {
    const totals: Record<string, number> = Object.fromEntries(this.#closed);
    for (const { socket, label } of this.#live) {
      if (!this.#ignored.has(socket)) totals[label] = (totals[label] ?? 0) + bytesOf(socket);
    }
    return totals;
  }

  #client(socket: Socket): void {
    // The remote port is known once connected.
    socket.once("connect", () => this.#track(socket, `to:${socket.remotePort}`));
  }

  #server(socket: Socket): void {
    this.#track(socket, `on:${socket.localPort}`);
  }

  #track(socket: Socket, key: string): void {
    const label = this.#labels.get(key);
    if (!label || this.#ignored.has(socket)) return;
    const tracked = { socket, label };
    this.#live.add(tracked);
    socket.once("close", () => {
      if (!this.#live.delete(tracked)) return;
      if (this.#ignored.has(socket)) return;
      this.#closed.set(label, (this.#closed.get(label) ?? 0) + bytesOf(socket));
    });
  }
}

const bytesOf = (socket: Socket) => (socket.bytesRead ?? 0) + (socket.bytesWritten ?? 0);

/** The difference of two readings, per label. */
export function wireDelta(
  before: Record<string, number>,
  after: Record<string, number>,
): Record<string, number> {
  const out: Record<string, number> = {};
  for (const [label, bytes] of Object.entries(after)) out[label] = bytes - (before[label] ?? 0);
  return out;
}
