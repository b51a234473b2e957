/**
 * The workloads the reliability tests run, each step recorded in the ledger (see ledger.ts):
 *
 * - `chain`  ("chain"): steps s1..sN, each doing `workMs` of work; optionally a `step.sleep` after
 *            s1 and a failure after s1 on the first attempt (so retries and wakes are in flight).
 * - `overrun` ("overrun"): six 120 ms steps under a 300 ms time budget (so it continues in fresh
 *            invocations); on the first attempt step o2 takes `longMs`, past its lease, so another
 *            invocation takes the run over while o2 still runs.
 * - `never`  ("never"): step n1, then step n2 which never returns; maxRetries 1.
 * - `keys`   ("keys"): one step (and one step.sendEvent) per id in `data.stepIds`, whatever the ids.
 * - `proto`  ("proto"): fails (no retry) if Object.prototype was polluted; echoes its data in a step.
 */
import { setTimeout as delay } from "node:timers/promises";
import { asyncWorkload, type AsyncWorkloadFunction } from "../../../client/src/workload/async-workload.ts";
import { ErrorDoNotRetry } from "../../../client/src/engine/errors.ts";
import type { RegisteredWorkload } from "../../../client/src/engine/router.ts";
import type { Ledger } from "./ledger.ts";

export interface ChainData {
  steps?: number;
  workMs?: number;
  sleepMs?: number;
  failFirstAttempt?: boolean;
}

const jitter = (ms: number) => (ms > 0 ? Math.round(ms * (0.5 + Math.random())) : 0);

export function createWorkloads(ledger: Ledger): Record<string, AsyncWorkloadFunction> {
  const chain = asyncWorkload<ChainData>(
    async ({ data, step, runId, attempt }) => {
      const steps = data?.steps ?? 3;
      const workMs = data?.workMs ?? 0;
      for (let i = 1; i <= steps; i++) {
        await step.run(`s${i}`, () =>
          ledger.record(runId, `s${i}`, async () => {
            if (workMs) await delay(jitter(workMs));
            return { i };
          }),
        );
        if (i === 1 && data?.failFirstAttempt && attempt === 1)
          throw new Error("first attempt fails on purpose");
        if (i === 1 && data?.sleepMs) await step.sleep("nap", data.sleepMs);
      }
    },
    { events: "chain", name: "chain", timeBudget: "2s", maxRetries: 6, backoffSchedule: () => 250 },
  );

  const overrun = asyncWorkload<{ longMs?: number }>(
    async ({ data, step, runId, attempt }) => {
      for (let i = 1; i <= 6; i++) {
        await step.run(`o${i}`, () =>
          ledger.record(runId, `o${i}`, () => delay(i === 2 && attempt === 1 ? (data?.longMs ?? 120) : 120)),
        );
      }
    },
    { events: "overrun", name: "overrun", timeBudget: "300ms", maxRetries: 4, backoffSchedule: () => 250 },
  );

  const never = asyncWorkload(
    async ({ step, runId }) => {
      await step.run("n1", () => ledger.record(runId, "n1", () => "ok"));
      await step.run("n2", () => ledger.record(runId, "n2", () => new Promise<never>(() => undefined)));
    },
    { events: "never", name: "never", timeBudget: "300ms", maxRetries: 1, backoffSchedule: () => 250 },
  );

  const keys = asyncWorkload<{ stepIds?: string[] }>(
    async ({ data, step, runId }) => {
      for (const id of data?.stepIds ?? []) {
        await step.run(id, () => ledger.record(runId, id, () => id));
        // The send's step id is the id with ">" appended. (Only for ids up to 200 characters: a
        // longer one makes the derived idempotency key too long; see send-event-step-ids.test.ts.)
        if (id.length <= 200) await step.sendEvent(`${id}>`, "keys-child", { id });
      }
    },
    { events: "keys", name: "keys", maxRetries: 0 },
  );

  const proto = asyncWorkload<Record<string, unknown>>(
    async ({ data, step }) => {
      const probe = {} as Record<string, unknown>;
      if (probe.polluted !== undefined || typeof probe.constructor !== "function") {
        throw new ErrorDoNotRetry("Object.prototype was polluted");
      }
      await step.run("echo", () => data);
      await step.run("after", () => ({ polluted: ({} as Record<string, unknown>).polluted ?? null }));
    },
    { events: "proto", name: "proto", maxRetries: 0 },
  );

  return { chain, overrun, never, keys, proto };
}

/** The site's registry of these workloads, each served at /workloads/<key> (the router's). */
export function siteRegistry(workloads: Record<string, AsyncWorkloadFunction>): RegisteredWorkload[] {
  return Object.entries(workloads).map(([path, fn]) => {
    const { definition } = fn.awlWorkload;
    return {
      name: definition.name ?? path,
      events: definition.events,
      ...(definition.eventFilter ? { eventFilter: definition.eventFilter } : {}),
      maxRetries: definition.maxRetries,
      url: `/workloads/${path}`,
    };
  });
}
