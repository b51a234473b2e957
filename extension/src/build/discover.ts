/**
 * Finds the workloads among a site's function modules: a module whose default export is an
 * `asyncWorkload`, or a Netlify-style module (`asyncWorkloadFn` plus `asyncWorkloadConfig`), which
 * `workloadFromModule` combines. Anything else is an ordinary function and is left alone.
 */
import { isAsyncWorkload, workloadFromModule } from "@awl/client";
import type { WorkloadDefinition } from "@awl/client";
import type { FunctionFile } from "./function-files.ts";
import type { LoadResult } from "./load-modules.ts";

export interface DiscoveredWorkload {
  /** The site function that defines it. */
  functionName: string;
  file: string;
  /** `asyncWorkloadFn` modules need a generated wrapper to be served with their config. */
  style: "asyncWorkload" | "asyncWorkloadFn";
  definition: WorkloadDefinition;
}

export interface Problem {
  file: string;
  message: string;
}

/** Only modules that mention the API are imported at build time: other functions are never run. */
export function mayDefineWorkload(source: string): boolean {
  return /asyncWorkload|@awl\/client/.test(source);
}

export function discoverWorkloads(
  functions: readonly FunctionFile[],
  loaded: ReadonlyMap<string, LoadResult>,
): { workloads: DiscoveredWorkload[]; problems: Problem[] } {
  const workloads: DiscoveredWorkload[] = [];
  const problems: Problem[] = [];
  for (const fn of functions) {
    const result = loaded.get(fn.name);
    if (!result) continue;
    if ("error" in result) {
      problems.push({ file: fn.file, message: result.error });
      continue;
    }
    try {
      const workload = workloadFromModule(result.module);
      if (!workload) continue;
      workloads.push({
        functionName: fn.name,
        file: fn.file,
        style: isAsyncWorkload(result.module.default) ? "asyncWorkload" : "asyncWorkloadFn",
        definition: workload.awlWorkload.definition,
      });
    } catch (error) {
      problems.push({ file: fn.file, message: (error as Error).message });
    }
  }
  return { workloads, problems };
}
