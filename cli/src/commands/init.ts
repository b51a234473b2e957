/**
 * `awl init`: sets up async workloads in the Netlify site in the current folder (plan and rules in
 * ../init/plan.ts). Safe to run again: a second run finds nothing to do.
 */
import type { Command } from "commander";

export function registerInit(program: Command): void {
  program
    .command("init")
    .description("Set up async workloads in the Netlify site in this folder (never replaces your files)")
    .option("--dry-run", "print what would change, and change nothing")
    .addHelpText(
      "after",
      `
It adds, where missing: the extension's build plugin to netlify.toml, an example workload and a
function that sends it an event to the functions folder, the local environment to .env (awl dev's
services, AWL_PREFIX for this site and an AWL_API_KEY), and .env to .gitignore.

Examples:
  $ awl init --dry-run
  $ awl init`,
    )
    .action(async (options: { dryRun?: boolean }) => {
      // Loaded here, not at the top: every other command would otherwise pay for these imports.
      const { describeChange, planInit } = await import("../init/plan.ts");
      const { applyChanges } = await import("../init/apply.ts");
      const siteDir = process.cwd();
      const changes = planInit(siteDir);
      const pending = changes.filter((change) => change.kind !== "keep");
      const verb = options.dryRun ? "would make" : "made";
      for (const change of changes) console.log(describeChange(change, siteDir));
      if (pending.length === 0) {
        console.log("\nawl init: nothing to do; this site is set up.");
        return;
      }
      if (!options.dryRun) applyChanges(pending);
      console.log(`\nawl init: ${verb} ${pending.length} change${pending.length === 1 ? "" : "s"}.`);
      if (!options.dryRun) {
        console.log(`
Next:
  npx awl dev                                             # local QStash and Upstash Redis, in one terminal
  npx netlify dev --offline --internal-disable-edge-functions   # your site, in another
  npx awl send hello --data '{"name":"Ada"}'`);
      }
    });
}
