/**
 * The local events dashboard of `awl dev` (http://127.0.0.1:8288 by default): serves the page and
 * its bundled script and stylesheet, and the events API at /awl/api over the local stack, adding a
 * per-process API key to what the page sends, so the page holds no secret. Loopback only, like the
 * Inngest Dev Server: requests with a non-loopback Host or from another origin are refused.
 */
import { randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { getRequestListener } from "@hono/node-server";
import { Hono } from "hono";
import { createEventsApi, DEFAULT_API_BASE_PATH, type Runtime } from "@awl/client";
import { DEFAULT_DASHBOARD_PORT } from "../defaults.ts";
import { loadDashboardAssets, type DashboardAssets } from "./assets.ts";
import { refusal } from "../loopback.ts";
import { listenOn } from "../listen.ts";

export interface DashboardServerOptions {
  /** The engine state to show and act on: `localRuntime(stack.env)` under awl dev, a test's own runtime. */
  runtime: Runtime;
  /** Default 127.0.0.1; keep it a loopback address, the server adds the API key to every request. */
  host?: string;
  /** Default 8288; 0 picks any free port. */
  port?: number;
}

export interface DashboardServer {
  /** E.g. http://127.0.0.1:8288 */
  url: string;
  close(): Promise<void>;
}

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Events · awl dev</title>
    <link rel="stylesheet" href="/assets/dashboard.css">
  </head>
  <body>
    <div id="root"></div>
    <noscript>The events dashboard needs JavaScript. <code>npx awl events list</code> shows the same data.</noscript>
    <script type="module" src="/assets/dashboard.js"></script>
  </body>
</html>
`;

const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-store",
};

export function createDashboardApp(runtime: Runtime, bundle: DashboardAssets): Hono {
  const apiKey = `awl_dashboard_${randomBytes(24).toString("base64url")}`;
  const api = createEventsApi({ runtime, apiKeys: [apiKey], basePath: DEFAULT_API_BASE_PATH });
  const app = new Hono();

  app.use("*", async (c, next) => {
    const refused = refusal(c.req.raw.headers, "the awl dev dashboard");
    if (refused) return c.json({ error: refused }, 403);
    await next();
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
  });
  app.get("/", (c) => c.html(PAGE));
  app.get("/assets/dashboard.js", (c) =>
    c.body(bundle.js, 200, { "content-type": "text/javascript; charset=utf-8" }),
  );
  app.get("/assets/dashboard.css", (c) =>
    c.body(bundle.css, 200, { "content-type": "text/css; charset=utf-8" }),
  );
  app.all(`${DEFAULT_API_BASE_PATH}/*`, async (c) => {
    const incoming = c.req.raw;
    const headers = new Headers(incoming.headers);
    headers.set("authorization", `Bearer ${apiKey}`);
    const hasBody = incoming.method !== "GET" && incoming.method !== "HEAD";
    return api(
      new Request(incoming.url, {
        method: incoming.method,
        headers,
        ...(hasBody ? { body: await incoming.arrayBuffer() } : {}),
      }),
    );
  });
  app.notFound((c) => c.text(`Not found: ${c.req.path}. The dashboard is at /.`, 404));
  return app;
}

export async function startDashboardServer(options: DashboardServerOptions): Promise<DashboardServer> {
  const host = options.host ?? "127.0.0.1";
  const port = options.port ?? DEFAULT_DASHBOARD_PORT;
  const app = createDashboardApp(options.runtime, loadDashboardAssets());
  const server = createServer(getRequestListener(app.fetch));
  const url = await listenOn(server, {
    port,
    host,
    service: "the events dashboard",
    hint: "another awl dev? pick another with --dashboard-port, or 0 for any free port",
  });
  return {
    url,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // The page's keep-alive connections would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
