/**
 * `npm run dev`: the whole demo locally, in one command. Builds the packages, starts `awl dev`
 * (QStash on 127.0.0.1:8080, Upstash Redis REST on 127.0.0.1:8079, environment written to .env),
 * makes sure .env has an AWL_API_KEY for the events API, starts `netlify dev` on
 * http://localhost:8888 with that environment, and prints what to try, with the events dashboard
 * (served by awl dev on http://127.0.0.1:8288). Ctrl-C stops everything.
 *
 *   npm run dev [-- --port 8888 --qstash-port 8080 --redis-port 8079 --dashboard-port 8288]
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { generateApiKey, parseApiKeys, weakApiKeys } from "../client/src/api/auth.ts";
import { mergeEnvFile } from "@awl/dev/env";
import type { ManagedProcess } from "./dev/processes.ts";
import {
  ROOT,
  buildPackages,
  readEnvFile,
  startAwlDev,
  startNetlifyDev,
  waitForEventsApi,
} from "./dev/services.ts";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "8888" },
    "qstash-port": { type: "string", default: "8080" },
    "redis-port": { type: "string", default: "8079" },
    "dashboard-port": { type: "string", default: "8288" },
  },
});
const port = Number(values.port);
const envFile = join(ROOT, ".env");
const siteUrl = `http://localhost:${port}`;
const running: ManagedProcess[] = [];
let stopping = false;

async function stopAll(code: number): Promise<never> {
  stopping = true;
  await Promise.all(running.map((child) => child.stop()));
  process.exit(code);
}
process.once("SIGINT", () => void stopAll(0));
process.once("SIGTERM", () => void stopAll(0));

try {
  console.log("dev: building the packages (npm run build)...");
  buildPackages();

  const awl = await startAwlDev({
    qstashPort: Number(values["qstash-port"]),
    redisPort: Number(values["redis-port"]),
    dashboardPort: Number(values["dashboard-port"]),
    envFile,
    echo: (line) => console.log(`[awl dev] ${line}`),
  });
  running.push(awl.process);

  // Keep the key across restarts, so that a terminal that already has it keeps working; but not
  // one the events API would refuse to use (an older or hand-written .env).
  const kept = readEnvFile(envFile).AWL_API_KEY || undefined;
  const weak = kept === undefined ? undefined : weakApiKeys(parseApiKeys(kept), `AWL_API_KEY in ${envFile}`);
  if (weak) console.log(`dev: ${weak}\ndev: replacing it with a new key.`);
  const apiKey = kept !== undefined && !weak ? kept : generateApiKey();
  mergeEnvFile(envFile, { AWL_API_KEY: apiKey });

  console.log("dev: starting netlify dev...");
  const netlify = startNetlifyDev({ port, env: { ...awl.env, AWL_API_KEY: apiKey }, echo: console.log });
  running.push(netlify);
  await waitForEventsApi(siteUrl, apiKey, netlify, 180_000);

  // awl dev prints the dashboard's URL once it is up, or why it did not start.
  const dashboardUrl =
    /Dashboard\s+(http\S+)/.exec(awl.process.output())?.[1] ?? "not running (see the awl dev output above)";
  const data = {
    cartId: "cart_1",
    email: "ada@example.com",
    items: [{ sku: "tee", quantity: 2 }],
    total: 40,
  };
  console.log(`
Async Workloads demo is running (Ctrl-C stops it):
  dashboard     ${dashboardUrl}
  site          ${siteUrl}
  events API    ${siteUrl}/awl/api   (API key: AWL_API_KEY in .env)
  router        ${siteUrl}/.netlify/functions/awl-router
  QStash        ${awl.env.QSTASH_URL}
  Redis REST    ${awl.env.UPSTASH_REDIS_REST_URL}

Send a checkout, then watch its steps in the dashboard or in this terminal:
  npx awl send checkout --data '${JSON.stringify(data)}'
  npx awl events list
  npx awl events show <event id>

Force a payment outage, send another checkout, fix it and retry:
  curl -X POST ${siteUrl}/api/outages -d '{"provider":"payment","mode":"unauthorized"}'
  curl -X POST ${siteUrl}/api/outages -d '{"provider":"payment","mode":"up"}'
  npx awl events retry --all-dead-lettered
`);
  const code = await Promise.race(running.map((child) => child.exited));
  if (!stopping) {
    console.error(`dev: a service stopped (exit code ${code}); stopping the others`);
    await stopAll(1);
  }
} catch (error) {
  if (!stopping) {
    console.error(`dev: ${(error as Error).message}`);
    await stopAll(1);
  }
}
