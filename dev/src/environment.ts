/**
 * The variables a site needs to use awl dev's services through the official clients, from their
 * URLs: what `awl dev` prints and writes, and what `awl init` writes before awl dev has run.
 */
import { QSTASH_DEV_CREDENTIALS } from "./defaults.ts";

export interface DevEnvironmentUrls {
  redisRestUrl: string;
  redisRestToken: string;
  qstashUrl: string;
}

/** The variables a site needs to use awl dev's services through the official clients. */
export function devEnvironment(urls: DevEnvironmentUrls): Record<string, string> {
  return {
    UPSTASH_REDIS_REST_URL: urls.redisRestUrl,
    UPSTASH_REDIS_REST_TOKEN: urls.redisRestToken,
    QSTASH_URL: urls.qstashUrl,
    QSTASH_TOKEN: QSTASH_DEV_CREDENTIALS.token,
    QSTASH_CURRENT_SIGNING_KEY: QSTASH_DEV_CREDENTIALS.currentSigningKey,
    QSTASH_NEXT_SIGNING_KEY: QSTASH_DEV_CREDENTIALS.nextSigningKey,
  };
}
