/**
 * Checks the discovered workloads together and decides how the router reaches each one. Every
 * problem names the file it comes from, so that the build fails with something to fix rather than
 * a router that silently skips a workload at the first event.
 */
import type { CronSchedule } from "@awl/client";
import { OPERATIONS_WORKLOAD, toDurationMs, WORKLOAD_NAME_PATTERN } from "@awl/client/internal";
import { FUNCTION_PREFIX, NETLIFY_FUNCTIONS, ROUTER_FUNCTION, WRAPPER_FUNCTION_PREFIX } from "../paths.ts";
import type { DiscoveredWorkload, Problem } from "./discover.ts";
import type { FunctionFile } from "./function-files.ts";

export interface PlannedWorkload {
  /** The workload's name (config.name, else its function's name): unique in the site. */
  name: string;
  file: string;
  /** The function QStash delivers its runs to: its own, or a generated wrapper. */
  functionName: string;
  /** Set for `asyncWorkloadFn` modules: the wrapper serves the module with its config. */
  wrapsModule: boolean;
  /** Where the router publishes its runs, relative to the site. */
  url: string;
  /** Its cron trigger, synced to a QStash schedule after a deploy (schedule-hook.ts). */
  schedule?: CronSchedule;
}

const INJECTED_FUNCTIONS = [
  ROUTER_FUNCTION,
  `${FUNCTION_PREFIX}_api`,
  `${FUNCTION_PREFIX}_reconcile`,
  ...NETLIFY_FUNCTIONS,
];

/** Site functions whose names would shadow what the extension injects. */
export function reservedNameProblems(functions: readonly FunctionFile[]): Problem[] {
  return functions
    .filter((fn) => INJECTED_FUNCTIONS.includes(fn.name) || fn.name.startsWith(WRAPPER_FUNCTION_PREFIX))
    .map((fn) => ({
      file: fn.file,
      message: `the function name "${fn.name}" is reserved for the functions Async Workloads adds to the site: rename the file`,
    }));
}

export function planWorkloads(workloads: readonly DiscoveredWorkload[]): {
  planned: PlannedWorkload[];
  problems: Problem[];
} {
  const problems: Problem[] = [];
  const planned: PlannedWorkload[] = [];
  const byName = new Map<string, PlannedWorkload>();
  for (const workload of workloads) {
    const { definition, file } = workload;
    const name = definition.name ?? workload.functionName;
    if (!WORKLOAD_NAME_PATTERN.test(name)) {
      problems.push({
        file,
        message: `the function name "${name}" is not a valid workload name (letters, digits, _ and -, at most 64): set config.name`,
      });
      continue;
    }
    if (name.toLowerCase() === OPERATIONS_WORKLOAD) {
      problems.push({
        file,
        message: `the workload name "${name}" is reserved for the engine's internal events`,
      });
      continue;
    }
    const duplicate = byName.get(name.toLowerCase());
    if (duplicate) {
      problems.push({
        file,
        message: `duplicate workload name "${name}": ${duplicate.file} uses it too (names must be unique, ignoring case; set config.name)`,
      });
      continue;
    }
    const backoffProblem = checkBackoff(workload);
    if (backoffProblem) {
      problems.push({ file, message: backoffProblem });
      continue;
    }
    const wrapsModule = workload.style === "asyncWorkloadFn";
    const functionName = wrapsModule
      ? `${WRAPPER_FUNCTION_PREFIX}${workload.functionName}`
      : workload.functionName;
    const entry: PlannedWorkload = {
      name,
      file,
      functionName,
      wrapsModule,
      url: `/.netlify/functions/${functionName}`,
      ...(definition.schedule ? { schedule: definition.schedule } : {}),
    };
    byName.set(name.toLowerCase(), entry);
    planned.push(entry);
  }
  return { planned, problems };
}

/** Calls the schedule for every retry the workload can make: each must give a duration. */
function checkBackoff({ definition }: DiscoveredWorkload): string | undefined {
  const schedule = definition.backoffSchedule;
  if (!schedule) return undefined;
  for (let attempt = 1; attempt <= definition.maxRetries; attempt++) {
    let delay: unknown;
    try {
      delay = schedule(attempt);
    } catch (error) {
      return `config.backoffSchedule threw for the retry after failed attempt ${attempt}: ${(error as Error).message}`;
    }
    try {
      toDurationMs(delay as number | string, "backoffSchedule");
    } catch {
      return (
        `config.backoffSchedule returned ${JSON.stringify(delay) ?? String(delay)} for the retry after failed ` +
        `attempt ${attempt}: not a duration (milliseconds, or e.g. "10s", "5m")`
      );
    }
  }
  return undefined;
}
