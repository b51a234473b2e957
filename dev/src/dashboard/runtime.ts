/**
 * The engine runtime the local dashboard reads and acts through: the official `@upstash/redis` and
 * `@upstash/qstash` clients pointed at this `awl dev`'s own Redis REST and QStash servers, exactly as
 * a site's functions use them (invariant 5). The key prefix and router URL come from the shell like
 * a site's (`AWL_PREFIX`, `AWL_ROUTER_URL` or `URL`), defaulting to `netlify dev`'s router.
 */
import { runtimeFromEnv, type Runtime } from "@awl/client";

export const DEFAULT_LOCAL_ROUTER_URL = "http://localhost:8888/.netlify/functions/awl-router";

export function localRuntime(
  stackEnv: Record<string, string>,
  shellEnv: Record<string, string | undefined> = process.env,
): Runtime {
  const passThrough = Object.fromEntries(
    ["AWL_PREFIX", "AWL_ROUTER_URL", "URL", "AWL_RETENTION_COMPLETED", "AWL_RETENTION_DEAD_LETTERED"]
      .map((name) => [name, shellEnv[name]] as const)
      .filter((entry): entry is readonly [string, string] => Boolean(entry[1])),
  );
  return runtimeFromEnv({
    ...passThrough,
    ...stackEnv,
    // Retries publish to each run's stored URL; the router URL only matters for sending, which the
    // dashboard does not do, but the runtime needs one.
    ...(passThrough.AWL_ROUTER_URL || passThrough.URL ? {} : { AWL_ROUTER_URL: DEFAULT_LOCAL_ROUTER_URL }),
  });
}
