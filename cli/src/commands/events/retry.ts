/**
 * `awl events retry`: gives dead-lettered runs a fresh set of attempts. Their completed steps are
 * kept, so each run resumes after the last step that succeeded. Exactly one selector is required,
 * so retrying everything is always a deliberate `--all-dead-lettered`.
 */
import type { Command } from "commander";
import type { RetrySelector } from "@awl/client";
import { UsageError } from "../../errors.ts";
import { colorsFor, withProgress } from "../../terminal.ts";
import { addConnectionOptions, connect, printJson, type ConnectionOptions } from "../connection.ts";
import { collect } from "../options.ts";

interface RetryOptions extends ConnectionOptions {
  run?: string[];
  name?: string[];
  allDeadLettered?: boolean;
}

export function registerRetry(events: Command): void {
  const command = events
    .command("retry")
    .description("Retry dead-lettered runs, resuming after their last completed step")
    .argument("[ids...]", "event ids whose dead-lettered runs to retry")
    .option(
      "--run <runId>",
      "one dead-lettered run, not its event's others (repeatable)",
      collect((value) => value),
    )
    .option(
      "--name <event>",
      "every dead-lettered event with this name (repeatable)",
      collect((value) => value),
    )
    .option("--all-dead-lettered", "every dead-lettered event");
  addConnectionOptions(command)
    .addHelpText(
      "after",
      `
Examples:
  $ awl events retry evt_m3k2x9a1b2c3d4e5f6a7b8
  $ awl events retry --run evt_m3k2x9a1b2c3d4e5f6a7b8.checkout
  $ awl events retry --name checkout --name signup
  $ awl events retry --all-dead-lettered --json`,
    )
    .action(async (ids: string[], options: RetryOptions) => {
      const client = connect(options);
      const selector = retrySelector(ids, options);
      const result = await withProgress("retrying", () => client.retry(selector));
      if (options.json) return printJson(result);
      const colors = colorsFor();
      if (result.retried === 0) {
        console.log("Nothing to retry: no dead-lettered runs among the selected events.");
        return;
      }
      console.log(colors.green(`Retried ${result.retried} run${result.retried === 1 ? "" : "s"}:`));
      for (const runId of result.runIds) console.log(`  ${runId}`);
    });
}

function retrySelector(ids: string[], options: RetryOptions): RetrySelector {
  const given = [
    ids.length > 0,
    Boolean(options.run),
    Boolean(options.name),
    Boolean(options.allDeadLettered),
  ].filter(Boolean);
  if (given.length !== 1) {
    throw new UsageError(
      `${given.length === 0 ? "say which events to retry" : "choose one way to select events"}: ` +
        "give event ids, --run <runId>, --name <event>, or --all-dead-lettered",
    );
  }
  if (ids.length > 0) return { eventIds: ids };
  if (options.run) return { runIds: options.run };
  if (options.name) return { eventNames: options.name };
  return {};
}
