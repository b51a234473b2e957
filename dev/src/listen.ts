/**
 * How `awl dev`'s servers (QStash, Redis REST, dashboard) take their port: listen, then answer
 * with the URL a client uses; a port already taken fails with a message naming the service and
 * what to do, instead of Node's bare EADDRINUSE.
 */
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface ListenOptions {
  port: number;
  host: string;
  /** What is served, for the error: "the QStash API". */
  service: string;
  /** What to do about a port in use: "another awl dev? pick another with --dashboard-port". */
  hint: string;
}

/** Listens and resolves to the server's URL, e.g. http://127.0.0.1:8080 (port 0: any free port). */
export function listenOn(server: Server, options: ListenOptions): Promise<string> {
  const { port, host, service, hint } = options;
  return new Promise((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) =>
      reject(
        error.code === "EADDRINUSE"
          ? new Error(`Cannot serve ${service} on ${host}:${port}: the port is in use (${hint})`)
          : error,
      );
    server.once("error", failed);
    server.listen(port, host, () => {
      server.off("error", failed);
      const bound = (server.address() as AddressInfo).port;
      resolve(`http://${host.includes(":") ? `[${host}]` : host}:${bound}`);
    });
  });
}
