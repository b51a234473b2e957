/**
 * `awl events list` as a table: id, name, state, created, runs (how many of the event's runs are in
 * each state, and what holds back those that flow control holds). Columns are padded on the plain
 * text and coloured afterwards, so colour codes never shift the alignment.
 */
import type { EventSummary } from "@awl/client";
import type { Colors } from "../terminal.ts";
import { describeHold } from "./holds.ts";
import { paintState } from "./state.ts";
import { formatTime } from "./units.ts";

const HEADERS = ["ID", "NAME", "STATE", "CREATED", "RUNS"] as const;

export function formatEventsTable(events: readonly EventSummary[], colors: Colors): string {
  const rows = events.map((event) => [
    event.id,
    event.name,
    event.state,
    formatTime(event.createdAt),
    formatRuns(event.runStates) + formatHeld(event.held),
  ]);
  const widths = HEADERS.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => row[column]!.length)),
  );
  const line = (cells: readonly string[], paint: (cell: string, column: number) => string) =>
    cells
      .map((cell, column) => {
        // The last column is not padded: no trailing spaces.
        const padded = column === cells.length - 1 ? cell : cell.padEnd(widths[column]!);
        return paint(padded, column);
      })
      .join("  ");
  return [
    line(HEADERS, (cell) => colors.bold(cell)),
    ...rows.map((row, index) =>
      line(row, (cell, column) =>
        column === 2 ? cell.replace(row[2]!, paintState(events[index]!.state, colors)) : cell,
      ),
    ),
  ].join("\n");
}

/** "2 completed, 1 dead-lettered"; "none" for an event no workload subscribes to. */
export function formatRuns(runStates: EventSummary["runStates"]): string {
  const parts = Object.entries(runStates)
    .filter(([, count]) => count && count > 0)
    .map(([state, count]) => `${count} ${state}`);
  return parts.length ? parts.join(", ") : "none";
}

/** ": throttled (key "t1"): starts at …; waiting for a slot (limit 2, key "t1")" for the held runs, if any. */
function formatHeld(held: EventSummary["held"]): string {
  if (!held?.length) return "";
  return `: ${held.map((hold) => describeHold(hold, Date.now(), false)).join("; ")}`;
}
