/**
 * The host the HTTP-driven systems' functions run in: a lightweight Fetch-API server
 * (@hono/node-server), not `netlify dev`, whose own per-call cost (about 170 ms here) would hide
 * everything measured. One host per system, so its traffic can be told apart.
 */
import { serve, type ServerType } from "@hono/node-server";

export type FetchHandler = (request: Request) => Promise<Response>;

export interface Host {
  url: string;
  port: number;
  close(): Promise<void>;
}

export async function startHost(route: (path: string) => FetchHandler | undefined): Promise<Host> {
  let port = 0;
  const server: ServerType = await new Promise((resolve) => {
    const s = serve(
      {
        hostname: "127.0.0.1",
        port: 0,
        fetch: (request: Request) => {
          const handler = route(new URL(request.url).pathname);
          return handler ? handler(request) : new Response("not found", { status: 404 });
        },
      },
      (info) => {
        port = info.port;
        resolve(s);
      },
    );
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        (server as unknown as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}

/** Reads a response's body so the host can look at it, and hands on an identical response. */
export async function inspect(response: Response): Promise<{ response: Response; text: string }> {
  const text = await response.text();
  return { response: new Response(text, { status: response.status, headers: response.headers }), text };
}
