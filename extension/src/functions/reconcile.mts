/**
 * The reconciler, injected into the site as a scheduled function: every minute it republishes
 * accepted work that should be in flight but is not (a failed publish, a lost message, an expired
 * lease). `POST /awl/api/reconcile` runs the same pass on demand.
 */
import { MissingEnvironmentError, reconcile, runtimeFromEnv } from "@awl/client";

export default async function reconcileNow(): Promise<Response> {
  try {
    const report = await reconcile(runtimeFromEnv());
    if (report.events || report.runs) {
      console.log(`awl: reconciler republished ${report.events} events and ${report.runs} runs`);
    }
    return Response.json(report);
  } catch (error) {
    // Not configured yet: say which variables are missing instead of failing every minute silently.
    if (error instanceof MissingEnvironmentError) {
      console.error(`awl: ${error.message}`);
      return Response.json({ error: error.message }, { status: 500 });
    }
    throw error;
  }
}

// A literal: Netlify reads the schedule from the source without running it.
export const config = { schedule: "* * * * *" };
