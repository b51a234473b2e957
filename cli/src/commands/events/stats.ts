/**
 * `awl events stats`: how many events are in each state, overall and per event name — the numbers
 * at the top of the dashboard, for a terminal or a script (`--json`).
 */
import type { Command } from "commander";
import { EVENT_STATES, type EventStats } from "@awl/client/api-client";
import { paintState } from "../../format/state.ts";
import { colorsFor, withProgress, type Colors } from "../../terminal.ts";
import { addConnectionOptions, connect, printJson, type ConnectionOptions } from "../connection.ts";

export function registerStats(events: Command): void {
  const command = events.command("stats").description("Count events per state, overall and per event name");
  addConnectionOptions(command)
    .addHelpText(
      "after",
      `
Examples:
  $ awl events stats
  $ awl events stats --json`,
    )
    .action(async (options: ConnectionOptions) => {
      const client = connect(options);
      const stats = await withProgress("counting", () => client.stats());
      if (options.json) return printJson(stats);
      console.log(formatStats(stats, colorsFor()));
    });
}

/** A table: one row per state overall, then one row per event name with its non-zero states. */
export function formatStats(stats: EventStats, colors: Colors): string {
  const width = Math.max(...EVENT_STATES.map((state) => state.length));
  const lines = EVENT_STATES.map(
    (state) => `  ${paintState(state, colors)}${" ".repeat(width - state.length)}  ${stats.states[state]}`,
  );
  lines.unshift(colors.bold("Events by state"));
  lines.push("", colors.bold("Events by name"));
  if (stats.names.length === 0) lines.push("  (no events)");
  for (const { name, total, states } of stats.names) {
    const parts = EVENT_STATES.filter((state) => states[state]).map(
      (state) => `${states[state]} ${paintState(state, colors)}`,
    );
    lines.push(`  ${name}  ${total}${parts.length ? `  (${parts.join(", ")})` : ""}`);
  }
  return lines.join("\n");
}
