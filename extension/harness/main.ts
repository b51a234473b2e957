/**
 * `npm run harness -w extension -- --site http://localhost:8888 [--port 8899] [--api-key KEY]`:
 * serves the extension's site-configuration surface as the Netlify app would show it, for the site
 * at --site (e.g. the demo site under `npm run dev`), and prints the page to open. --api-key seeds
 * the site's AWL_API_KEY in the Netlify API stand-in, so the Events section can read that site.
 */
import { parseArgs } from "node:util";
import { startExtensionHarness } from "./server.ts";

const { values } = parseArgs({
  options: {
    site: { type: "string", default: "http://localhost:8888" },
    port: { type: "string", default: "8899" },
    "api-key": { type: "string" },
  },
});

const harness = await startExtensionHarness({
  siteUrl: values.site,
  port: Number(values.port),
  ...(values["api-key"] ? { env: { AWL_API_KEY: values["api-key"] } } : {}),
});
console.log(`Extension harness for ${values.site}\n  open ${harness.harnessUrl}`);

const stop = () => void harness.close().then(() => process.exit(0));
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
