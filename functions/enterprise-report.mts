/**
 * Typed events with zod: `data` is typed from the catalog in _shared/events.ts (and validated before
 * the handler runs), and so is the event filter, which keeps this workload for enterprise customers:
 * other plans' events never start a run.
 *
 *   npx awl send report.requested --data '{"userId":"u_1","plan":"enterprise","month":"2024-11"}'
 */
import { asyncWorkload } from "@awl/client";
import { events } from "./_shared/events.ts";
import { sendEmail } from "./_shared/providers.ts";

export default asyncWorkload(
  async ({ data, step }) => {
    const report = await step.run("build-report", () => ({
      title: `Usage report ${data.month} for ${data.userId}`,
      rows: 42,
    }));
    await step.run("email-report", () => sendEmail(`${data.userId}@example.com`, report.title));
  },
  {
    events: "report.requested",
    catalog: events,
    eventFilter: ({ data }) => data.plan === "enterprise",
  },
);
