/**
 * The `awl` command line: parses arguments and hands each command to its module.
 */
import { Command } from "commander";

const program = new Command("awl").description("Async Workloads on Upstash").showHelpAfterError();

await program.parseAsync(process.argv);
