/**
 * `onInstall`: prepares a site (or, for a team-wide install, the team) for Async Workloads. It
 * creates the events API key `AWL_API_KEY` unless one exists (an existing value, possibly several
 * comma-separated keys during a rotation, is kept), and records in the extension's configuration
 * which Upstash variables are still missing, so that the site's owner knows what to set. The
 * injected functions name the same missing variables in their error responses until they are set.
 */
import { randomBytes } from "node:crypto";

export const API_KEY_VARIABLE = "AWL_API_KEY";
/** What the site needs from Upstash; Netlify provides `URL` itself. */
export const UPSTASH_VARIABLES = [
  "UPSTASH_REDIS_REST_URL",
  "UPSTASH_REDIS_REST_TOKEN",
  "QSTASH_TOKEN",
  "QSTASH_CURRENT_SIGNING_KEY",
  "QSTASH_NEXT_SIGNING_KEY",
] as const;

/** The part of the SDK's extension client this handler uses. */
export interface InstallClient {
  getEnvironmentVariables(args: { accountId: string; siteId?: string }): Promise<{ key: string }[]>;
  createOrUpdateVariable(args: {
    accountId: string;
    siteId?: string;
    key: string;
    value: string;
    isSecret?: boolean;
    scopes?: ("builds" | "functions" | "runtime" | "post-processing")[];
  }): Promise<void>;
  upsertSiteConfiguration(teamId: string, siteId: string, config: InstallationRecord): Promise<unknown>;
  upsertTeamConfiguration(teamId: string, config: InstallationRecord): Promise<unknown>;
}

export interface InstallationRecord extends Record<string, unknown> {
  apiKeyVariable: typeof API_KEY_VARIABLE;
  upstash: { configured: boolean; missing: string[] };
}

export interface InstallContext {
  client: InstallClient;
  siteId: string | null;
  teamId: string | null;
}

export interface InstallResponse {
  statusCode: number;
  body: string;
}

export const newApiKey = (): string => `awl_${randomBytes(32).toString("base64url")}`;

export async function onInstall(
  _event: unknown,
  { client, siteId, teamId }: InstallContext,
): Promise<InstallResponse> {
  if (!teamId) return { statusCode: 400, body: JSON.stringify({ error: "teamId is required" }) };
  const scope = { accountId: teamId, ...(siteId ? { siteId } : {}) };
  const present = new Set((await client.getEnvironmentVariables(scope)).map((variable) => variable.key));
  const apiKey = present.has(API_KEY_VARIABLE) ? "kept" : "created";
  if (apiKey === "created") {
    // Readable (not secret) so that `netlify env:get AWL_API_KEY` hands it to the CLI; only
    // functions see it at run time.
    await client.createOrUpdateVariable({
      ...scope,
      key: API_KEY_VARIABLE,
      value: newApiKey(),
      isSecret: false,
      scopes: ["functions"],
    });
  }
  const missing = UPSTASH_VARIABLES.filter((name) => !present.has(name));
  const record: InstallationRecord = {
    apiKeyVariable: API_KEY_VARIABLE,
    upstash: { configured: missing.length === 0, missing },
  };
  if (siteId) await client.upsertSiteConfiguration(teamId, siteId, record);
  else await client.upsertTeamConfiguration(teamId, record);
  return { statusCode: 200, body: JSON.stringify({ apiKey, missing }) };
}
