/**
 * The Netlify extension of Async Workloads on Upstash (Netlify SDK v5). In a site it:
 * - injects the events API (`/awl/api/*`) and the scheduled reconciler (src/functions);
 * - discovers the site's workloads before every build and dev start, checks them, and generates
 *   the router (`/.netlify/functions/awl-router`) that starts them;
 * - on install, creates the site's API key and records the Upstash credentials still needed.
 */
import { NetlifyExtension } from "@netlify/sdk";
import { prepareWorkloads, type BuildHookContext } from "./build/prepare.ts";
import { onInstall } from "./install/on-install.ts";
import { FUNCTION_PREFIX } from "./paths.ts";

export const extension = new NetlifyExtension();

// The SDK types a hook's options as @netlify/build's plugin options, a package it does not install
// beside itself (netlify-cli keeps its own copy), so they arrive untyped: BuildHookContext is the
// part of them the hook uses.
const prepare = (options: object) => prepareWorkloads(options as BuildHookContext);

extension.addFunctions("src/functions", { prefix: FUNCTION_PREFIX });
extension.addBuildEventHandler("onPreBuild", prepare);
extension.addBuildEventHandler("onPreDev", prepare);
extension.onInstall(onInstall);
