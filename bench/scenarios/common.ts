/**
 * What scenarios share: the shape of a result (per system, the median over rounds of each metric
 * and every round's figures, with the machine load when the round started), the metric
 * definitions the report renders, and the round-robin runner (system A, B, C, then A, B, C again,
 * so a disturbance of the machine does not fall on one system only).
 */
import { load } from "../lib/machine.ts";
import type { Lab } from "../lib/lab.ts";
import { medianOfRounds } from "../lib/stats.ts";
import type { System, SystemId } from "../systems/types.ts";

export interface Metric {
  key: string;
  label: string;
  better: "lower" | "higher";
  /** Shown in the report's table (the others are kept in the JSON only). */
  headline?: boolean;
  /**
   * The service the figure counts use of. A peer that does not use that service at all (Upstash
   * Workflow keeps no state in Redis) is not "ahead" on it: the billed-cost figure compares them.
   */
  service?: "redis" | "qstash";
}

export type Figures = Record<string, number>;

export interface SystemResult {
  median: Figures;
  rounds: (Figures & { load1: number })[];
}

export interface ScenarioResult {
  id: string;
  title: string;
  description: string;
  params: Record<string, number | string>;
  metrics: Metric[];
  systems: Partial<Record<SystemId, SystemResult>>;
  notes: string[];
  durationMs: number;
}

export interface ScenarioOptions {
  quick: boolean;
  rounds: number;
  log: (line: string) => void;
}

export type Scenario = (lab: Lab, systems: System[], options: ScenarioOptions) => Promise<ScenarioResult>;

export async function roundRobin(
  systems: System[],
  options: ScenarioOptions,
  what: string,
  run: (system: System, round: number) => Promise<Figures>,
): Promise<Partial<Record<SystemId, SystemResult>>> {
  const rounds: Partial<Record<SystemId, (Figures & { load1: number })[]>> = {};
  for (let round = 0; round < options.rounds; round++) {
    for (const system of systems) {
      const load1 = load()[0];
      const started = performance.now();
      const figures = await run(system, round);
      (rounds[system.id] ??= []).push({ ...figures, load1 });
      options.log(
        `  ${what} round ${round + 1}/${options.rounds} ${system.id}: ${Math.round(performance.now() - started)} ms (load ${load1})`,
      );
    }
  }
  const out: Partial<Record<SystemId, SystemResult>> = {};
  for (const [id, list] of Object.entries(rounds) as [SystemId, (Figures & { load1: number })[]][]) {
    out[id] = { median: medianOfRounds(list), rounds: list };
  }
  return out;
}

/** Resolves when every key is done, or rejects naming how many are missing after `timeoutMs`. */
export async function allDone(lab: Lab, keys: string[], timeoutMs: number): Promise<number[]> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${lab.tracker.pending} run(s) not done after ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([Promise.all(keys.map((key) => lab.tracker.whenDone(key))), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
