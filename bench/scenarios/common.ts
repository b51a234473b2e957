/**
 * What scenarios share: the shape of a result (per system, the median over rounds of each metric
 * and every round's figures, with the machine load when the system's turn started), the metric
 * definitions the report renders, and the scenario definition the round runner (bench/lib/rounds.ts)
 * drives: one round of one scenario on one system at a time.
 */
import type { Lab } from "../lib/lab.ts";
import type { System, SystemId } from "../systems/types.ts";

export interface Metric {
  key: string;
  label: string;
  better: "lower" | "higher";
  /** Shown in the report's table (the others are kept in the JSON only). */
  headline?: boolean;
  /**
   * The service the figure counts use of. A peer that does not use that service at all (Upstash
   * Workflow keeps no state in Redis; BullMQ and Restate run no functions) is not "ahead" on it:
   * the billed-cost figure compares them.
   */
  service?: "redis" | "qstash" | "functions";
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

/** One scenario: what it measures, and one round of it on one system. */
export interface ScenarioDef {
  id: string;
  title: string;
  description(quick: boolean): string;
  params(quick: boolean): Record<string, number | string>;
  metrics: Metric[];
  /** The systems it compares (default: every system of the run). */
  includes?(system: System): boolean;
  round(lab: Lab, system: System, quick: boolean): Promise<Figures>;
  /** After the last round: figures derived from the medians (added to them), and notes. */
  finish?(systems: Partial<Record<SystemId, SystemResult>>): string[];
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

/** The systems that run their code as HTTP functions on Upstash (awl dev's services here). */
export const onUpstash = (system: System) => system.id === "awl" || system.id === "upstash-workflow";
