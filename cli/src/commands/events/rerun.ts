/**
 * `awl events rerun <runId>`: re-runs a completed, dead-lettered or cancelled run as a new series of
 * attempts, from the start or from a chosen step (`--from-step`): the steps before it keep their
 * stored results, it and every step after it run again. An event id stands for its only run.
 */
import type { Command } from "commander";
import type { RerunRequest } from "@awl/client/api-client";
import { colorsFor, withProgress } from "../../terminal.ts";
import { addConnectionOptions, connect, printJson, type ConnectionOptions } from "../connection.ts";
import { cliActor } from "../options.ts";

interface RerunOptions extends ConnectionOptions {
  fromStep?: string;
  by?: string;
}

export function registerRerun(events: Command): void {
  const command = events
    .command("rerun")
    .description("Re-run a completed, dead-lettered or cancelled run, from the start or from a step")
    .argument("<id>", "the run id (evt_....<workload>), or the id of an event with one run")
    .option("--from-step <stepId>", "run this step and every step after it again; the ones before are kept")
    .option("--by <who>", "who re-runs it, recorded in the run's history (default cli:<your user name>)");
  addConnectionOptions(command)
    .addHelpText(
      "after",
      `
Examples:
  $ awl events rerun evt_m3k2x9a1b2c3d4e5f6a7b8.checkout --from-step send-receipt
  $ awl events rerun evt_m3k2x9a1b2c3d4e5f6a7b8`,
    )
    .action(async (id: string, options: RerunOptions) => {
      const client = connect(options);
      // Event ids never hold a "." (EVENT_ID_PATTERN); run ids are `<eventId>.<workload>`.
      const request: RerunRequest = {
        ...(id.includes(".") ? { runId: id } : { eventId: id }),
        ...(options.fromStep !== undefined ? { fromStep: options.fromStep } : {}),
        by: options.by ?? cliActor(),
      };
      const result = await withProgress("re-running", () => client.rerun(request));
      if (options.json) return printJson(result);
      const colors = colorsFor();
      const from = result.fromStep === null ? "from the start" : `from step ${result.fromStep}`;
      console.log(colors.green(`Re-running ${result.runId} ${from} (re-run ${result.series}).`));
      if (result.kept.length > 0) console.log(`  kept, replayed:  ${result.kept.join(", ")}`);
      console.log(
        `  runs again:      ${result.rerun.length > 0 ? result.rerun.join(", ") : "(no stored steps)"}`,
      );
      console.log(colors.dim(`Follow it with: awl events show ${result.runId.split(".")[0]}`));
    });
}
