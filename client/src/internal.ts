/**
 * `@awl/client/internal`: what the extension and the CLI need from the engine beyond the public API,
 * in one explicit entry so that no package reaches into another's files. Not for sites: anything
 * here may change in any release, and the extension checks at build time that it was built for the
 * site's `@awl/client` (see extension/src/build/versions.ts).
 */
export { ApiError, check, readJson } from "./api/input.ts";
export { apiKeysFromEnv, generateApiKey, parseApiKeys } from "./api/auth.ts";
export { OPERATIONS_WORKLOAD } from "./engine/internal-events.ts";
export { DEFAULT_MAX_RETRIES, DEFAULT_SETTINGS } from "./engine/settings.ts";
export { defineWorkload, WORKLOAD_NAME_PATTERN, type WorkloadOptions } from "./workload/definition.ts";
export { toDurationMs } from "./engine/durations.ts";
export { CronError, nextFiring, parseCron, type CronSchedule } from "./engine/cron.ts";
export { CLIENT_VERSION } from "./version.ts";
