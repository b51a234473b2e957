/**
 * `awl events list`: a site's events, newest first, as a table (or JSON), filtered by state and
 * name. The API serves at most 100 per page; this pages until it has --limit events, or all of them.
 */
import type { Command } from "commander";
import type { EventSummary, EventsApiClient, ListEventsQuery } from "@awl/client";
import { UsageError } from "../../errors.ts";
import { formatEventsTable } from "../../format/events-table.ts";
import { colorsFor, withProgress } from "../../terminal.ts";
import { addConnectionOptions, connect, printJson, type ConnectionOptions } from "../connection.ts";
import { parsePositiveInteger, parseState } from "../options.ts";

const DEFAULT_LIMIT = 20;
const PAGE_SIZE = 100;

interface ListOptions extends ConnectionOptions {
  state?: ListEventsQuery["state"];
  name?: string;
  held?: boolean;
  limit?: number;
  all?: boolean;
}

export function registerList(events: Command): void {
  const command = events
    .command("list")
    .description("List events, newest first")
    .option("--state <state>", "only events in this state (e.g. dead-lettered)", parseState)
    .option("--name <event>", "only events with this name")
    .option("--held", "only events with a run held back by flow control (concurrency, throttle, debounce)")
    .option("--limit <n>", `at most n events (default ${DEFAULT_LIMIT})`, parsePositiveInteger)
    .option("--all", "every matching event");
  addConnectionOptions(command)
    .addHelpText(
      "after",
      `
Examples:
  $ awl events list
  $ awl events list --state dead-lettered --name checkout
  $ awl events list --held --all
  $ awl events list --all --json | jq -r '.[].id'

--json prints an array of events (id, name, state, createdAt, runStates, data, held, ...).
A pending run that flow control holds back shows what holds it in RUNS (and in "held" with --json).`,
    )
    .action(async (options: ListOptions) => {
      if (options.all && options.limit !== undefined) throw new UsageError("give --limit or --all, not both");
      if (options.held && options.state && options.state !== "pending") {
        throw new UsageError("held runs are pending: give --held without --state, or with --state pending");
      }
      const limit = options.all ? Infinity : (options.limit ?? DEFAULT_LIMIT);
      const client = connect(options);
      const query = {
        ...(options.state ? { state: options.state } : {}),
        ...(options.name ? { name: options.name } : {}),
        ...(options.held ? { held: true } : {}),
      };
      const { events: found, more } = await withProgress("fetching events", (progress) =>
        fetchEvents(client, query, limit, (count) => progress(`fetched ${count} events`)),
      );
      if (options.json) return printJson(found);
      if (found.length === 0) {
        const state = options.state ? ` in state ${options.state}` : "";
        const name = options.name ? ` named "${options.name}"` : "";
        const held = options.held ? " held by flow control" : "";
        console.log(`No events${state}${name}${held}.`);
        return;
      }
      const colors = colorsFor();
      console.log(formatEventsTable(found, colors));
      if (more) console.log(colors.dim("More events match: use --limit or --all to see them."));
    });
}

/** Up to `limit` events, page by page; `more` says whether further ones match. */
async function fetchEvents(
  client: EventsApiClient,
  query: Omit<ListEventsQuery, "cursor" | "limit">,
  limit: number,
  onPage: (count: number) => void,
): Promise<{ events: EventSummary[]; more: boolean }> {
  const events: EventSummary[] = [];
  for await (const page of client.pages({ ...query, limit: Math.min(PAGE_SIZE, limit) })) {
    events.push(...page.events);
    onPage(events.length);
    if (events.length >= limit) {
      return { events: events.slice(0, limit), more: events.length > limit || page.cursor !== null };
    }
  }
  return { events, more: false };
}
