/**
 * The part of the Netlify SDK's context the configuration endpoints use (a structural subset of
 * `NetlifySDKContext` from `@netlify/sdk/ui/functions`, so tests and harnesses can hand in the
 * real one), and small helpers over the site's environment variables as the Netlify API lists them.
 */

export type EnvScope = "builds" | "functions" | "runtime" | "post-processing";

/** An environment variable as the Netlify API lists it; secret ones come without their values. */
export interface ListedVariable {
  key: string;
  values?: { value?: string; context: string }[];
  is_secret?: boolean;
}

export interface ExtensionClient {
  getEnvironmentVariables(args: { accountId: string; siteId?: string }): Promise<ListedVariable[]>;
  createOrUpdateVariables(args: {
    accountId: string;
    siteId?: string;
    variables: Record<string, string>;
    isSecret?: boolean;
    scopes?: EnvScope[];
  }): Promise<void>;
  deleteEnvironmentVariable(args: { accountId: string; siteId?: string; key: string }): Promise<unknown>;
  getSite(siteId: string): Promise<object>;
  redeploySite(args: { siteId: string }): Promise<object>;
  getSiteConfiguration(teamId: string, siteId: string): Promise<{ config: unknown } | null>;
  upsertSiteConfiguration(teamId: string, siteId: string, config: Record<string, unknown>): Promise<unknown>;
}

export interface ExtensionSdkContext {
  client: ExtensionClient;
  siteId: string | null;
  teamId: string | null;
  auth: { netlifyToken: string | null };
}

/** The context once the middleware has checked it. */
export interface SiteScope {
  client: ExtensionClient;
  siteId: string;
  teamId: string;
}

export type Environment = Map<string, ListedVariable>;

export async function readEnvironment({ client, siteId, teamId }: SiteScope): Promise<Environment> {
  const variables = await client.getEnvironmentVariables({ accountId: teamId, siteId });
  return new Map(variables.map((variable) => [variable.key, variable]));
}

/** The value for every deploy context, if the API returned one (it does not for secret variables). */
export function valueOf(env: Environment, key: string): string | undefined {
  const values = env.get(key)?.values ?? [];
  return (values.find((value) => value.context === "all") ?? values[0])?.value;
}

export const last4 = (value: string): string => value.slice(-4);

/** The site's public URL from `getSite` (`ssl_url`, else `url`), or null. */
export async function siteUrlOf({ client, siteId }: SiteScope): Promise<string | null> {
  const site: Record<string, unknown> = { ...(await client.getSite(siteId)) };
  const url = [site.ssl_url, site.url].find((value) => typeof value === "string" && value !== "");
  return typeof url === "string" ? url.replace(/\/+$/, "") : null;
}
