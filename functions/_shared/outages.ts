/**
 * Outage switches for the demo's fake providers, to watch retries and dead letters happen.
 *
 * - `DEMO_OUTAGE=payment` (or `payment:unauthorized,email`) in the environment: from the start.
 * - `POST /api/outages {"provider":"payment","mode":"down"}` while the site runs (see api-outages.mts);
 *   stored in Redis so that every function instance sees it.
 *
 * Modes: `down` (the provider answers 503: the attempt fails and is retried with backoff) and
 * `unauthorized` (the provider refuses our credentials: retrying cannot help, so the run is
 * dead-lettered at once, to be retried with `awl events retry` once the key is fixed).
 */
import { Redis } from "@upstash/redis";

export const PROVIDERS = ["orders", "inventory", "payment", "email"] as const;
export type Provider = (typeof PROVIDERS)[number];
export const MODES = ["down", "unauthorized"] as const;
export type OutageMode = (typeof MODES)[number];

// Under the engine's key prefix, so that separate stacks sharing a Redis (tests) keep their own switches.
const switchKey = (provider: Provider) => `${process.env.AWL_PREFIX ?? "awl:"}demo:outage:${provider}`;

function redis(): Redis {
  return new Redis({
    url: process.env.UPSTASH_REDIS_REST_URL ?? "",
    token: process.env.UPSTASH_REDIS_REST_TOKEN ?? "",
    enableTelemetry: false,
  });
}

const isMode = (value: unknown): value is OutageMode => MODES.includes(value as OutageMode);

function fromEnvironment(provider: Provider): OutageMode | undefined {
  for (const entry of (process.env.DEMO_OUTAGE ?? "").split(",")) {
    const [name, mode = "down"] = entry.trim().split(":");
    if (name === provider && isMode(mode)) return mode;
  }
  return undefined;
}

export async function currentOutage(provider: Provider): Promise<OutageMode | undefined> {
  const switched = await redis().get<string>(switchKey(provider));
  return isMode(switched) ? switched : fromEnvironment(provider);
}

export async function setOutage(provider: Provider, mode: OutageMode | "up"): Promise<void> {
  if (mode === "up") await redis().del(switchKey(provider));
  // Expires by itself, so a forgotten switch does not break the demo for good.
  else await redis().set(switchKey(provider), mode, { ex: 3600 });
}
