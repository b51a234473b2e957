/**
 * The `awl` command line: parses arguments and hands each command to its module.
 * Exit codes: 0 ok, 1 failure, 2 usage.
 */
import { Command } from "commander";
import { registerDev } from "./commands/dev.ts";

const program = new Command("awl")
  .description("Async Workloads on Upstash: durable, event-triggered functions for Netlify sites")
  .showHelpAfterError()
  .exitOverride((error) => {
    process.exit(error.exitCode === 0 ? 0 : error.code === "commander.executeSubCommandAsync" ? 1 : 2);
  });

registerDev(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  console.error(`awl: ${(error as Error).message}`);
  process.exit(1);
}
