/**
 * The `awl` command line: parses arguments and hands each command to its module.
 * Exit codes: 0 ok, 1 failure, 2 usage.
 */
import { Command } from "commander";
import { registerDev } from "./commands/dev.ts";
import { registerEvents } from "./commands/events/index.ts";
import { registerInit } from "./commands/init.ts";
import { registerSend } from "./commands/send.ts";
import { registerWorkloads } from "./commands/workloads.ts";
import { describeFailure } from "./errors.ts";

const program = new Command("awl")
  .description("Async Workloads on Upstash: durable, event-triggered functions for Netlify sites")
  .showHelpAfterError("(add --help for usage and examples)")
  .exitOverride((error) => {
    process.exit(error.exitCode === 0 ? 0 : error.code === "commander.executeSubCommandAsync" ? 1 : 2);
  });

program.addHelpText(
  "after",
  `
Examples:
  $ awl init
  $ awl dev --write-env
  $ awl send checkout --data '{"cartId":"c_123"}'
  $ awl events list --state dead-lettered
  $ awl events retry --all-dead-lettered
  $ awl workloads

Exit codes: 0 ok, 1 failure, 2 usage. Run \`awl <command> --help\` for each command's options.`,
);

registerInit(program);
registerDev(program);
registerSend(program);
registerEvents(program);
registerWorkloads(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const failure = describeFailure(error);
  console.error(`awl: ${failure.message}`);
  process.exit(failure.exitCode);
}
