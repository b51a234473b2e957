/**
 * The round runner: every scenario, round after round, each round started only once the machine
 * is quiet (quiet.ts), with the order of systems rotated per round (A B C D, then B C D A, ...) so
 * that neither a disturbance of the machine nor the warmth another system left behind falls on one
 * system only. Before the first round, `warmUp` runs every system's single- and multi-step paths
 * long enough for the JIT to settle: all systems share the application process (hosts, official
 * clients, HTTP stack), so a system measured cold would pay for, or profit from, another's warm-up.
 */
import { closedLoop } from "./drive.ts";
import type { Lab } from "./lab.ts";
import { load } from "./machine.ts";
import { waitForQuiet, type QuietCheck } from "./quiet.ts";
import { medianOfRounds } from "./stats.ts";
import type { Figures, ScenarioDef, ScenarioResult, SystemResult } from "../scenarios/common.ts";
import type { System, SystemId } from "../systems/types.ts";

export interface RoundOptions {
  quick: boolean;
  rounds: number;
  log: (line: string) => void;
  /** The 1-minute load average each round waits to fall below, and for how long at most. */
  quiet: { threshold: number; timeoutMs: number };
}

/** `systems` rotated left by `round`. */
export function rotation<T>(systems: readonly T[], round: number): T[] {
  if (systems.length === 0) return [];
  const by = round % systems.length;
  return [...systems.slice(by), ...systems.slice(0, by)];
}

/** Warm-up: single-step events and 10-step runs on every system, nothing measured. */
export async function warmUp(
  lab: Lab,
  systems: System[],
  options: { events: number; multiStepRuns: number; log: (line: string) => void },
): Promise<{ durationMs: number }> {
  const started = performance.now();
  for (const system of systems) {
    const began = performance.now();
    const single = { name: "warmsingle", event: "bench.warm.single", steps: 1 };
    const multi = { name: "warmten", event: "bench.warm.ten", steps: 10 };
    const deployment = await lab.deploy(system, [single, multi]);
    try {
      await closedLoop(deployment, lab.tracker, single.event, {
        count: options.events,
        users: 32,
        firstSeq: 8_000_000,
      });
      await closedLoop(deployment, lab.tracker, multi.event, {
        count: options.multiStepRuns,
        users: 4,
        firstSeq: 8_500_000,
      });
    } finally {
      await deployment.close();
    }
    options.log(
      `  warm-up ${system.id}: ${options.events} single-step events, ${options.multiStepRuns} 10-step runs, ${Math.round(performance.now() - began)} ms`,
    );
  }
  return { durationMs: Math.round(performance.now() - started) };
}

export async function runRounds(
  lab: Lab,
  systems: System[],
  scenarios: ScenarioDef[],
  options: RoundOptions,
): Promise<{ scenarios: ScenarioResult[]; quiet: QuietCheck[] }> {
  const figures = new Map<string, Partial<Record<SystemId, (Figures & { load1: number })[]>>>();
  const durations = new Map<string, number>();
  const quiet: QuietCheck[] = [];
  for (let round = 0; round < options.rounds; round++) {
    const check = await waitForQuiet({ round, ...options.quiet, log: options.log });
    quiet.push(check);
    const order = rotation(systems, round);
    options.log(
      `round ${round + 1}/${options.rounds}: load ${check.load1}${check.quiet ? "" : ` (not below ${check.threshold} after ${Math.round(check.waitedMs / 1000)} s)`}, order ${order.map((s) => s.id).join(", ")}`,
    );
    for (const scenario of scenarios) {
      const byScenario = figures.get(scenario.id) ?? {};
      figures.set(scenario.id, byScenario);
      for (const system of order) {
        if (scenario.includes && !scenario.includes(system)) continue;
        const load1 = load()[0];
        const started = performance.now();
        const result = await scenario.round(lab, system, options.quick);
        const tookMs = performance.now() - started;
        durations.set(scenario.id, (durations.get(scenario.id) ?? 0) + tookMs);
        (byScenario[system.id] ??= []).push({ ...result, load1 });
        options.log(`  ${scenario.id} ${system.id}: ${Math.round(tookMs)} ms (load ${load1})`);
      }
    }
  }
  const results = scenarios.map((scenario): ScenarioResult => {
    const systemsResult: Partial<Record<SystemId, SystemResult>> = {};
    for (const [id, list] of Object.entries(figures.get(scenario.id) ?? {}) as [
      SystemId,
      (Figures & { load1: number })[],
    ][]) {
      systemsResult[id] = { median: medianOfRounds(list), rounds: list };
    }
    const notes = scenario.finish?.(systemsResult) ?? [];
    return {
      id: scenario.id,
      title: scenario.title,
      description: scenario.description(options.quick),
      params: scenario.params(options.quick),
      metrics: scenario.metrics,
      systems: systemsResult,
      notes,
      durationMs: Math.round(durations.get(scenario.id) ?? 0),
    };
  });
  return { scenarios: results, quiet };
}
