/**
 * What the configuration endpoints accept, as strict zod schemas whose issues name the field:
 * the Upstash credentials a site runs on and the engine defaults an owner may change. Anything
 * refused here has touched no state (neither the site's environment nor its configuration).
 */
import ms from "ms";
import { z } from "zod";

export const DEFAULT_QSTASH_URL = "https://qstash.upstash.io";
export const MAX_SECRET_LENGTH = 1000;
export const MAX_RETRIES_LIMIT = 100;

const required = (what: string) => (issue: { input: unknown }) =>
  issue.input === undefined ? "is required" : `must be ${what}`;

const secret = z
  .string({ error: required("a string") })
  .trim()
  .min(1, "must not be empty")
  .max(MAX_SECRET_LENGTH, `must be at most ${MAX_SECRET_LENGTH} characters`);

const httpUrl = z
  .string({ error: required("an http(s) URL") })
  .trim()
  .max(MAX_SECRET_LENGTH, `must be at most ${MAX_SECRET_LENGTH} characters`)
  .pipe(z.url({ protocol: /^https?$/, hostname: z.regexes.hostname, error: "must be an http(s) URL" }))
  // One spelling for one endpoint: requests append paths to it.
  .transform((url) => url.replace(/\/+$/, ""));

export const upstashCredentialsSchema = z.strictObject({
  redisRestUrl: httpUrl,
  redisRestToken: secret,
  qstashUrl: httpUrl.default(DEFAULT_QSTASH_URL),
  qstashToken: secret,
  qstashCurrentSigningKey: secret,
  qstashNextSigningKey: secret,
});

/** What a client sends (qstashUrl optional) … */
export type UpstashCredentialsInput = z.input<typeof upstashCredentialsSchema>;
/** … and what the endpoints work with (trimmed, qstashUrl defaulted). */
export type UpstashCredentials = z.output<typeof upstashCredentialsSchema>;
export type CredentialField = keyof UpstashCredentials;

/** A duration `ms` understands ("7 days", "12h", "90m"), positive. */
export const durationSchema = z
  .string({ error: required('a duration such as "7 days" or "12h"') })
  .trim()
  .max(100, "must be at most 100 characters")
  .refine((value) => parseDuration(value) !== undefined, {
    message: 'must be a positive duration such as "7 days", "12h" or "90m"',
  });

export function parseDuration(value: string): number | undefined {
  let parsed: number | undefined;
  try {
    parsed = ms(value as ms.StringValue);
  } catch {
    return undefined;
  }
  return typeof parsed === "number" && Number.isFinite(parsed) && parsed > 0 ? parsed : undefined;
}

export const defaultsSchema = z.strictObject({
  retentionCompleted: durationSchema,
  retentionDeadLettered: durationSchema,
  maxRetries: z
    .number({ error: required(`a whole number from 0 to ${MAX_RETRIES_LIMIT}`) })
    .int(`must be a whole number from 0 to ${MAX_RETRIES_LIMIT}`)
    .min(0, `must be a whole number from 0 to ${MAX_RETRIES_LIMIT}`)
    .max(MAX_RETRIES_LIMIT, `must be a whole number from 0 to ${MAX_RETRIES_LIMIT}`),
});

export type Defaults = z.output<typeof defaultsSchema>;
