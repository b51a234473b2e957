import { expect, test } from "vitest";
import type { EventSummary } from "@awl/client";
import { colorsFor } from "../terminal.ts";
import { formatEventsTable, formatRuns } from "./events-table.ts";

const createdAt = new Date(2025, 0, 31, 9, 5, 3).getTime();
const event = (overrides: Partial<EventSummary>): EventSummary => ({
  id: "evt_1",
  name: "checkout",
  data: null,
  priority: 0,
  createdAt,
  state: "completed",
  runStates: { completed: 1 },
  ...overrides,
});

test("a table with id, name, state, created and runs, in aligned columns", () => {
  const table = formatEventsTable(
    [
      event({ id: "evt_long_id_1", state: "dead-lettered", runStates: { completed: 2, "dead-lettered": 1 } }),
      event({ name: "signup", state: "unmatched", runStates: {} }),
    ],
    colorsFor({ isTTY: false }),
  );
  expect(table.split("\n")).toEqual([
    "ID             NAME      STATE          CREATED              RUNS",
    "evt_long_id_1  checkout  dead-lettered  2025-01-31 09:05:03  2 completed, 1 dead-lettered",
    "evt_1          signup    unmatched      2025-01-31 09:05:03  none",
  ]);
});

test("on a terminal the state is coloured without shifting the columns", () => {
  const colors = colorsFor({ isTTY: true }, {});
  const [, row] = formatEventsTable(
    [event({ state: "dead-lettered", runStates: { "dead-lettered": 1 } })],
    colors,
  ).split("\n");
  expect(row).toContain(colors.red("dead-lettered"));
  // Stripped of colour codes, the row is the plain one.
  // eslint-disable-next-line no-control-regex
  expect(row!.replace(/\x1b\[\d+m/g, "")).toBe(
    "evt_1  checkout  dead-lettered  2025-01-31 09:05:03  1 dead-lettered",
  );
});

test("NO_COLOR turns colours off even on a terminal", () => {
  expect(colorsFor({ isTTY: true }, { NO_COLOR: "1" }).red("x")).toBe("x");
});

test("runs: a tally per state, zero counts left out", () => {
  expect(formatRuns({ sleeping: 1, completed: 0 })).toBe("1 sleeping");
});
