/**
 * Scenario 2, a 10-step workload: per-step overhead (the wall time a step adds, from the 1-step
 * and 10-step runs: (t10 − t1) / 9), wall time, and what one run costs in QStash messages, Redis
 * round trips and commands, function invocations and time, and bytes stored and sent.
 */
import { round } from "../lib/stats.ts";
import { costMetrics, runCost } from "./run-cost.ts";
import type { ScenarioDef } from "./common.ts";

const runsOf = (quick: boolean) => (quick ? 5 : 20);

export const tenStep: ScenarioDef = {
  id: "ten-step",
  title: "2. A 10-step workload",
  description: (quick) =>
    `${runsOf(quick)} runs of a 10-step workload, one at a time (and as many 1-step runs, for the per-step overhead ` +
    `(t10 − t1) / 9). Costs are per run.`,
  params: (quick) => ({ runs: runsOf(quick), steps: 10 }),
  async round(lab, system, quick) {
    const one = await runCost(lab, system, 1, runsOf(quick));
    const ten = await runCost(lab, system, 10, runsOf(quick));
    return { ...ten, perStepOverheadMs: round((ten.wallMs! - one.wallMs!) / 9) };
  },
  metrics: [
    { key: "perStepOverheadMs", label: "per-step overhead (ms)", better: "lower", headline: true },
    ...costMetrics,
  ],
};
