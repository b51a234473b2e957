/**
 * The extension's own endpoints (`/api/*`), which its configuration UI calls inside the Netlify app
 * through the SDK's authenticated fetch. Routing only: it checks the SDK context (Netlify token,
 * site, team), reads and checks the input, and hands over to settings.ts, connection-test.ts,
 * api-keys.ts and events-proxy.ts. Every answer is JSON; every refusal is
 * `{ error, issues?: [{ path, message }] }` naming the field or header.
 *
 *   GET    /api/settings                  → 200 Settings
 *   POST   /api/settings/upstash/test     UpstashCredentials → 200 { redis: Check, qstash: Check }
 *   PUT    /api/settings/upstash          UpstashCredentials → 200 Settings | 400 (nothing stored)
 *   PUT    /api/settings/defaults         { retentionCompleted, retentionDeadLettered, maxRetries } → 200 Settings
 *   POST   /api/keys                      → 201 { key, id, last4 }
 *   POST   /api/keys/:id/rotate           → 201 { key, id, last4 }
 *   DELETE /api/keys/:id                  → 200 { revoked } | 404 | 409 (the last key)
 *   POST   /api/redeploy                  → 202 { buildId }: a site's functions see changed variables only
 *                                           after a deploy, so every change above takes effect with one
 *   ALL    /api/events/<stats|events|events/retry|events/:id>  → the site's events API, as it answers
 */
import { Hono, type Context } from "hono";
import { ApiError, check, readJson } from "@awl/client/internal";
import { InvalidInputError } from "@awl/client";
import { createApiKey, revokeApiKey, rotateApiKey } from "./api-keys.ts";
import { DEFAULT_CHECK_TIMEOUT_MS, testConnection } from "./connection-test.ts";
import { proxyEvents } from "./events-proxy.ts";
import type { ExtensionSdkContext, SiteScope } from "./netlify.ts";
import { defaultsSchema, upstashCredentialsSchema } from "./schemas.ts";
import { readSettings, writeDefaults, writeUpstash } from "./settings.ts";

export type { ExtensionSdkContext } from "./netlify.ts";
export type { Check, ConnectionReport } from "./connection-test.ts";
export type { Settings, SecretInfo } from "./settings.ts";
export type { UpstashCredentialsInput as UpstashCredentials } from "./schemas.ts";

export interface ExtensionApiOptions {
  /** Used for the QStash check and the events proxy; default the global fetch. */
  fetch?: typeof fetch;
  /** Clock for the record of when credentials were verified. */
  now?: () => number;
  /** How long each connection check waits; default 5 s. */
  checkTimeoutMs?: number;
}

// The SDK context arrives per request, as the app's binding; the app itself is built once.
type Env = { Bindings: { sdk: ExtensionSdkContext }; Variables: { scope: SiteScope } };

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

export function createExtensionApi(
  options: ExtensionApiOptions = {},
): (request: Request, sdk: ExtensionSdkContext) => Promise<Response> {
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const now = options.now ?? Date.now;
  const connection = { fetch: fetchImpl, timeoutMs: options.checkTimeoutMs ?? DEFAULT_CHECK_TIMEOUT_MS };

  const app = new Hono<Env>().basePath("/api");

  app.use("*", async (c, next) => {
    const { sdk } = c.env;
    if (!sdk.auth.netlifyToken) {
      return json(401, {
        error:
          "no Netlify token (header Nf-UIExt-Netlify-Token): open this from the extension's page in the Netlify app",
      });
    }
    for (const [value, header] of [
      [sdk.siteId, "Nf-UIExt-Site-Id"],
      [sdk.teamId, "Nf-UIExt-Team-Id"],
    ] as const) {
      if (!value) {
        return json(400, {
          error: `missing header ${header}: these settings belong to a site, open them from the site's extension page`,
          issues: [{ path: [header], message: "is required" }],
        });
      }
    }
    c.set("scope", { client: sdk.client, siteId: sdk.siteId!, teamId: sdk.teamId! });
    await next();
  });

  app.get("/settings", async (c) => json(200, await readSettings(c.get("scope"))));

  app.post("/settings/upstash/test", async (c) => {
    const credentials = check(upstashCredentialsSchema, await readJson(c.req.raw));
    return json(200, await testConnection(credentials, connection));
  });

  app.put("/settings/upstash", async (c) => {
    const credentials = check(upstashCredentialsSchema, await readJson(c.req.raw));
    const report = await testConnection(credentials, connection);
    const failed = [report.redis, report.qstash].flatMap((result) => (result.ok ? [] : [result]));
    if (failed.length > 0) {
      throw new ApiError(
        400,
        `the connection test failed: ${failed.map((f) => `${f.field}: ${f.error}`).join("; ")}`,
        failed.map((f) => ({ path: [f.field], message: f.error })),
      );
    }
    return json(200, await writeUpstash(c.get("scope"), credentials, new Date(now()).toISOString()));
  });

  app.put("/settings/defaults", async (c) => {
    const defaults = check(defaultsSchema, await readJson(c.req.raw));
    return json(200, await writeDefaults(c.get("scope"), defaults));
  });

  app.post("/keys", async (c) => json(201, await createApiKey(c.get("scope"))));
  app.post("/keys/:id/rotate", async (c) => json(201, await rotateApiKey(c.get("scope"), c.req.param("id"))));
  app.delete("/keys/:id", async (c) => json(200, await revokeApiKey(c.get("scope"), c.req.param("id"))));

  app.post("/redeploy", async (c) => {
    const { client, siteId } = c.get("scope");
    const build: Record<string, unknown> = { ...(await client.redeploySite({ siteId })) };
    return json(202, { buildId: typeof build.id === "string" ? build.id : null });
  });

  app.all("/events/*", async (c) => {
    const rest = new URL(c.req.url).pathname.replace(/^.*?\/api\/events\//, "");
    return proxyEvents(c.get("scope"), c.req.raw, rest, fetchImpl);
  });

  app.notFound((c) => json(404, { error: `no route for ${c.req.method} ${new URL(c.req.url).pathname}` }));
  app.onError((error, c) => errorResponse(error, c));
  return async (request, sdk) => app.fetch(request, { sdk });
}

function errorResponse(error: Error, c: Context): Response {
  if (error instanceof InvalidInputError) return json(400, { error: error.message, issues: error.issues });
  if (error instanceof ApiError) {
    return json(error.status, { error: error.message, ...(error.issues ? { issues: error.issues } : {}) });
  }
  // The SDK's client (wretch) throws with the status of the Netlify API's answer.
  const status = (error as { status?: unknown }).status;
  if (typeof status === "number") {
    if (status === 401 || status === 403) {
      return json(401, {
        error: `the Netlify API refused the token (${status}): sign in to the Netlify app again`,
      });
    }
    return json(502, { error: `the Netlify API answered ${status}: ${error.message.slice(0, 200)}` });
  }
  if (error instanceof TypeError && /fetch failed/.test(error.message)) {
    return json(502, {
      error: `could not reach the Netlify API: ${(error.cause as Error | undefined)?.message ?? error.message}`,
    });
  }
  console.error(
    `awl extension: ${c.req.method} ${new URL(c.req.url).pathname} failed: ${error.stack ?? error.message}`,
  );
  return json(500, { error: `internal error: ${error.message}` });
}
