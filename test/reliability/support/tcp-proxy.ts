/**
 * A TCP proxy on loopback that a test can cut: `cut()` resets every connection through it and
 * refuses new ones (the port stops listening), as a network partition seen from the client does;
 * `restore()` listens again on the same port; `resetConnections()` drops what is open and keeps
 * listening (a flapping network: answers lost, the next attempt gets through).
 */
import { createServer, connect, type Server, type Socket } from "node:net";

export interface TcpProxy {
  port: number;
  url: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  /** Resets every open connection (requests in flight lose their answers) but keeps accepting new ones. */
  resetConnections(): number;
  close(): Promise<void>;
}

export async function startTcpProxy(targetPort: number, scheme = "redis"): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  };
  const onConnection = (client: Socket) => {
    const upstream = connect(targetPort, "127.0.0.1");
    track(client);
    track(upstream);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  };
  let server: Server = createServer(onConnection);
  const listen = (port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve((server.address() as { port: number }).port));
    });
  const port = await listen(0);
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.resetAndDestroy();
    });
  let down = false;
  return {
    port,
    url: `${scheme}://127.0.0.1:${port}`,
    async cut() {
      if (down) return;
      down = true;
      await stop();
    },
    async restore() {
      if (!down) return;
      server = createServer(onConnection);
      await listen(port);
      down = false;
    },
    resetConnections() {
      const count = sockets.size;
      for (const socket of sockets) socket.resetAndDestroy();
      return count;
    },
    async close() {
      if (!down) await stop();
      down = true;
    },
  };
}
