/**
 * The browser's side of the extension's own endpoints (`/api/settings`, `/api/keys`): their wire
 * types, one call per endpoint, and `ExtensionApiError`, which carries the endpoint's `error` and
 * its issues keyed by field so a form can show each one under the field it names. Every call goes
 * through the fetch it is given: in the surface, the Netlify SDK's, which adds the headers the
 * endpoints authenticate the user and the site with.
 */

// The wire types are the endpoints' own (type-only imports: nothing of the server reaches the bundle).
import type { ApiKeyInfo, NewApiKey } from "../endpoints/api-keys.ts";
import type { ConnectionReport } from "../endpoints/connection-test.ts";
import type { Defaults, UpstashCredentialsInput as UpstashCredentials } from "../endpoints/schemas.ts";
import type { Settings } from "../endpoints/settings.ts";

export type { ApiKeyInfo, ConnectionReport, Defaults, Settings, UpstashCredentials };
export type { Check as ConnectionCheck } from "../endpoints/connection-test.ts";
export type { SecretInfo } from "../endpoints/settings.ts";
/** A key as created or rotated: the only response that ever holds the whole key. */
export type CreatedApiKey = NewApiKey;

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

interface ErrorBody {
  error?: unknown;
  issues?: unknown;
}

export class ExtensionApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** Issue messages by the first element of their path (the field). */
    readonly fieldErrors: Record<string, string>,
  ) {
    super(message);
    this.name = "ExtensionApiError";
  }
}

function fieldErrorsOf(issues: unknown): Record<string, string> {
  const errors: Record<string, string> = {};
  if (!Array.isArray(issues)) return errors;
  for (const issue of issues as { path?: unknown; message?: unknown }[]) {
    const field = Array.isArray(issue.path) ? issue.path[0] : undefined;
    if (typeof field === "string" && typeof issue.message === "string" && !(field in errors)) {
      errors[field] = issue.message;
    }
  }
  return errors;
}

export class ExtensionApi {
  constructor(private readonly fetch: FetchLike) {}

  getSettings = () => this.call<Settings>("GET", "/api/settings");
  testUpstash = (credentials: UpstashCredentials) =>
    this.call<ConnectionReport>("POST", "/api/settings/upstash/test", credentials);
  saveUpstash = (credentials: UpstashCredentials) =>
    this.call<Settings>("PUT", "/api/settings/upstash", credentials);
  saveDefaults = (defaults: Defaults) => this.call<Settings>("PUT", "/api/settings/defaults", defaults);
  createKey = () => this.call<CreatedApiKey>("POST", "/api/keys");
  rotateKey = (id: string) => this.call<CreatedApiKey>("POST", `/api/keys/${encodeURIComponent(id)}/rotate`);
  revokeKey = (id: string) => this.call<{ revoked: string }>("DELETE", `/api/keys/${encodeURIComponent(id)}`);
  redeploy = () => this.call<{ buildId: string | null }>("POST", "/api/redeploy");

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await this.fetch(path, {
        method,
        ...(body === undefined
          ? {}
          : { headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
      });
    } catch (error) {
      throw new ExtensionApiError(`The extension could not be reached: ${String(error)}`, 0, {});
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (response.ok) return parsed as T;
    const { error, issues } = (parsed ?? {}) as ErrorBody;
    const message =
      typeof error === "string" && error
        ? error
        : `The extension answered ${response.status} ${response.statusText}`;
    throw new ExtensionApiError(message, response.status, fieldErrorsOf(issues));
  }
}

/** A message for any thrown value, for an Alert. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
