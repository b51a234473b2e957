/**
 * The files `awl init` adds to a site: an example workload and a function that sends it an event,
 * and the netlify.toml entry that loads the extension's build plugin from the site's node_modules.
 */

/** The extension's build plugin, by path: Netlify takes only bare package names or local paths. */
export const PLUGIN_PATH = "./node_modules/@awl/extension/plugin";

export const PLUGIN_ENTRY = `
# Async Workloads on Upstash: discovers the workloads in the functions folder, generates their
# router and adds the events API at /awl/api (added by \`awl init\`).
[[plugins]]
  package = "${PLUGIN_PATH}"
`;

export const DEFAULT_FUNCTIONS_DIRECTORY = "netlify/functions";

export const NEW_NETLIFY_TOML = `[functions]
  directory = "${DEFAULT_FUNCTIONS_DIRECTORY}"
${PLUGIN_ENTRY}`;

export const EXAMPLE_WORKLOAD_FILE = "hello-workload.mts";
export const EXAMPLE_SENDER_FILE = "send-hello.mts";

export const EXAMPLE_WORKLOAD = `import { asyncWorkload } from "@awl/client";

// Runs once for every "hello" event. Each step runs once: when a later step fails, the retry
// resumes after the last step that succeeded, with its stored result.
export default asyncWorkload<{ name?: string }>(
  async ({ data, step }) => {
    const greeting = await step.run("compose-greeting", () => \`Hello, \${data.name ?? "world"}!\`);
    await step.sleep("pause", "5s");
    await step.run("log-greeting", () => console.log(greeting));
  },
  { events: ["hello"] },
);
`;

export const EXAMPLE_SENDER = `import { AsyncWorkloadsClient } from "@awl/client";

const client = new AsyncWorkloadsClient();

// POST /api/send-hello {"name":"Ada"} sends a "hello" event; hello-workload runs it.
export default async (request: Request) => {
  const body = (await request.json().catch(() => ({}))) as { name?: string };
  const { eventId } = await client.send("hello", { name: body.name ?? "world" });
  return Response.json({ eventId }, { status: 202 });
};

export const config = { path: "/api/send-hello", method: "POST" };
`;
