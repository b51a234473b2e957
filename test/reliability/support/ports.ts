/**
 * Free loopback ports for the servers and child processes a reliability test starts. A port is
 * found by listening on 0 and closing again; the short race with another process is acceptable
 * on a test machine, and every caller binds 127.0.0.1 only.
 */
import { createServer } from "node:net";

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
