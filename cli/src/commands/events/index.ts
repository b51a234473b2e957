/**
 * `awl events`: the group of commands that inspect and repair a site's events through its events
 * API. Each subcommand lives in its own module.
 */
import type { Command } from "commander";
import { registerCancel } from "./cancel.ts";
import { registerDelete } from "./delete.ts";
import { registerList } from "./list.ts";
import { registerReconcile } from "./reconcile.ts";
import { registerRerun } from "./rerun.ts";
import { registerRetry } from "./retry.ts";
import { registerShow } from "./show.ts";
import { registerStats } from "./stats.ts";

export function registerEvents(program: Command): void {
  const events = program
    .command("events")
    .description("List, inspect, retry, cancel, re-run and delete a site's events (through its events API)")
    .addHelpText(
      "after",
      `
Examples:
  $ awl events stats
  $ awl events list --state dead-lettered
  $ awl events show evt_m3k2x9a1b2c3d4e5f6a7b8
  $ awl events retry --all-dead-lettered
  $ awl events cancel evt_m3k2x9a1b2c3d4e5f6a7b8 --reason "order withdrawn"
  $ awl events rerun evt_m3k2x9a1b2c3d4e5f6a7b8.checkout --from-step send-receipt
  $ awl events delete --state completed`,
    );
  registerStats(events);
  registerList(events);
  registerShow(events);
  registerRetry(events);
  registerCancel(events);
  registerRerun(events);
  registerDelete(events);
  registerReconcile(events);
}
