/**
 * The site's Async Workloads settings as the configuration UI sees them, and their writes. Values
 * live in the site's environment variables (the functions read them there); secrets are written as
 * secret variables, whose values the Netlify API never returns, so only their last four characters
 * are kept, in the extension's site configuration record (merged with what onInstall records there).
 */
import ms from "ms";
import { DEFAULT_MAX_RETRIES, DEFAULT_SETTINGS } from "@awl/client/internal";
import { API_KEY_VARIABLE, UPSTASH_VARIABLES } from "../install/on-install.ts";
import { listApiKeys, type ApiKeyInfo } from "./api-keys.ts";
import {
  last4,
  readEnvironment,
  siteUrlOf,
  valueOf,
  type Environment,
  type EnvScope,
  type SiteScope,
} from "./netlify.ts";
import { DEFAULT_QSTASH_URL, type Defaults, type UpstashCredentials } from "./schemas.ts";

export const SECRET_VARIABLES = {
  redisRestToken: "UPSTASH_REDIS_REST_TOKEN",
  qstashToken: "QSTASH_TOKEN",
  qstashCurrentSigningKey: "QSTASH_CURRENT_SIGNING_KEY",
  qstashNextSigningKey: "QSTASH_NEXT_SIGNING_KEY",
} as const;
export type SecretName = keyof typeof SECRET_VARIABLES;
export const REDIS_URL_VARIABLE = "UPSTASH_REDIS_REST_URL";
export const QSTASH_URL_VARIABLE = "QSTASH_URL";
export const DEFAULTS_VARIABLES = {
  retentionCompleted: "AWL_RETENTION_COMPLETED",
  retentionDeadLettered: "AWL_RETENTION_DEAD_LETTERED",
  maxRetries: "AWL_MAX_RETRIES",
} as const;
/** Only the site's functions read these; builds do not. */
const SCOPES: EnvScope[] = ["functions"];

export interface SecretInfo {
  set: boolean;
  last4: string | null;
}

export interface Settings {
  siteUrl: string | null;
  upstash: {
    redisRestUrl: string | null;
    qstashUrl: string | null;
    secrets: Record<SecretName, SecretInfo>;
  };
  defaults: { retentionCompleted: string; retentionDeadLettered: string; maxRetries: number };
  apiKeys: ApiKeyInfo[];
}

/** What this extension keeps in its site configuration: onInstall's record, plus the last4s. */
export interface SiteRecord extends Record<string, unknown> {
  apiKeyVariable?: string;
  upstash?: {
    configured: boolean;
    missing: string[];
    redisRestUrl?: string;
    qstashUrl?: string;
    last4?: Partial<Record<SecretName, string>>;
    verifiedAt?: string;
  };
}

export const DEFAULTS: Settings["defaults"] = {
  retentionCompleted: ms(DEFAULT_SETTINGS.completedRetentionMs, { long: true }),
  retentionDeadLettered: ms(DEFAULT_SETTINGS.deadLetteredRetentionMs, { long: true }),
  maxRetries: DEFAULT_MAX_RETRIES,
};

async function readRecord({ client, teamId, siteId }: SiteScope): Promise<SiteRecord> {
  const response = await client.getSiteConfiguration(teamId, siteId);
  const config = response?.config;
  return typeof config === "object" && config !== null && !Array.isArray(config) ? { ...config } : {};
}

export async function readSettings(scope: SiteScope): Promise<Settings> {
  const [env, record, siteUrl] = await Promise.all([
    readEnvironment(scope),
    readRecord(scope),
    siteUrlOf(scope),
  ]);
  return settingsFrom(env, record, siteUrl);
}

export function settingsFrom(env: Environment, record: SiteRecord, siteUrl: string | null): Settings {
  const secret = (name: SecretName): SecretInfo => {
    if (!env.has(SECRET_VARIABLES[name])) return { set: false, last4: null };
    // A variable set outside the extension (not secret) is readable; a secret one only has its record.
    const readable = valueOf(env, SECRET_VARIABLES[name]);
    return { set: true, last4: readable ? last4(readable) : (record.upstash?.last4?.[name] ?? null) };
  };
  const qstashConfigured = env.has(SECRET_VARIABLES.qstashToken);
  const maxRetries = Number(valueOf(env, DEFAULTS_VARIABLES.maxRetries));
  return {
    siteUrl,
    upstash: {
      redisRestUrl: valueOf(env, REDIS_URL_VARIABLE) ?? null,
      qstashUrl:
        valueOf(env, QSTASH_URL_VARIABLE) ??
        (qstashConfigured ? (record.upstash?.qstashUrl ?? DEFAULT_QSTASH_URL) : null),
      secrets: {
        redisRestToken: secret("redisRestToken"),
        qstashToken: secret("qstashToken"),
        qstashCurrentSigningKey: secret("qstashCurrentSigningKey"),
        qstashNextSigningKey: secret("qstashNextSigningKey"),
      },
    },
    defaults: {
      retentionCompleted: valueOf(env, DEFAULTS_VARIABLES.retentionCompleted) || DEFAULTS.retentionCompleted,
      retentionDeadLettered:
        valueOf(env, DEFAULTS_VARIABLES.retentionDeadLettered) || DEFAULTS.retentionDeadLettered,
      maxRetries:
        Number.isInteger(maxRetries) && env.has(DEFAULTS_VARIABLES.maxRetries)
          ? maxRetries
          : DEFAULTS.maxRetries,
    },
    apiKeys: listApiKeys(valueOf(env, API_KEY_VARIABLE)),
  };
}

/** Stores credentials that passed the connection test, and records their last4s. */
export async function writeUpstash(
  scope: SiteScope,
  credentials: UpstashCredentials,
  verifiedAt: string,
): Promise<Settings> {
  const { client, teamId, siteId } = scope;
  const target = { accountId: teamId, siteId };
  await client.createOrUpdateVariables({
    ...target,
    variables: Object.fromEntries(
      Object.entries(SECRET_VARIABLES).map(([name, key]) => [key, credentials[name as SecretName]]),
    ),
    isSecret: true,
    scopes: SCOPES,
  });
  const custom = credentials.qstashUrl !== DEFAULT_QSTASH_URL;
  await client.createOrUpdateVariables({
    ...target,
    variables: {
      [REDIS_URL_VARIABLE]: credentials.redisRestUrl,
      ...(custom ? { [QSTASH_URL_VARIABLE]: credentials.qstashUrl } : {}),
    },
    isSecret: false,
    scopes: SCOPES,
  });
  const env = await readEnvironment(scope);
  if (!custom && env.has(QSTASH_URL_VARIABLE)) {
    await client.deleteEnvironmentVariable({ ...target, key: QSTASH_URL_VARIABLE });
    env.delete(QSTASH_URL_VARIABLE);
  }
  const record = await readRecord(scope);
  const missing = UPSTASH_VARIABLES.filter((name) => !env.has(name));
  const updated: SiteRecord = {
    ...record,
    apiKeyVariable: API_KEY_VARIABLE,
    upstash: {
      configured: missing.length === 0,
      missing,
      redisRestUrl: credentials.redisRestUrl,
      qstashUrl: credentials.qstashUrl,
      last4: {
        redisRestToken: last4(credentials.redisRestToken),
        qstashToken: last4(credentials.qstashToken),
        qstashCurrentSigningKey: last4(credentials.qstashCurrentSigningKey),
        qstashNextSigningKey: last4(credentials.qstashNextSigningKey),
      },
      verifiedAt,
    },
  };
  await client.upsertSiteConfiguration(teamId, siteId, updated);
  return settingsFrom(env, updated, await siteUrlOf(scope));
}

export async function writeDefaults(scope: SiteScope, defaults: Defaults): Promise<Settings> {
  await scope.client.createOrUpdateVariables({
    accountId: scope.teamId,
    siteId: scope.siteId,
    variables: {
      [DEFAULTS_VARIABLES.retentionCompleted]: defaults.retentionCompleted,
      [DEFAULTS_VARIABLES.retentionDeadLettered]: defaults.retentionDeadLettered,
      [DEFAULTS_VARIABLES.maxRetries]: String(defaults.maxRetries),
    },
    isSecret: false,
    scopes: SCOPES,
  });
  return readSettings(scope);
}
