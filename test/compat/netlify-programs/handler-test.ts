// A unit test of a handler, as a site writes one: a fake event typed as Netlify's AsyncWorkloadEvent.
import {
  asyncWorkloadFn,
  type AsyncWorkloadEvent,
  type CustomAsyncWorkloadEvent,
} from "@netlify/async-workloads";

type ReportEvent = CustomAsyncWorkloadEvent & {
  eventName: "report.requested";
  eventData: { reportId: string };
};

export async function buildReport(event: AsyncWorkloadEvent<ReportEvent>): Promise<void> {
  const rows = await event.step.run("query", async () => [{ id: event.eventData.reportId }]);
  await event.step.sleep("cool-down", 1000);
  await event.sendEvent("report.ready", { data: { rows: rows.length } });
}

export const fakeEvent: AsyncWorkloadEvent<ReportEvent> = {
  eventName: "report.requested",
  eventData: { reportId: "r1" },
  eventId: "evt-1",
  request: new Request("https://example.com/.netlify/functions/report"),
  attempt: 0,
  step: {
    run: async (_stepId, cb) => cb(),
    sleep: async () => undefined,
  },
  sendEvent: async () => ({ sendStatus: "succeeded", eventId: "evt-2" }),
};

export async function runTest(): Promise<void> {
  await buildReport(fakeEvent);
}

export default asyncWorkloadFn(buildReport);
