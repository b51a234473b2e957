/**
 * The light entry point of @awl/dev (`@awl/dev/env`): where awl dev listens by default, the
 * credentials it accepts, the environment a site needs to use it, and writing that environment to
 * a dotenv file. Importing it loads no server, so commands that only need these values (awl init)
 * stay fast.
 */
export {
  DEFAULT_DASHBOARD_PORT,
  DEFAULT_QSTASH_PORT,
  DEFAULT_REDIS_REST_PORT,
  DEFAULT_REDIS_REST_TOKEN,
  QSTASH_DEV_CREDENTIALS,
} from "./defaults.ts";
export { devEnvironment, type DevEnvironmentUrls } from "./environment.ts";
export { formatEnv, mergeEnvFile } from "./env-file.ts";
export {
  TIMER_GRANULARITIES,
  isTimerGranularity,
  type TimerGranularity,
} from "./qstash/timer-granularity.ts";
export type { ModeledLatency } from "./modeled-latency.ts";
