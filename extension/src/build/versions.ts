/**
 * The build-time check that the site's `@awl/client` is one this extension works with. The
 * extension checks workloads with the engine it was built with, while every function of the deploy
 * (injected, generated and the site's own) runs the site's `@awl/client`: if the two disagreed, a
 * workload could pass the build and fail at its first event. Compatible means what npm's caret
 * means: the same major version, and below 1.0 the same minor.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import semver from "semver";
import { CLIENT_VERSION } from "@awl/client/internal";

/** Why the site's @awl/client does not fit this extension, or undefined when it does. */
export function clientVersionProblem(siteDir: string, builtFor: string = CLIENT_VERSION): string | undefined {
  const wanted = `^${builtFor}`;
  let installed: string;
  try {
    const manifest = createRequire(join(siteDir, "package.json")).resolve("@awl/client/package.json");
    installed = (JSON.parse(readFileSync(manifest, "utf8")) as { version: string }).version;
  } catch {
    return `@awl/client is not installed in this site, and every workload imports it: run \`npm install @awl/client@${wanted}\``;
  }
  if (semver.satisfies(installed, wanted)) return undefined;
  return (
    `the site has @awl/client ${installed}, but this version of @awl/extension works with @awl/client ${wanted}: ` +
    `install matching versions (\`npm install @awl/client@${wanted}\`, or the @awl/extension release for ${installed})`
  );
}
