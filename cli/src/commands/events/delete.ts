/**
 * `awl events delete`: deletes events with their runs (by id), single runs, or the runs in some
 * states (narrowed to event names); an event goes with its last run. A delete without a selector is
 * refused: there is no "delete everything" by accident.
 */
import type { Command } from "commander";
import type { DeleteReport, DeleteSelector } from "@awl/client";
import { UsageError } from "../../errors.ts";
import { withProgress } from "../../terminal.ts";
import { addConnectionOptions, connect, printJson, type ConnectionOptions } from "../connection.ts";
import { collect, parseState } from "../options.ts";

interface DeleteOptions extends ConnectionOptions {
  run?: string[];
  state?: NonNullable<DeleteSelector["states"]>;
  name?: string[];
}

export function registerDelete(events: Command): void {
  const command = events
    .command("delete")
    .description("Delete events with their runs, single runs, or the runs in a state")
    .argument("[ids...]", "the event ids to delete")
    .option(
      "--run <runId>",
      "one run, not its event's others; the event goes with its last run (repeatable)",
      collect((value) => value),
    )
    .option(
      "--state <state>",
      "every run in this state (repeatable), e.g. dead-lettered; an event goes with its last run",
      collect(parseState),
    )
    .option(
      "--name <event>",
      "with --state: only runs of events with this name (repeatable)",
      collect((value) => value),
    );
  addConnectionOptions(command)
    .addHelpText(
      "after",
      `
Examples:
  $ awl events delete evt_m3k2x9a1b2c3d4e5f6a7b8 evt_m3k2xa0c9d8e7f6a5b4c3d2e1
  $ awl events delete --run evt_m3k2x9a1b2c3d4e5f6a7b8.send-receipt
  $ awl events delete --state completed --state dead-lettered
  $ awl events delete --state dead-lettered --name checkout`,
    )
    .action(async (ids: string[], options: DeleteOptions) => {
      const client = connect(options);
      const selector = deleteSelector(ids, options);
      const result = await withProgress("deleting", () => client.delete(selector));
      if (options.json) return printJson(result);
      console.log(describe(result));
    });
}

function deleteSelector(ids: string[], options: DeleteOptions): DeleteSelector {
  if (options.name && !options.state) throw new UsageError("--name narrows --state: give --state with it");
  const given = [ids.length > 0, Boolean(options.run), Boolean(options.state)].filter(Boolean).length;
  if (given !== 1) {
    throw new UsageError(
      given === 0
        ? "refusing to delete without a selector: give event ids, --run <runId> or --state <state>"
        : "choose one way to select: event ids, --run <runId>, or --state <state>",
    );
  }
  if (options.run) return { runIds: options.run };
  if (options.state) return { states: options.state, ...(options.name ? { eventNames: options.name } : {}) };
  return { eventIds: ids };
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

function describe(result: DeleteReport): string {
  if (result.deletedRuns === undefined) return `Deleted ${plural(result.deleted, "event")}.`;
  const emptied = result.deleted ? `, and ${plural(result.deleted, "event")} with no runs left` : "";
  return `Deleted ${plural(result.deletedRuns, "run")}${emptied}.`;
}
