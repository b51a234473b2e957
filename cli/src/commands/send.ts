/**
 * `awl send <event>`: sends one event through a site's events API and prints its id, alone on
 * stdout, so `id=$(awl send checkout --data '{...}')` works in a script.
 */
import type { Command } from "commander";
import { readData } from "../json-data.ts";
import { colorsFor, withProgress } from "../terminal.ts";
import { addConnectionOptions, connect, printJson, type ConnectionOptions } from "./connection.ts";
import { parseDelayUntil, parseInteger } from "./options.ts";

interface SendOptions extends ConnectionOptions {
  data?: string;
  delayUntil?: string;
  priority?: number;
  idempotencyKey?: string;
}

export function registerSend(program: Command): void {
  const command = program
    .command("send")
    .description("Send an event to a site; every workload subscribed to it runs")
    .argument("<event>", "the event's name, e.g. checkout")
    .option("--data <json>", "the event's data: JSON, or @file.json to read it from a file")
    .option(
      "--delay-until <when>",
      "deliver later: a duration (10s, 5m, 2 days) or an ISO date",
      parseDelayUntil,
    )
    .option(
      "--priority <n>",
      "a whole number from -50 to 50 (default 0), passed to the workloads",
      parseInteger,
    )
    .option("--idempotency-key <key>", "a repeat with this key within 24 h returns the first event's id");
  addConnectionOptions(command)
    .addHelpText(
      "after",
      `
Examples:
  $ awl send checkout --data '{"cartId":"c_123"}'
  $ awl send checkout --data @order.json --priority 10
  $ awl send follow-up --delay-until 2d --idempotency-key signup-42
  $ awl send checkout --site https://shop.example --api-key "$AWL_API_KEY" --json

Prints the event id. Exit codes: 0 sent, 1 the site refused or was unreachable, 2 bad usage (e.g. bad JSON).`,
    )
    .action(async (name: string, options: SendOptions) => {
      const data = options.data === undefined ? undefined : readData(options.data);
      const client = connect(options);
      const result = await withProgress(`sending ${name} to ${client.baseUrl}`, () =>
        client.send({
          name,
          ...(data !== undefined ? { data } : {}),
          ...(options.delayUntil !== undefined ? { delayUntil: options.delayUntil } : {}),
          ...(options.priority !== undefined ? { priority: options.priority } : {}),
          ...(options.idempotencyKey !== undefined ? { idempotencyKey: options.idempotencyKey } : {}),
        }),
      );
      if (options.json) return printJson(result);
      console.log(result.eventId);
      // Notes go to stderr: stdout stays the bare id.
      const colors = colorsFor(process.stderr);
      if (result.status === "duplicate") {
        console.error(
          colors.yellow(
            "duplicate: an event with this idempotency key was sent in the last 24 h; " +
              "that is its id, and nothing new was sent",
          ),
        );
      }
      if (process.stderr.isTTY)
        console.error(colors.dim(`follow it with: awl events show ${result.eventId}`));
    });
}
