/**
 * The site's events API keys, kept in `AWL_API_KEY` as a comma-separated list (the events API
 * accepts any of them). The variable stays readable (not secret), as onInstall creates it, so that
 * `netlify env:get` hands a key to the CLI and so that keys can be listed here. A key is shown
 * whole once, when created; afterwards it is named by its id (the first 12 hex characters of its
 * SHA-256, stable and revealing nothing) and its last four characters. Every change is one write.
 */
import { createHash } from "node:crypto";
import { ApiError, parseApiKeys } from "@awl/client/internal";
import { API_KEY_VARIABLE, newApiKey } from "../install/on-install.ts";
import { last4, readEnvironment, valueOf, type SiteScope } from "./netlify.ts";

export interface ApiKeyInfo {
  id: string;
  last4: string;
}
export interface NewApiKey extends ApiKeyInfo {
  /** The whole key: shown once. */
  key: string;
}

export const keyId = (key: string): string =>
  createHash("sha256").update(key, "utf8").digest("hex").slice(0, 12);

export const listApiKeys = (value: string | undefined): ApiKeyInfo[] =>
  parseApiKeys(value).map((key) => ({ id: keyId(key), last4: last4(key) }));

export async function readApiKeys(scope: SiteScope): Promise<string[]> {
  return parseApiKeys(valueOf(await readEnvironment(scope), API_KEY_VARIABLE));
}

async function writeApiKeys({ client, teamId, siteId }: SiteScope, keys: string[]): Promise<void> {
  await client.createOrUpdateVariables({
    accountId: teamId,
    siteId,
    variables: { [API_KEY_VARIABLE]: keys.join(",") },
    isSecret: false,
    scopes: ["functions"],
  });
}

const described = (key: string): NewApiKey => ({ key, id: keyId(key), last4: last4(key) });

export async function createApiKey(scope: SiteScope): Promise<NewApiKey> {
  const key = newApiKey();
  await writeApiKeys(scope, [...(await readApiKeys(scope)), key]);
  return described(key);
}

function indexOf(keys: string[], id: string): number {
  const index = keys.findIndex((key) => keyId(key) === id);
  if (index === -1) throw new ApiError(404, `no API key with id ${id}`);
  return index;
}

/** Replaces the key in place: the old one stops working with the same write that adds the new one. */
export async function rotateApiKey(scope: SiteScope, id: string): Promise<NewApiKey> {
  const keys = await readApiKeys(scope);
  const key = newApiKey();
  keys[indexOf(keys, id)] = key;
  await writeApiKeys(scope, keys);
  return described(key);
}

export async function revokeApiKey(scope: SiteScope, id: string): Promise<{ revoked: string }> {
  const keys = await readApiKeys(scope);
  const index = indexOf(keys, id);
  if (keys.length === 1) {
    throw new ApiError(409, "create another key first: the dashboard and the CLI need one");
  }
  await writeApiKeys(
    scope,
    keys.filter((_, at) => at !== index),
  );
  return { revoked: id };
}
