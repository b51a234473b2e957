/**
 * A stand-in for the parts of the Netlify API (and of its extension API, "jigsaw") that this
 * extension's endpoints use, because the Netlify app and API cannot be reached here. It is an
 * in-memory HTTP server implementing exactly what the SDK's NetlifyExtensionClient calls for:
 *
 *   Netlify API, at `url` (give it as NETLIFY_API_BASE_URL), Bearer token checked:
 *     GET    /accounts/:accountId/env?site_id=     list variables (secret ones without values, as Netlify does)
 *     POST   /accounts/:accountId/env?site_id=     create variables ([{ key, values, is_secret, scopes }])
 *     PUT    /accounts/:accountId/env/:key?site_id= replace one variable
 *     PATCH  /accounts/:accountId/env/:key?site_id= set one context's value
 *     DELETE /accounts/:accountId/env/:key?site_id= delete one variable
 *     GET    /sites/:siteId                        { id, account_id, name, url, ssl_url }
 *     POST   /sites/:siteId/builds                 start a build ({ branch? }) → { id, deploy_id, done: false }
 *   jigsaw, at `jigsawUrl` (give it as NETLIFY_JIGSAW_URL), header `netlify-token` checked:
 *     GET|PUT|DELETE /team/:teamId/integrations/:slug/configuration/site/:siteId   ({ config })
 *     GET|PUT|DELETE /team/:teamId/integrations/:slug/configuration/team
 *
 * A wrong or missing token answers 401, an unknown site or account 404, an existing key created
 * again 400, as the real API does. Nothing else of the API is imitated.
 */
import { serve, type ServerType } from "@hono/node-server";
import { Hono, type Context } from "hono";

export type Scope = "builds" | "functions" | "runtime" | "post-processing";

export interface StoredVariable {
  value: string;
  isSecret: boolean;
  scopes: Scope[];
}

export interface StandInSite {
  id: string;
  accountId: string;
  url: string;
  name?: string;
}

export interface NetlifyApiStandIn {
  /** For NETLIFY_API_BASE_URL (ends in /api/v1, as the SDK's client expects). */
  url: string;
  /** For NETLIFY_JIGSAW_URL. */
  jigsawUrl: string;
  /** The site's variables (`siteId` omitted: the account's), with their values, secret or not. */
  env(accountId: string, siteId?: string): Record<string, StoredVariable>;
  /** The extension's stored site configuration, or undefined. */
  siteConfiguration(teamId: string, siteId: string, slug?: string): Record<string, unknown> | undefined;
  /** Sets a variable directly, as the Netlify UI or CLI would. */
  setEnv(accountId: string, siteId: string | undefined, key: string, variable: StoredVariable): void;
  /** The builds requested per site (redeploys), in order. */
  builds(siteId: string): { id: string; branch?: string }[];
  /** Every request received, in order. */
  requests: { method: string; path: string }[];
  close(): Promise<void>;
}

interface ApiValue {
  value?: string;
  context: string;
  context_parameter?: string;
}
interface Variable {
  values: ApiValue[];
  isSecret: boolean;
  scopes: Scope[];
  updatedAt: string;
}
interface Configuration {
  id: string;
  config: unknown;
  createdAt: string;
  updatedAt: string;
}

const ALL_SCOPES: Scope[] = ["builds", "functions", "runtime", "post-processing"];

export async function startNetlifyApiStandIn(options: {
  port?: number;
  token: string;
  sites: StandInSite[];
}): Promise<NetlifyApiStandIn> {
  const variables = new Map<string, Map<string, Variable>>();
  const configurations = new Map<string, Configuration>();
  const requests: { method: string; path: string }[] = [];
  const sites = new Map(options.sites.map((site) => [site.id, site]));
  const accounts = new Set(options.sites.map((site) => site.accountId));
  let counter = 0;

  const envOf = (accountId: string, siteId: string | undefined) => {
    const id = `${accountId}/${siteId ?? ""}`;
    let map = variables.get(id);
    if (!map) variables.set(id, (map = new Map()));
    return map;
  };
  const error = (c: Context, status: 400 | 401 | 404, message: string) =>
    c.json({ code: status, message }, status);

  const app = new Hono();
  app.use("*", async (c, next) => {
    requests.push({ method: c.req.method, path: new URL(c.req.url).pathname + new URL(c.req.url).search });
    await next();
  });

  // --- Netlify API ---
  const api = new Hono();
  api.use("*", async (c, next) => {
    if (c.req.header("authorization") !== `Bearer ${options.token}`) return error(c, 401, "Access Denied");
    await next();
  });
  /** The account and site a request names, or an answer refusing it. */
  const target = (c: Context) => {
    const accountId = c.req.param("accountId") ?? "";
    const siteId = c.req.query("site_id") || undefined;
    if (!accounts.has(accountId)) return { refused: error(c, 404, `account ${accountId} not found`) };
    if (siteId && sites.get(siteId)?.accountId !== accountId) {
      return { refused: error(c, 404, `site ${siteId} not found`) };
    }
    return { env: envOf(accountId, siteId) };
  };
  const listed = (key: string, variable: Variable) => ({
    key,
    scopes: variable.scopes,
    // Netlify never returns the values of secret variables.
    values: variable.values.map((value) =>
      variable.isSecret
        ? {
            context: value.context,
            ...(value.context_parameter ? { context_parameter: value.context_parameter } : {}),
          }
        : value,
    ),
    is_secret: variable.isSecret,
    updated_at: variable.updatedAt,
  });
  const parseVariable = (body: unknown): { key: string; variable: Variable } | string => {
    if (typeof body !== "object" || body === null) return "a variable must be an object";
    const { key, values, is_secret, scopes } = body as Record<string, unknown>;
    if (typeof key !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(key)) return "key: invalid";
    if (!Array.isArray(values)) return "values: must be an array";
    const parsed: ApiValue[] = [];
    for (const value of values as unknown[]) {
      const { context, value: text, context_parameter } = (value ?? {}) as Record<string, unknown>;
      if (typeof context !== "string" || typeof text !== "string")
        return "values: { context, value } expected";
      parsed.push({
        context,
        value: text,
        ...(typeof context_parameter === "string" ? { context_parameter } : {}),
      });
    }
    const scopeList = scopes === undefined || scopes === null ? ALL_SCOPES : scopes;
    if (!Array.isArray(scopeList) || scopeList.some((scope) => !ALL_SCOPES.includes(scope as Scope))) {
      return "scopes: invalid";
    }
    return {
      key,
      variable: {
        values: parsed,
        isSecret: is_secret === true,
        scopes: scopeList as Scope[],
        updatedAt: new Date().toISOString(),
      },
    };
  };

  api.get("/accounts/:accountId/env", (c) => {
    const { env, refused } = target(c);
    if (refused) return refused;
    return c.json([...env].map(([key, variable]) => listed(key, variable)));
  });
  api.post("/accounts/:accountId/env", async (c) => {
    const { env, refused } = target(c);
    if (refused) return refused;
    const body: unknown = await c.req.json().catch(() => undefined);
    if (!Array.isArray(body)) return error(c, 400, "body: must be an array of variables");
    const parsed = body.map(parseVariable);
    const bad = parsed.find((entry) => typeof entry === "string");
    if (typeof bad === "string") return error(c, 400, bad);
    const created = parsed as { key: string; variable: Variable }[];
    const existing = created.find(({ key }) => env.has(key));
    if (existing) return error(c, 400, `environment variable ${existing.key} already exists`);
    for (const { key, variable } of created) env.set(key, variable);
    return c.json(
      created.map(({ key, variable }) => listed(key, variable)),
      201,
    );
  });
  api.put("/accounts/:accountId/env/:key", async (c) => {
    const { env, refused } = target(c);
    if (refused) return refused;
    const parsed = parseVariable(await c.req.json().catch(() => undefined));
    if (typeof parsed === "string") return error(c, 400, parsed);
    if (parsed.key !== c.req.param("key")) return error(c, 400, "key: does not match the path");
    if (!env.has(parsed.key)) return error(c, 404, `environment variable ${parsed.key} not found`);
    env.set(parsed.key, parsed.variable);
    return c.json(listed(parsed.key, parsed.variable));
  });
  api.patch("/accounts/:accountId/env/:key", async (c) => {
    const { env, refused } = target(c);
    if (refused) return refused;
    const key = c.req.param("key");
    const variable = env.get(key);
    if (!variable) return error(c, 404, `environment variable ${key} not found`);
    const body = ((await c.req.json().catch(() => undefined)) ?? {}) as Record<string, unknown>;
    if (typeof body.context !== "string" || typeof body.value !== "string") {
      return error(c, 400, "context and value are required");
    }
    const value: ApiValue = {
      context: body.context,
      value: body.value,
      ...(typeof body.context_parameter === "string" ? { context_parameter: body.context_parameter } : {}),
    };
    variable.values = [
      ...variable.values.filter(
        (old) => !(old.context === value.context && old.context_parameter === value.context_parameter),
      ),
      value,
    ];
    variable.updatedAt = new Date().toISOString();
    return c.json(listed(key, variable));
  });
  api.delete("/accounts/:accountId/env/:key", (c) => {
    const { env, refused } = target(c);
    if (refused) return refused;
    if (!env.delete(c.req.param("key")))
      return error(c, 404, `environment variable ${c.req.param("key")} not found`);
    return c.body(null, 204);
  });
  api.get("/sites/:siteId", (c) => {
    const site = sites.get(c.req.param("siteId"));
    if (!site) return error(c, 404, "Not Found");
    return c.json({
      id: site.id,
      site_id: site.id,
      account_id: site.accountId,
      name: site.name ?? site.id,
      url: site.url,
      ssl_url: site.url.startsWith("https:") ? site.url : "",
      build_settings: { env: {} },
      plugins: [],
    });
  });
  const builds = new Map<string, { id: string; branch?: string }[]>();
  api.post("/sites/:siteId/builds", async (c) => {
    const siteId = c.req.param("siteId");
    if (!sites.has(siteId)) return error(c, 404, "Not Found");
    const body = (await c.req.json().catch(() => ({}))) as { branch?: unknown };
    const build = {
      id: `build_${++counter}`,
      ...(typeof body.branch === "string" ? { branch: body.branch } : {}),
    };
    builds.set(siteId, [...(builds.get(siteId) ?? []), build]);
    return c.json({ id: build.id, deploy_id: `deploy_${counter}`, done: false });
  });
  app.route("/api/v1", api);

  // --- jigsaw (the extension API) ---
  const jigsaw = new Hono();
  jigsaw.use("*", async (c, next) => {
    if (c.req.header("netlify-token") !== options.token) return error(c, 401, "Unauthorized");
    await next();
  });
  const configurationRoutes = (path: string, idOf: (c: Context) => string | Response) => {
    jigsaw.get(path, (c) => {
      const id = idOf(c);
      if (id instanceof Response) return id;
      const stored = configurations.get(id);
      return stored ? c.json(stored) : error(c, 404, "configuration not found");
    });
    jigsaw.put(path, async (c) => {
      const id = idOf(c);
      if (id instanceof Response) return id;
      const body = (await c.req.json().catch(() => undefined)) as { config?: unknown } | undefined;
      if (typeof body?.config !== "object" || body.config === null)
        return error(c, 400, "config: must be an object");
      const now = new Date().toISOString();
      const previous = configurations.get(id);
      const stored = {
        id: previous?.id ?? `config_${++counter}`,
        config: body.config,
        createdAt: previous?.createdAt ?? now,
        updatedAt: now,
      };
      configurations.set(id, stored);
      return c.json(stored);
    });
    jigsaw.delete(path, (c) => {
      const id = idOf(c);
      if (id instanceof Response) return id;
      configurations.delete(id);
      return c.body(null, 204);
    });
  };
  configurationRoutes("/team/:teamId/integrations/:slug/configuration/site/:siteId", (c) => {
    const site = sites.get(c.req.param("siteId") ?? "");
    if (!site || site.accountId !== c.req.param("teamId")) return error(c, 404, "site not found");
    return `${c.req.param("slug")}/${site.accountId}/${site.id}`;
  });
  configurationRoutes("/team/:teamId/integrations/:slug/configuration/team", (c) => {
    const teamId = c.req.param("teamId") ?? "";
    if (!accounts.has(teamId)) return error(c, 404, "team not found");
    return `${c.req.param("slug")}/${teamId}`;
  });
  app.route("/jigsaw", jigsaw);
  app.notFound((c) =>
    error(
      c,
      404,
      `the Netlify API stand-in does not implement ${c.req.method} ${new URL(c.req.url).pathname}`,
    ),
  );

  let origin = "";
  const server: ServerType = await new Promise((resolve) => {
    const s = serve({ hostname: "127.0.0.1", port: options.port ?? 0, fetch: app.fetch }, (info) => {
      origin = `http://127.0.0.1:${info.port}`;
      resolve(s);
    });
  });

  return {
    builds: (siteId) => [...(builds.get(siteId) ?? [])],
    url: `${origin}/api/v1`,
    jigsawUrl: `${origin}/jigsaw`,
    env(accountId, siteId) {
      return Object.fromEntries(
        [...envOf(accountId, siteId)].map(([key, variable]) => [
          key,
          {
            value:
              (variable.values.find((value) => value.context === "all") ?? variable.values[0])?.value ?? "",
            isSecret: variable.isSecret,
            scopes: [...variable.scopes],
          },
        ]),
      );
    },
    siteConfiguration(teamId, siteId, slug) {
      const suffix = `/${teamId}/${siteId}`;
      const found = [...configurations].find(([id]) =>
        slug ? id === `${slug}${suffix}` : id.endsWith(suffix),
      );
      return found ? (structuredClone(found[1].config) as Record<string, unknown>) : undefined;
    },
    setEnv(accountId, siteId, key, variable) {
      envOf(accountId, siteId).set(key, {
        values: [{ context: "all", value: variable.value }],
        isSecret: variable.isSecret,
        scopes: variable.scopes,
        updatedAt: new Date().toISOString(),
      });
    },
    requests,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((closeError) => (closeError ? reject(closeError) : resolve()));
        (server as { closeAllConnections?: () => void }).closeAllConnections?.();
      }),
  };
}
