/**
 * The local harness for the extension's UI, standing in for what cannot be reached here (the
 * Netlify app and API). One HTTP server, one origin, as on Netlify, where the UI and its endpoints
 * share the extension site's:
 *   /          the UI, bundled in memory with the real build's esbuild options (src/ui/bundle.ts);
 *   /api/*     the real endpoints (createExtensionApi) behind the SDK's real withNetlifySDKContext,
 *              which reads the Nf-UIExt-* headers the UI's SDK fetch sends and builds the SDK's
 *              Netlify client, pointed at the Netlify API stand-in (netlify-api.ts);
 *   /harness   the Netlify app's part: a page that frames `/` and initialises the surface over
 *              postMessage with the SDK's own protocol (host-page.ts).
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { serve, type ServerType } from "@hono/node-server";
import { withNetlifySDKContext } from "@netlify/sdk/ui/functions";
import { build } from "esbuild";
import { createExtensionApi } from "../src/endpoints/app.ts";
import { bundleUi, EXTENSION_DIR, UI_INDEX_HTML } from "../src/ui/bundle.ts";
import type { HostSession } from "./host-page.ts";
import { startNetlifyApiStandIn, type NetlifyApiStandIn, type StoredVariable } from "./netlify-api.ts";

export interface HarnessOptions {
  /** Default: a free port. */
  port?: number;
  /** The site whose page this is: its URL (where the events proxy goes) and ids. */
  siteUrl: string;
  siteId?: string;
  teamId?: string;
  /** The Netlify token the host hands the surface (and the stand-in accepts). */
  netlifyToken?: string;
  userId?: string;
  /** The site's environment variables to start with (e.g. AWL_API_KEY), as the stand-in holds them. */
  env?: Record<string, string | StoredVariable>;
}

export interface ExtensionHarness {
  /** The harness's origin. */
  url: string;
  /** The page to open: the surface as the Netlify app would show it. */
  harnessUrl: string;
  netlifyApi: NetlifyApiStandIn;
  siteId: string;
  teamId: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
};

/** The extension's id, name and slug as extension.yaml declares them (its id on Netlify is assigned there; the slug stands in). */
async function readExtensionMeta(): Promise<HostSession["extension"]> {
  const yaml = await readFile(path.join(EXTENSION_DIR, "extension.yaml"), "utf8");
  const field = (name: string) => new RegExp(`^  ${name}: (.+)$`, "m").exec(yaml)?.[1]?.trim() ?? "";
  const slug = field("slug");
  return { id: slug, name: field("name"), slug };
}

async function bundleHostPage(): Promise<string> {
  const result = await build({
    entryPoints: [path.join(import.meta.dirname, "host-page.ts")],
    bundle: true,
    format: "esm",
    platform: "browser",
    target: "es2022",
    write: false,
    logLevel: "silent",
  });
  return result.outputFiles[0]!.text;
}

function hostPageHtml(session: HostSession): string {
  // `<` escaped so that no value can close the script element.
  const json = JSON.stringify(session).replace(/</g, "\\u003c");
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>Extension harness: ${session.extension.name}</title>
    <style>
      body { margin: 0; background: #f6f6f7; font-family: system-ui, sans-serif; }
      iframe { display: block; width: 100%; min-height: 100vh; border: 0; }
    </style>
  </head>
  <body>
    <script type="application/json" id="harness-session">${json}</script>
    <script type="module" src="/harness/host.js"></script>
  </body>
</html>
`;
}

export async function startExtensionHarness(options: HarnessOptions): Promise<ExtensionHarness> {
  const siteId = options.siteId ?? "site-harness";
  const teamId = options.teamId ?? "team-harness";
  const netlifyToken = options.netlifyToken ?? "nfp_harness_token";
  const netlifyApi = await startNetlifyApiStandIn({
    token: netlifyToken,
    sites: [{ id: siteId, accountId: teamId, url: options.siteUrl.replace(/\/+$/, "") }],
  });
  for (const [key, value] of Object.entries(options.env ?? {})) {
    netlifyApi.setEnv(
      teamId,
      siteId,
      key,
      typeof value === "string"
        ? { value, isSecret: false, scopes: ["builds", "functions", "runtime"] }
        : value,
    );
  }
  // The SDK's context reads these on every request: its Netlify client then calls the stand-in.
  process.env.NETLIFY_API_BASE_URL = netlifyApi.url;
  process.env.NETLIFY_JIGSAW_URL = netlifyApi.jigsawUrl;

  const [uiFiles, hostScript, extension] = await Promise.all([
    bundleUi("/ui", false),
    bundleHostPage(),
    readExtensionMeta(),
  ]);
  const assets = new Map<string, { body: string; type: string }>([
    ["/", { body: UI_INDEX_HTML, type: CONTENT_TYPES[".html"]! }],
    ["/harness/host.js", { body: hostScript, type: CONTENT_TYPES[".js"]! }],
  ]);
  for (const file of uiFiles) {
    const name = `/${path.relative("/ui", file.path)}`;
    // The bundle is text only (JS and CSS; images are inlined as data URLs).
    assets.set(name, {
      body: file.text,
      type: CONTENT_TYPES[path.extname(name)] ?? "application/octet-stream",
    });
  }

  const api = createExtensionApi();
  const endpoints = withNetlifySDKContext((request, context) => api(request, context));

  let url = "";
  const server: ServerType = await new Promise((resolve) => {
    const s = serve(
      {
        hostname: "127.0.0.1",
        port: options.port ?? 0,
        fetch: async (request: Request) => {
          const { pathname } = new URL(request.url);
          // The function's Netlify context is not used by the endpoints; the SDK's is what they read.
          if (pathname.startsWith("/api/")) return endpoints(request, {} as Parameters<typeof endpoints>[1]);
          if (pathname === "/harness") {
            const session: HostSession = {
              uiUrl: "/",
              netlifyToken,
              siteId,
              teamId,
              userId: options.userId ?? "user-harness",
              extension,
              surface: "extension-top-level-site-configuration",
            };
            return new Response(hostPageHtml(session), {
              headers: { "content-type": CONTENT_TYPES[".html"]! },
            });
          }
          const asset = assets.get(pathname);
          if (!asset) return new Response("not found", { status: 404 });
          return new Response(asset.body, {
            headers: { "content-type": asset.type, "cache-control": "no-store" },
          });
        },
      },
      (info) => {
        url = `http://127.0.0.1:${info.port}`;
        resolve(s);
      },
    );
  });

  return {
    url,
    harnessUrl: `${url}/harness`,
    netlifyApi,
    siteId,
    teamId,
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await netlifyApi.close();
    },
  };
}
