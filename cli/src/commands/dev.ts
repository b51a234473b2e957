/**
 * `awl dev`: runs the local Upstash-compatible services (@awl/dev's startStack) until interrupted,
 * prints the environment a site needs, optionally writes it to a dotenv file, and serves the events
 * dashboard on loopback.
 * It serves the site in the current folder: its `AWL_PREFIX` (from the environment, `.env`, or
 * derived from the folder, site/identity.ts) names the keys the dashboard reads and the QStash
 * messages this awl dev keeps, so two sites on one Redis stay apart.
 */
import type { Command } from "commander";
import type { DashboardServer, DevStack } from "@awl/dev";
import {
  DEFAULT_DASHBOARD_PORT,
  DEFAULT_QSTASH_PORT,
  DEFAULT_REDIS_REST_PORT,
  DEFAULT_REDIS_REST_TOKEN,
  formatEnv,
  mergeEnvFile,
  type ModeledLatency,
  type TimerGranularity,
} from "@awl/dev/env";
import { envChanges, readEnvFile, readSiteEnv, siteVariables } from "../site/local-env.ts";
import { parseGranularity, parseLatency, parsePort } from "./options.ts";

export function registerDev(program: Command): void {
  program
    .command("dev")
    .description(
      "Run local Upstash-compatible services (a QStash v2 API and the Upstash Redis REST API) and the events dashboard",
    )
    .option("--qstash-port <port>", "QStash API port", parsePort, DEFAULT_QSTASH_PORT)
    .option("--redis-port <port>", "Upstash Redis REST API port", parsePort, DEFAULT_REDIS_REST_PORT)
    .option(
      "--redis-url <url>",
      "the Redis that holds all state (default: $REDIS_URL or redis://127.0.0.1:6379)",
    )
    .option("--redis-token <token>", "bearer token for the Redis REST API", DEFAULT_REDIS_REST_TOKEN)
    .option(
      "--dashboard-port <port>",
      "events dashboard port (0: any free port)",
      parsePort,
      DEFAULT_DASHBOARD_PORT,
    )
    .option("--no-dashboard", "do not serve the events dashboard")
    .option(
      "--granularity <exact|1s>",
      "when delayed messages and retries go out: exact (to the millisecond) or 1s (on whole seconds, as QStash does)",
      parseGranularity,
      "exact",
    )
    .option(
      "--latency <links>",
      "model Upstash's network: a round trip added per request, e.g. redis=2ms,qstash=20ms (qstash: API requests and deliveries)",
      parseLatency,
    )
    // Not --env-file: Node 20 takes that flag for itself even after the script name.
    .option("--write-env [path]", "write the environment to a dotenv file (default .env)")
    .option("--quiet", "do not log each delivery")
    .action(
      async (options: {
        qstashPort: number;
        redisPort: number;
        redisUrl?: string;
        redisToken: string;
        dashboardPort: number;
        dashboard: boolean;
        granularity: TimerGranularity;
        latency?: ModeledLatency;
        writeEnv?: string | true;
        quiet?: boolean;
      }) => {
        // Loaded here, not at the top: every other command would otherwise pay for the servers' imports.
        const { startStack } = await import("@awl/dev");
        const siteDir = process.cwd();
        const site = siteVariables(siteDir, { ...readSiteEnv(siteDir), ...definedOnly(process.env) });
        const stack = await startStack({
          siteNamespace: site.AWL_PREFIX,
          qstashPort: options.qstashPort,
          redisRestPort: options.redisPort,
          redisUrl: options.redisUrl,
          redisRestToken: options.redisToken,
          timerGranularity: options.granularity,
          ...(options.latency ? { latency: options.latency } : {}),
          log: options.quiet ? () => undefined : (line) => console.log(line),
        });
        console.log(
          `awl dev: QStash API on ${stack.qstash.url} (also found by @upstash/qstash with QSTASH_DEV=true)`,
        );
        const modeled = describeModeledNetwork(options.granularity, options.latency);
        if (modeled) console.log(`awl dev: ${modeled}`);
        console.log(`awl dev: serving the site in ${siteDir} (AWL_PREFIX=${site.AWL_PREFIX})`);
        console.log(`\nEnvironment for your site:\n${formatEnv(stack.env)}\n`);
        if (options.writeEnv) {
          const path = options.writeEnv === true ? ".env" : options.writeEnv;
          // The services' variables always follow this run's ports; the site's prefix and API key
          // are only added when missing, so a key already handed out keeps working.
          const { add } = envChanges(readEnvFile(path), site);
          mergeEnvFile(path, { ...stack.env, ...add });
          console.log(`awl dev: wrote the environment to ${path}`);
        }
        // After the environment line that scripts wait for: the services a site needs are up, and a
        // dashboard that cannot start (its port taken by another awl dev) must not take them down.
        const dashboard = options.dashboard
          ? await startDashboard(stack, site.AWL_PREFIX, options.dashboardPort)
          : undefined;
        const stop = async () => {
          await dashboard?.close();
          await stack.close();
          process.exit(0);
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      },
    );
}

/** What this run models of production, for its start lines; undefined when nothing is modeled. */
function describeModeledNetwork(
  granularity: TimerGranularity,
  latency: ModeledLatency | undefined,
): string | undefined {
  const parts: string[] = [];
  if (granularity === "1s") parts.push("timers on whole seconds, as QStash");
  if (latency?.redisMs) parts.push(`Redis REST round trip +${latency.redisMs} ms`);
  if (latency?.qstashMs)
    parts.push(`QStash round trip +${latency.qstashMs} ms (API requests and deliveries)`);
  return parts.length > 0 ? `modeling production: ${parts.join(", ")}` : undefined;
}

function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => Boolean(entry[1])),
  );
}

async function startDashboard(
  stack: DevStack,
  prefix: string,
  port: number,
): Promise<DashboardServer | undefined> {
  const { localRuntime, startDashboardServer } = await import("@awl/dev");
  try {
    const runtime = localRuntime(stack.env, { ...process.env, AWL_PREFIX: prefix });
    const dashboard = await startDashboardServer({ runtime, port });
    console.log(`awl dev: Dashboard  ${dashboard.url}  (events, runs, retry and delete; loopback only)`);
    return dashboard;
  } catch (error) {
    console.error(`awl dev: the events dashboard did not start: ${(error as Error).message}`);
    return undefined;
  }
}
