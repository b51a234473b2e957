/**
 * The reconciler: republishes accepted work that should be in flight but may not be — an event
 * whose publish failed, a run whose message was lost, a run whose lease expired because its
 * invocation died. It reads only the outbox entries that are due, so running it often is cheap.
 */
import type { OutboundMessage } from "../transport/publish.ts";
import type { Runtime } from "./runtime.ts";
import { runDelivery } from "./undelivered.ts";

export interface ReconcileReport {
  events: number;
  runs: number;
}

const PAGE = 100;
/** Bounds one reconcile call; what is left is picked up by the next. */
const MAX_PAGES = 50;

export async function reconcile(runtime: Runtime): Promise<ReconcileReport> {
  const report: ReconcileReport = { events: 0, runs: 0 };
  for (let page = 0; page < MAX_PAGES; page++) {
    const due = await runtime.store.dueEntries(runtime.now(), PAGE);
    const messages: OutboundMessage[] = due.map((entry) =>
      entry.kind === "route"
        ? { url: runtime.routerUrl, body: { eventId: entry.id, name: entry.target } }
        : runDelivery(runtime, { runId: entry.id, url: entry.target, generation: entry.generation }),
    );
    await runtime.publisher.publish(messages);
    for (const entry of due) report[entry.kind === "route" ? "events" : "runs"]++;
    if (due.length < PAGE) break;
  }
  return report;
}
