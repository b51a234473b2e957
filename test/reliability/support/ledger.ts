/**
 * The step-execution ledger: every execution of a test workload's step is recorded in Redis
 * (directly, not through awl dev, so a cut between awl dev and Redis does not touch it), with a
 * random token per execution so a command resent after a lost reply is counted once.
 *
 * At the start of each execution one Lua script checks, atomically with respect to the engine's
 * own scripts, whether that step is already in the run's journal. If it is, a step that completed
 * is running again: that is the invariant "a completed step never runs again" broken, and the
 * execution is added to the `violations` set. Executions of a step that had not completed (its
 * process died, its lease was taken over, its checkpoint could not be written) are re-runs by
 * design (at least once) and are only counted.
 */
import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import { engineKeys } from "../../../client/src/engine/keys.ts";

export const LEDGER_PREFIX = "reliability-ledger:";

const START = `
local done = redis.call('HEXISTS', ARGV[1], ARGV[2])
redis.call('HSETNX', ARGV[3], ARGV[5], ARGV[6])
if done == 1 then redis.call('SADD', ARGV[4], ARGV[5]) end
return done`;

export interface LedgerSummary {
  /** Step executions recorded. */
  executions: number;
  /** Distinct (run, step) pairs executed. */
  steps: number;
  /** Executions beyond the first of a (run, step): the at-least-once re-runs. */
  reRuns: number;
  /** Executions that began but never reached their end (their process died or they hang). */
  unfinished: number;
  /** Executions of a step that was already completed in the journal: must be 0. */
  completedStepsRunAgain: number;
}

export class Ledger {
  private readonly keys: { executions: string; ends: string; violations: string };
  private readonly journal: (runId: string) => string;

  constructor(
    private readonly redis: Redis,
    enginePrefix: string,
  ) {
    const base = `${LEDGER_PREFIX}${enginePrefix}`;
    this.keys = { executions: `${base}exec`, ends: `${base}end`, violations: `${base}violations` };
    this.journal = engineKeys(enginePrefix).runSteps;
  }

  /** Records the start of an execution; returns its token. */
  async start(runId: string, stepId: string): Promise<string> {
    const token = randomBytes(6).toString("hex");
    const field = `${runId}\u0000${stepId}\u0000${token}`;
    await this.redis.eval(
      START,
      0,
      this.journal(runId),
      stepId,
      this.keys.executions,
      this.keys.violations,
      field,
      String(Date.now()),
    );
    return field;
  }

  async end(field: string): Promise<void> {
    await this.redis.hsetnx(this.keys.ends, field, String(Date.now()));
  }

  /** Runs `fn` as one recorded execution. */
  async record<T>(runId: string, stepId: string, fn: () => Promise<T> | T): Promise<T> {
    const field = await this.start(runId, stepId);
    const result = await fn();
    await this.end(field);
    return result;
  }

  async summary(): Promise<LedgerSummary> {
    const executions = await hashFields(this.redis, this.keys.executions);
    const ends = new Set(await hashFields(this.redis, this.keys.ends));
    const perStep = new Map<string, number>();
    for (const field of executions) {
      const [runId, stepId] = field.split("\u0000");
      const key = `${runId}\u0000${stepId}`;
      perStep.set(key, (perStep.get(key) ?? 0) + 1);
    }
    let reRuns = 0;
    for (const count of perStep.values()) reRuns += count - 1;
    return {
      executions: executions.length,
      steps: perStep.size,
      reRuns,
      unfinished: executions.filter((field) => !ends.has(field)).length,
      completedStepsRunAgain: await this.redis.scard(this.keys.violations),
    };
  }
}

async function hashFields(redis: Redis, key: string): Promise<string[]> {
  const fields: string[] = [];
  let cursor = "0";
  do {
    const [next, flat] = await redis.hscan(key, cursor, "COUNT", 1000);
    for (let i = 0; i < flat.length; i += 2) fields.push(flat[i]!);
    cursor = next;
  } while (cursor !== "0");
  return fields;
}
