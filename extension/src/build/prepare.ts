/**
 * The `onPreBuild` and `onPreDev` hook: discovers the site's workloads, checks them, and generates
 * the router (and the wrappers of Netlify-style workloads) into `.netlify/awl/functions/`,
 * registered with `utils.functions.generate` so that `netlify build` deploys them and
 * `netlify dev` serves them. Any problem fails the build with every file and reason at once.
 * It answers the functions whose built bundles `onPostBuild` checks (verify-bundles.ts), and the
 * workloads whose schedules are synced after the deploy (schedule-hook.ts).
 */
import { readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { GENERATED_FOLDER, NETLIFY_FUNCTIONS, ROUTER_FUNCTION } from "../paths.ts";
import { discoverWorkloads, mayDefineWorkload, type Problem } from "./discover.ts";
import { listFunctionFiles } from "./function-files.ts";
import { writeGeneratedFunctions } from "./generate.ts";
import { loadFunctionModules } from "./load-modules.ts";
import { planWorkloads, reservedNameProblems, type PlannedWorkload } from "./plan.ts";
import type { ExpectedFunction } from "./verify-bundles.ts";
import { clientVersionProblem } from "./versions.ts";

/** The part of Netlify's build plugin options this hook uses (paths are relative to the cwd). */
export interface BuildHookContext {
  constants: { FUNCTIONS_SRC?: string | undefined; INTERNAL_FUNCTIONS_SRC?: string | undefined };
  utils: {
    functions: { generate(path: string): void };
    build: { failBuild(message: string, options?: { error?: unknown }): void };
  };
}

export interface PreparedSite {
  /** The functions whose built bundles `onPostBuild` checks. */
  functions: ExpectedFunction[];
  /** The site's workloads, whose schedules are synced once the deploy succeeded. */
  workloads: PlannedWorkload[];
}

export async function prepareWorkloads({ constants, utils }: BuildHookContext): Promise<PreparedSite> {
  const siteDir = process.cwd();
  const versionProblem = clientVersionProblem(siteDir);
  if (versionProblem) {
    utils.build.failBuild(`Async Workloads: ${versionProblem}`);
    return { functions: [], workloads: [] };
  }
  // Beside Netlify's own .netlify/functions-internal, which follows the site's base and package path.
  const netlifyDir = constants.INTERNAL_FUNCTIONS_SRC
    ? dirname(resolve(constants.INTERNAL_FUNCTIONS_SRC))
    : resolve(".netlify");
  const outDir = join(netlifyDir, GENERATED_FOLDER);
  const functions = constants.FUNCTIONS_SRC ? listFunctionFiles(resolve(constants.FUNCTIONS_SRC)) : [];
  const candidates = functions.filter((fn) => mayDefineWorkload(readFileSync(fn.file, "utf8")));

  let loaded;
  try {
    loaded = await loadFunctionModules(candidates, join(outDir, "discovery"));
  } catch (error) {
    utils.build.failBuild(
      `Async Workloads could not bundle the site's functions to find its workloads:\n${(error as Error).message}`,
      { error },
    );
    return { functions: [], workloads: [] };
  }
  const discovered = discoverWorkloads(candidates, loaded);
  const { planned, problems } = planWorkloads(discovered.workloads);
  const allProblems = [...reservedNameProblems(functions), ...discovered.problems, ...problems];
  if (allProblems.length > 0) {
    utils.build.failBuild(formatProblems(allProblems, siteDir));
    return { functions: [], workloads: [] };
  }

  for (const path of writeGeneratedFunctions(planned, join(outDir, "functions")))
    utils.functions.generate(path);
  const list = planned.map((workload) => `${workload.name} (${relative(siteDir, workload.file)})`);
  console.log(
    `Async Workloads: ${planned.length} workload${planned.length === 1 ? "" : "s"}` +
      `${list.length ? `: ${list.join(", ")}` : ""}; generated the router at /.netlify/functions/awl-router`,
  );
  const expected: ExpectedFunction[] = [
    { name: ROUTER_FUNCTION, kind: "handler" },
    ...NETLIFY_FUNCTIONS.map((name): ExpectedFunction => ({ name, kind: "handler" })),
    ...planned.map((workload): ExpectedFunction => ({
      name: workload.functionName,
      kind: workload.wrapsModule ? "handler" : "workload",
    })),
  ];
  return { functions: expected, workloads: planned };
}

export function formatProblems(problems: readonly Problem[], siteDir: string): string {
  const lines = problems.map((problem) => `  - ${relative(siteDir, problem.file)}: ${problem.message}`);
  const count = problems.length === 1 ? "a problem" : `${problems.length} problems`;
  return `Async Workloads found ${count} in the site's workloads:\n${lines.join("\n")}`;
}
