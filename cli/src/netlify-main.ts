/**
 * The `async-workloads` command line: Netlify's CLI for Async Workloads (from
 * `@netlify/async-workloads`), with its flags, mapped onto `awl send`: the same client, target
 * resolution and errors, so scripts written for Netlify's CLI keep working.
 *
 *   async-workloads send -e <eventName> -u <baseUrl> [-d <json>] [-k <apiKey>] [-p <priority>] [-l <delayUntil>]
 *
 * `-l` is a duration from now: milliseconds (`10000`) or a string such as `10s`, `1h`, `1d`. Where
 * this differs from Netlify's (docs/netlify-compat.md): a failure exits 1 rather than 0, and bad
 * JSON in `-d` is a usage error (exit 2) rather than a send without data.
 */
import { Command, InvalidArgumentError } from "commander";
import { EventsApiClient } from "@awl/client/api-client";
import { parseDelayUntil, parseInteger, parseSiteUrl } from "./commands/options.ts";
import { describeFailure, UsageError } from "./errors.ts";
import { resolveTarget } from "./target.ts";

interface NetlifySendOptions {
  eventName: string;
  eventData?: string;
  apiKey?: string;
  priority?: number;
  delayUntil?: string;
  baseUrl: string;
}

/** Netlify reads `-l` as milliseconds when it is a number, else as a duration ("10s"). */
function parseNetlifyDelay(value: string): string {
  if (/^\d+$/.test(value.trim())) return `${Number(value)}ms`;
  try {
    return parseDelayUntil(value);
  } catch {
    throw new InvalidArgumentError(
      `"${value}" is neither milliseconds (10000) nor a duration (10s, 1m, 1h, 1d)`,
    );
  }
}

function parseEventData(value: string): unknown {
  try {
    return JSON.parse(value) as unknown;
  } catch (error) {
    throw new UsageError(
      `--event-data must be a JSON string, e.g. --event-data='{"foo": "bar"}': ${(error as Error).message}`,
    );
  }
}

const program = new Command("async-workloads")
  .description(
    "Netlify's Async Workloads CLI, on Async Workloads on Upstash (the same flags; see also `awl`)",
  )
  .showHelpAfterError("(add --help for usage)")
  .exitOverride((error) => {
    process.exit(error.exitCode === 0 ? 0 : 2);
  });

program
  .command("send")
  .description("Send an event to a site; every workload subscribed to it runs")
  .requiredOption("-e, --event-name <eventName>", "the name of the event to send")
  .option("-d, --event-data <eventData>", "the event's data, as a JSON string")
  .option(
    "-k, --api-key <apiKey>",
    "the site's API key (default: AWL_API_KEY_P<n> or AWL_API_KEY, in the environment or ./.env)",
  )
  .option("-p, --priority <priority>", "a whole number from -50 to 50 (default 0)", parseInteger)
  .option(
    "-l, --delay-until <delayUntil>",
    "deliver later: milliseconds (10000) or 10s, 1m, 1h, 1d",
    parseNetlifyDelay,
  )
  .requiredOption(
    "-u, --base-url <baseUrl>",
    "any URL of the site, e.g. https://my-site.netlify.app",
    parseSiteUrl,
  )
  .action(async (options: NetlifySendOptions) => {
    const data = options.eventData === undefined ? undefined : parseEventData(options.eventData);
    const client = new EventsApiClient(
      resolveTarget({ site: new URL(options.baseUrl).origin, apiKey: options.apiKey }),
    );
    const result = await client.send({
      name: options.eventName,
      ...(data !== undefined ? { data } : {}),
      ...(options.delayUntil !== undefined ? { delayUntil: options.delayUntil } : {}),
      ...(options.priority !== undefined ? { priority: options.priority } : {}),
    });
    console.log(`\nEvent sent successfully. Event ID: ${result.eventId}`);
  });

try {
  await program.parseAsync(process.argv);
} catch (error) {
  const failure = describeFailure(error);
  console.error(`\nEvent failed to send. ${failure.message}`);
  process.exit(failure.exitCode);
}
