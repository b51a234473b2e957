/**
 * The reconciler on a schedule, as a site runs it (there every minute; here every `intervalMs`,
 * with the outbox grace shortened to match). A failed pass (Redis or QStash down) is counted and
 * the next pass tries again.
 */
import { reconcile } from "../../../client/src/engine/reconciler.ts";
import type { Runtime } from "../../../client/src/engine/runtime.ts";

export interface ReconcilerLoop {
  /** Events and runs republished so far, and failed passes. */
  totals(): { events: number; runs: number; failedPasses: number };
  stop(): Promise<void>;
}

export function startReconcilerLoop(runtime: Runtime, intervalMs = 500): ReconcilerLoop {
  const totals = { events: 0, runs: 0, failedPasses: 0 };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      try {
        const report = await reconcile(runtime);
        totals.events += report.events;
        totals.runs += report.runs;
      } catch {
        totals.failedPasses++;
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    totals: () => ({ ...totals }),
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
