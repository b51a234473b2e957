/**
 * Scenario 5, growth: runs of 1, 10 and 100 steps, so the curve shows whether a run's cost is
 * linear in its steps. For each system and metric: the cost per step at 100 steps divided by the
 * cost per step at 10 steps (at most 1 when cost is linear with a fixed part; about 10 when it is
 * quadratic), and how far the 100-step figure lies above the straight line through the 1- and
 * 10-step ones (sensitive to noise in the small runs' wall times, so for costs more than for time).
 */
import { linearFit, round } from "../lib/stats.ts";
import type { SystemId } from "../systems/types.ts";
import { costMetrics, runCost } from "./run-cost.ts";
import type { Figures, ScenarioDef } from "./common.ts";

export const STEP_COUNTS = [1, 10, 100];
const GROWTH_KEYS = ["wallMs", "qstashMessages", "redisCalls", "redisCommands", "storedBytes", "wireBytes"];
const runsOf = (quick: boolean) => (quick ? 2 : 5);

export const growth: ScenarioDef = {
  id: "growth",
  title: "5. Growth: 1, 10 and 100 steps per run",
  description: (quick) =>
    `${runsOf(quick)} runs of each size, one at a time; costs per run. A cost is linear in steps (with a fixed part) when ` +
    "its cost per step at 100 steps is no higher than at 10 steps; quadratic growth shows as about 10×.",
  params: (quick) => ({ runs: runsOf(quick), steps: STEP_COUNTS.join(", ") }),
  async round(lab, system, quick) {
    const figures: Figures = {};
    for (const steps of STEP_COUNTS) {
      const cost = await runCost(lab, system, steps, runsOf(quick));
      for (const [key, value] of Object.entries(cost)) figures[`${key}@${steps}`] = value;
    }
    return figures;
  },
  finish(result) {
    const notes: string[] = [];
    for (const [id, systemResult] of Object.entries(result) as [SystemId, { median: Figures }][]) {
      const parts = GROWTH_KEYS.map((key) => {
        const at = (steps: number) => systemResult.median[`${key}@${steps}`] ?? NaN;
        const fit = linearFit(STEP_COUNTS.map((x) => ({ x, y: at(x) })));
        const perStep =
          at(10) === 0 ? (at(100) === 0 ? 1 : Infinity) : round(at(100) / 100 / (at(10) / 10), 2);
        systemResult.median[`${key}:superlinear`] = fit.extrapolationError;
        systemResult.median[`${key}:perStepGrowth`] = perStep;
        return `${key} ${perStep}× (${fit.extrapolationError >= 0 ? "+" : ""}${Math.round(fit.extrapolationError * 100)}%)`;
      });
      notes.push(
        `${id}: cost per step at 100 steps ÷ at 10 steps (and the 100-step figure vs the 1→10 line): ${parts.join(", ")}`,
      );
    }
    return notes;
  },
  metrics: STEP_COUNTS.flatMap((steps) =>
    costMetrics
      .filter((metric) => GROWTH_KEYS.includes(metric.key))
      .map((metric) => ({
        ...metric,
        key: `${metric.key}@${steps}`,
        label: `${metric.label}, ${steps} step(s)`,
      })),
  ),
};
