/**
 * Scenario 2, a 10-step workload: per-step overhead (the wall time a step adds, from the 1-step
 * and 10-step runs: (t10 − t1) / 9), wall time, and what one run costs in QStash messages, Redis
 * round trips and commands, and bytes stored and sent.
 */
import { round } from "../lib/stats.ts";
import { costMetrics, runCost } from "./run-cost.ts";
import { roundRobin, type Scenario } from "./common.ts";

export const tenStep: Scenario = async (lab, systems, options) => {
  const started = performance.now();
  const runs = options.quick ? 5 : 20;
  const result = await roundRobin(systems, options, "ten-step", async (system) => {
    const one = await runCost(lab, system, 1, runs);
    const ten = await runCost(lab, system, 10, runs);
    return { ...ten, perStepOverheadMs: round((ten.wallMs! - one.wallMs!) / 9) };
  });
  return {
    id: "ten-step",
    title: "2. A 10-step workload",
    description:
      `${runs} runs of a 10-step workload, one at a time (and as many 1-step runs, for the per-step overhead ` +
      `(t10 − t1) / 9). Costs are per run.`,
    params: { runs, steps: 10 },
    metrics: [
      { key: "perStepOverheadMs", label: "per-step overhead (ms)", better: "lower", headline: true },
      ...costMetrics,
    ],
    systems: result,
    notes: [],
    durationMs: Math.round(performance.now() - started),
  };
};
