/**
 * `awl workloads`: the site's workloads with their events, filter, retries, flow control
 * (concurrency, throttle, rateLimit, debounce), schedule and its next firing, cancelOn rules and
 * step timeout, as the site's router published them (`GET /workloads` of the events API).
 */
import type { Command } from "commander";
import { formatWorkloads } from "../format/workloads-table.ts";
import { colorsFor, withProgress } from "../terminal.ts";
import { addConnectionOptions, connect, printJson, type ConnectionOptions } from "./connection.ts";

export function registerWorkloads(program: Command): void {
  const command = program
    .command("workloads")
    .description(
      "List the site's workloads: events, retries, flow control, schedule, cancelOn, step timeout",
    );
  addConnectionOptions(command)
    .addHelpText(
      "after",
      `
Examples:
  $ awl workloads
  $ awl workloads --json | jq '.workloads[] | select(.concurrency)'

The list is the one the site's router published with its first routing since it started (after a
deploy: its first event). --json prints { publishedAt, workloads: [...] }; durations are in ms.`,
    )
    .action(async (options: ConnectionOptions) => {
      const client = connect(options);
      const listing = await withProgress("fetching workloads", () => client.workloads());
      if (options.json) return printJson(listing);
      if (listing.publishedAt === null) {
        console.log(
          "No workloads published yet: the site's router publishes them with the first event it routes.\n" +
            "Send one (awl send <event>) and try again.",
        );
        return;
      }
      if (listing.workloads.length === 0) {
        console.log("The site has no workloads.");
        return;
      }
      console.log(formatWorkloads(listing, colorsFor(), Date.now()));
    });
}
