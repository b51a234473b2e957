/**
 * `awl events show <id>`: one event with its runs, each as a timeline of attempts, steps, sleeps
 * and errors (see ../../format/event-timeline.ts), or the whole record as JSON.
 */
import type { Command } from "commander";
import { formatEventTimeline } from "../../format/event-timeline.ts";
import { colorsFor, withProgress } from "../../terminal.ts";
import { addConnectionOptions, connect, printJson, type ConnectionOptions } from "../connection.ts";

interface ShowOptions extends ConnectionOptions {
  verbose?: boolean;
}

export function registerShow(events: Command): void {
  const command = events
    .command("show")
    .description("Show an event with its runs: attempts, steps, sleeps and errors, in order")
    .argument("<id>", "the event id (evt_...)")
    .option("-v, --verbose", "also show error stacks, step results and the event's full data");
  addConnectionOptions(command)
    .addHelpText(
      "after",
      `
Examples:
  $ awl events show evt_m3k2x9a1b2c3d4e5f6a7b8
  $ awl events show evt_m3k2x9a1b2c3d4e5f6a7b8 --verbose
  $ awl events show evt_m3k2x9a1b2c3d4e5f6a7b8 --json | jq '.runs[].lastError'`,
    )
    .action(async (id: string, options: ShowOptions) => {
      const client = connect(options);
      const event = await withProgress(`fetching ${id}`, () => client.get(id));
      if (options.json) return printJson(event);
      console.log(
        formatEventTimeline(event, {
          colors: colorsFor(),
          verbose: options.verbose ?? false,
          now: Date.now(),
        }),
      );
    });
}
