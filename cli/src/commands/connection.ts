/**
 * The options every command that calls a site's events API shares (--site, --api-key, --json),
 * and the client built from them (see ../target.ts for where the defaults come from).
 */
import type { Command } from "commander";
// The narrow entry point: the CLI must not load the engine (QStash client, zod) to make HTTP calls.
import { EventsApiClient } from "@awl/client/api-client";
import { resolveTarget } from "../target.ts";
import { parseSiteUrl } from "./options.ts";

export interface ConnectionOptions {
  site?: string;
  apiKey?: string;
  json?: boolean;
}

export function addConnectionOptions(command: Command): Command {
  return command
    .option(
      "--site <url>",
      "the site serving the events API (default: $AWL_SITE_URL, URL in ./.env, http://localhost:8888)",
      parseSiteUrl,
    )
    .option("--api-key <key>", "the site's API key (default: $AWL_API_KEY, then AWL_API_KEY in ./.env)")
    .option("--json", "print machine-readable JSON on stdout, and nothing else");
}

export function connect(options: ConnectionOptions): EventsApiClient {
  return new EventsApiClient(resolveTarget({ site: options.site, apiKey: options.apiKey }));
}

/** `--json` output: the value, pretty-printed, alone on stdout. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
