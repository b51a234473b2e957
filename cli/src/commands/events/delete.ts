/**
 * `awl events delete`: deletes events with their runs, by id or by state. A delete without a
 * selector is refused: there is no "delete everything" by accident.
 */
import type { Command } from "commander";
import type { DeleteSelector } from "@awl/client";
import { UsageError } from "../../errors.ts";
import { withProgress } from "../../terminal.ts";
import { addConnectionOptions, connect, printJson, type ConnectionOptions } from "../connection.ts";
import { collect, parseState } from "../options.ts";

interface DeleteOptions extends ConnectionOptions {
  state?: NonNullable<DeleteSelector["states"]>;
}

export function registerDelete(events: Command): void {
  const command = events
    .command("delete")
    .description("Delete events with their runs, by id or by state")
    .argument("[ids...]", "the event ids to delete")
    .option(
      "--state <state>",
      "every event with a run in this state (repeatable), e.g. completed",
      collect(parseState),
    );
  addConnectionOptions(command)
    .addHelpText(
      "after",
      `
Examples:
  $ awl events delete evt_m3k2x9a1b2c3d4e5f6a7b8 evt_m3k2xa0c9d8e7f6a5b4c3d2e1
  $ awl events delete --state completed --state dead-lettered`,
    )
    .action(async (ids: string[], options: DeleteOptions) => {
      if (ids.length > 0 === Boolean(options.state)) {
        throw new UsageError(
          ids.length > 0
            ? "give event ids or --state, not both"
            : "refusing to delete without a selector: give event ids or --state <state>",
        );
      }
      const client = connect(options);
      const selector: DeleteSelector = options.state ? { states: options.state } : { eventIds: ids };
      const result = await withProgress("deleting", () => client.delete(selector));
      if (options.json) return printJson(result);
      console.log(`Deleted ${result.deleted} event${result.deleted === 1 ? "" : "s"}.`);
    });
}
