/**
 * `--help` on every command of the real binary: it exits 0 and shows the command's usage with
 * examples a user can copy.
 */
import { expect, test } from "vitest";
import { runAwl } from "./awl.ts";

const COMMANDS = [
  [],
  ["send"],
  ["events"],
  ["events", "list"],
  ["events", "show"],
  ["events", "retry"],
  ["events", "rerun"],
  ["events", "delete"],
  ["events", "reconcile"],
];

test("every command has --help with examples", async () => {
  const results = await Promise.all(
    COMMANDS.map((command) => runAwl([...command, "--help"], { cwd: import.meta.dirname })),
  );
  results.forEach((result, index) => {
    const command = ["awl", ...COMMANDS[index]!].join(" ");
    expect(result.code, command).toBe(0);
    expect(result.stdout, command).toContain(`Usage: ${command}`);
    expect(result.stdout, command).toContain(`Examples:\n  $ ${command === "awl" ? "awl" : command}`);
  });
});

test("a command without its subcommand shows the help as a usage error (exit 2)", async () => {
  const result = await runAwl(["events"], { cwd: import.meta.dirname });
  expect(result.code).toBe(2);
  expect(result.stderr).toContain("Usage: awl events");
});
