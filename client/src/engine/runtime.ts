/**
 * Wires the engine to its services: an EngineStore on Upstash Redis, a QStash publisher and a
 * signature verifier. Inside a site these come from the environment (`runtimeFromEnv`, cached per
 * process); tests and hosts may build one explicitly with `createRuntime`.
 */
import type { Client } from "@upstash/qstash";
import type { Redis } from "@upstash/redis";
import { qstashPublisher, type Publisher } from "../transport/publish.ts";
import { engineQStash } from "../transport/qstash-requester.ts";
import { engineRedis } from "../transport/redis-requester.ts";
import { qstashVerifier, type Verifier } from "../transport/verify.ts";
import { DEFAULT_SETTINGS, type EngineSettings } from "./settings.ts";
import { EngineStore } from "./store/index.ts";
import ms from "ms";

export const DEFAULT_PREFIX = "awl:";
/** Where the extension serves the router inside a site. */
export const ROUTER_PATH = "/.netlify/functions/awl-router";

export interface Runtime {
  store: EngineStore;
  publisher: Publisher;
  verifier: Verifier;
  /** The URL events are published to for routing. */
  routerUrl: string;
  now: () => number;
  log: (line: string) => void;
}

export interface RuntimeOptions {
  redis: Redis;
  qstash: Client;
  signingKeys: { currentSigningKey: string; nextSigningKey: string };
  routerUrl: string;
  prefix?: string;
  settings?: Partial<EngineSettings>;
  now?: () => number;
  log?: (line: string) => void;
}

export function createRuntime(options: RuntimeOptions): Runtime {
  return {
    store: new EngineStore(options.redis, options.prefix ?? DEFAULT_PREFIX, {
      ...DEFAULT_SETTINGS,
      ...options.settings,
    }),
    publisher: qstashPublisher(options.qstash),
    verifier: qstashVerifier(options.signingKeys),
    routerUrl: options.routerUrl,
    now: options.now ?? Date.now,
    log: options.log ?? ((line) => console.log(line)),
  };
}

/** Thrown when the site lacks the Upstash environment; names every missing variable. */
export class MissingEnvironmentError extends Error {
  constructor(readonly missing: string[]) {
    super(
      `Async Workloads is not configured: set ${missing.join(", ")} in the site's environment ` +
        `(Upstash Redis REST credentials and QStash credentials; \`awl dev\` prints local values).`,
    );
    this.name = "MissingEnvironmentError";
  }
}

type Env = Record<string, string | undefined>;

const isQStashDevMode = (env: Env) => env.QSTASH_DEV === "true" || env.QSTASH_DEV === "1";

export function missingEnvironment(env: Env = process.env): string[] {
  const required = ["UPSTASH_REDIS_REST_URL", "UPSTASH_REDIS_REST_TOKEN"];
  if (!isQStashDevMode(env)) {
    required.push("QSTASH_TOKEN", "QSTASH_CURRENT_SIGNING_KEY", "QSTASH_NEXT_SIGNING_KEY");
  }
  if (!env.AWL_ROUTER_URL && !env.URL) required.push("URL (or AWL_ROUTER_URL)");
  return required.filter((name) => !env[name]);
}

let cached: { env: Env; runtime: Runtime } | undefined;

export function runtimeFromEnv(env: Env = process.env): Runtime {
  if (cached?.env === env) return cached.runtime;
  const missing = missingEnvironment(env);
  if (missing.length) throw new MissingEnvironmentError(missing);
  const durationSetting = (name: string): number | undefined => {
    const value = env[name];
    if (!value) return undefined;
    const parsed = /^\d+$/.test(value) ? Number(value) : ms(value as ms.StringValue);
    if (typeof parsed !== "number" || !Number.isFinite(parsed) || parsed <= 0) {
      throw new Error(`${name}: "${value}" is not a duration (e.g. "7 days" or milliseconds)`);
    }
    return parsed;
  };
  const settings: Partial<EngineSettings> = {};
  const completed = durationSetting("AWL_RETENTION_COMPLETED");
  const deadLettered = durationSetting("AWL_RETENTION_DEAD_LETTERED");
  const leaseMargin = durationSetting("AWL_LEASE_MARGIN");
  if (completed) settings.completedRetentionMs = completed;
  if (deadLettered) settings.deadLetteredRetentionMs = deadLettered;
  if (leaseMargin) settings.leaseMarginMs = leaseMargin;
  const runtime = createRuntime({
    // The official clients over keep-alive node:http instead of fetch (transport/*-requester.ts).
    redis: engineRedis({ url: env.UPSTASH_REDIS_REST_URL!, token: env.UPSTASH_REDIS_REST_TOKEN! }),
    qstash: engineQStash({
      baseUrl: env.QSTASH_URL,
      token: env.QSTASH_TOKEN,
      resolvesItself: isQStashDevMode(env) || Boolean(env.QSTASH_REGION),
    }),
    // In QStash dev mode the official Receiver verifies with its own dev keys whatever is passed here.
    signingKeys: {
      currentSigningKey: env.QSTASH_CURRENT_SIGNING_KEY ?? "",
      nextSigningKey: env.QSTASH_NEXT_SIGNING_KEY ?? "",
    },
    routerUrl: env.AWL_ROUTER_URL ?? new URL(ROUTER_PATH, env.URL).toString(),
    prefix: env.AWL_PREFIX ?? DEFAULT_PREFIX,
    settings,
  });
  cached = { env, runtime };
  return runtime;
}
