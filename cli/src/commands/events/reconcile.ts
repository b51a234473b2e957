/**
 * `awl events reconcile`: runs the site's reconciler now rather than at its next scheduled run,
 * republishing events and runs whose delivery is overdue.
 */
import type { Command } from "commander";
import { withProgress } from "../../terminal.ts";
import { addConnectionOptions, connect, printJson, type ConnectionOptions } from "../connection.ts";

export function registerReconcile(events: Command): void {
  const command = events
    .command("reconcile")
    .description("Republish overdue events and runs now (the reconciler also runs on a schedule)");
  addConnectionOptions(command)
    .addHelpText(
      "after",
      `
Examples:
  $ awl events reconcile
  $ awl events reconcile --json`,
    )
    .action(async (options: ConnectionOptions) => {
      const client = connect(options);
      const report = await withProgress("reconciling", () => client.reconcile());
      if (options.json) return printJson(report);
      console.log(`Republished ${report.events} event(s) and ${report.runs} run(s).`);
    });
}
