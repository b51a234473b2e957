/**
 * The Netlify extension of Async Workloads on Upstash (Netlify SDK v5). In a site it:
 * - injects the events API (`/awl/api/*`) and the scheduled reconciler (src/functions);
 * - discovers the site's workloads before every build and dev start, checks them (and that the
 *   site's `@awl/client` fits this extension), and generates the router
 *   (`/.netlify/functions/awl-router`) that starts them;
 * - after a build, checks that each bundled workload and the router still hold their handler;
 * - after a production deploy (and at `netlify dev` start), syncs the QStash schedules of the
 *   workloads' cron triggers;
 * - on install, creates the site's API key and records the Upstash credentials still needed.
 */
import { NetlifyExtension } from "@netlify/sdk";
import { prepareWorkloads, type BuildHookContext } from "./build/prepare.ts";
import type { PlannedWorkload } from "./build/plan.ts";
import { syncSiteSchedules } from "./build/schedule-hook.ts";
import {
  builtFunctionProblems,
  formatBuiltFunctionProblems,
  type ExpectedFunction,
} from "./build/verify-bundles.ts";
import { onInstall } from "./install/on-install.ts";
import { FUNCTION_PREFIX } from "./paths.ts";

export const extension = new NetlifyExtension();

// The SDK types a hook's options as @netlify/build's plugin options, a package it does not install
// beside itself (netlify-cli keeps its own copy), so they arrive untyped: BuildHookContext is the
// part of them the hook uses.
let builtFunctions: ExpectedFunction[] = [];
let siteWorkloads: PlannedWorkload[] | undefined;
const prepare = async (options: object) => {
  ({ functions: builtFunctions, workloads: siteWorkloads } = await prepareWorkloads(
    options as BuildHookContext,
  ));
};

// `netlify dev`: the schedules point at the local router, through the QStash the site uses locally.
const prepareDev = async (options: object) => {
  await prepare(options);
  if (siteWorkloads) await syncSiteSchedules(siteWorkloads);
};

// Only production's deploy owns the schedules; a deploy preview must not point them at itself.
const syncAfterDeploy = async () => {
  if (process.env.CONTEXT !== "production" || !siteWorkloads) return;
  await syncSiteSchedules(siteWorkloads);
};

/** The part of the post-build options the bundle check uses. */
interface PostBuildContext {
  constants: { FUNCTIONS_DIST?: string | undefined };
  utils: BuildHookContext["utils"];
}

// The build plugin runs in one process for the whole build, so onPreBuild's list is still here.
const verifyBundles = async (options: object) => {
  const { constants, utils } = options as PostBuildContext;
  if (!constants.FUNCTIONS_DIST || builtFunctions.length === 0) return;
  const problems = await builtFunctionProblems(constants.FUNCTIONS_DIST, builtFunctions);
  if (problems.length > 0) utils.build.failBuild(formatBuiltFunctionProblems(problems));
};

extension.addFunctions("src/functions", { prefix: FUNCTION_PREFIX });
extension.addBuildEventHandler("onPreBuild", prepare);
extension.addBuildEventHandler("onPreDev", prepareDev);
extension.addBuildEventHandler("onPostBuild", verifyBundles);
extension.addBuildEventHandler("onSuccess", syncAfterDeploy);
extension.onInstall(onInstall);
