/**
 * `awl events cancel`: cancels active runs, keeping their history (steps done, attempts, who
 * cancelled and why). A run waiting for a delivery is closed at once; a running one finishes its
 * running step and starts nothing after it. A cancel without a selector is refused.
 */
import type { Command } from "commander";
import { InvalidArgumentError } from "commander";
import type { CancelSelector } from "@awl/client";
import { UsageError } from "../../errors.ts";
import { colorsFor, withProgress } from "../../terminal.ts";
import { addConnectionOptions, connect, printJson, type ConnectionOptions } from "../connection.ts";
import { cliActor, collect } from "../options.ts";

type CancellableState = NonNullable<CancelSelector["states"]>[number];
const CANCELLABLE: readonly CancellableState[] = ["pending", "processing", "delayed", "sleeping"];

interface CancelOptions extends ConnectionOptions {
  run?: string[];
  name?: string[];
  state?: CancellableState[];
  reason?: string;
  by?: string;
}

function parseCancellableState(value: string): CancellableState {
  if (!(CANCELLABLE as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(
      `"${value}" is not a state a run can be cancelled in (${CANCELLABLE.join(", ")})`,
    );
  }
  return value as CancellableState;
}

export function registerCancel(events: Command): void {
  const command = events
    .command("cancel")
    .description("Cancel active runs, keeping their steps and attempts")
    .argument("[ids...]", "event ids whose active runs to cancel")
    .option(
      "--run <runId>",
      "one run, not its event's others (repeatable)",
      collect((value) => value),
    )
    .option(
      "--name <event>",
      "every active run of events with this name (repeatable)",
      collect((value) => value),
    )
    .option(
      "--state <state>",
      `only runs in this state (repeatable): ${CANCELLABLE.join(", ")}; default all of them`,
      collect(parseCancellableState),
    )
    .option("--reason <text>", "why, recorded with each run")
    .option("--by <who>", "who cancels, recorded with each run (default cli:<your user name>)");
  addConnectionOptions(command)
    .addHelpText(
      "after",
      `
Examples:
  $ awl events cancel evt_m3k2x9a1b2c3d4e5f6a7b8 --reason "customer cancelled"
  $ awl events cancel --run evt_m3k2x9a1b2c3d4e5f6a7b8.send-receipt
  $ awl events cancel --name checkout --state sleeping --state delayed`,
    )
    .action(async (ids: string[], options: CancelOptions) => {
      const client = connect(options);
      const selector = cancelSelector(ids, options);
      const result = await withProgress("cancelling", () => client.cancel(selector));
      if (options.json) return printJson(result);
      const colors = colorsFor();
      if (result.cancelled + result.cancelling === 0) {
        console.log("Nothing to cancel: no active runs among the selected ones.");
        return;
      }
      if (result.cancelled) {
        console.log(colors.yellow(`Cancelled ${plural(result.cancelled, "run")}:`));
        for (const runId of result.runIds) console.log(`  ${runId}`);
      }
      if (result.cancelling) {
        console.log(
          colors.yellow(
            `Cancelling ${plural(result.cancelling, "running run")} once its running step finishes:`,
          ),
        );
        for (const runId of result.cancellingRunIds) console.log(`  ${runId}`);
      }
    });
}

function cancelSelector(ids: string[], options: CancelOptions): CancelSelector {
  const given = [ids.length > 0, Boolean(options.run), Boolean(options.name || options.state)].filter(
    Boolean,
  ).length;
  if (given !== 1) {
    throw new UsageError(
      given === 0
        ? "refusing to cancel without a selector: give event ids, --run <runId>, or --name/--state"
        : "choose one way to select: event ids, --run <runId>, or --name/--state",
    );
  }
  const who = {
    by: options.by ?? cliActor(),
    ...(options.reason ? { reason: options.reason } : {}),
  };
  if (ids.length > 0) return { eventIds: ids, ...who };
  if (options.run) return { runIds: options.run, ...who };
  return {
    ...(options.name ? { eventNames: options.name } : {}),
    ...(options.state ? { states: options.state } : {}),
    ...who,
  };
}

const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
