/**
 * Scenario 3, timers: runs that sleep 2 s (a step, the sleep, a step), all started together, once
 * with awl dev scheduling to the millisecond (every system) and once with awl dev scheduling on
 * whole seconds as QStash does (`--granularity 1s`; the systems whose timers are QStash's: awl and
 * Upstash Workflow). Lateness is when the code after the sleep ran minus when the sleep began plus
 * 2 s, measured in the workload itself, so it includes everything between the timer and the user's
 * code (the delivery, claiming the run, replaying its journal). "Function time asleep" is the time
 * a run's functions were running between the sleep's start and its due time: billed time spent
 * waiting out a wake that came early, not working.
 */
import { openLoop } from "../lib/drive.ts";
import type { DevMode } from "../lib/lab.ts";
import { percentile, round } from "../lib/stats.ts";
import { allDone, onUpstash, type Figures, type ScenarioDef } from "./common.ts";

const SLEEP_MS = 2000;
const runsOf = (quick: boolean) => (quick ? 40 : 200);

export function timers(mode: Extract<DevMode, "exact" | "1s">): ScenarioDef {
  const exact = mode === "exact";
  const spec = { name: "sleeper", event: "bench.sleep", steps: 1, sleepMs: SLEEP_MS };
  return {
    id: exact ? "timers" : "timers-1s",
    title: exact
      ? "3. Timers: runs sleeping 2 s (awl dev's exact timers)"
      : "3b. Timers: runs sleeping 2 s, QStash's whole-second timers (awl dev --granularity 1s)",
    description: (quick) =>
      `${runsOf(quick)} runs started together, each sleeping ${SLEEP_MS / 1000} s; lateness of the code after the ` +
      (exact
        ? "sleep. awl dev releases a delayed QStash message at its millisecond."
        : "sleep. awl dev releases a delayed QStash message on the next whole second, as QStash does in production " +
          "(Restate and BullMQ keep their own timers and are measured in the exact run only)."),
    params: (quick) => ({ runs: runsOf(quick), sleepMs: SLEEP_MS, granularity: mode }),
    ...(exact ? {} : { includes: onUpstash }),
    async round(lab, system, quick) {
      const runs = runsOf(quick);
      const deployment = await lab.deploy(system, [spec], mode);
      try {
        const before = lab.tracker.functions;
        const { events } = await openLoop(deployment, lab.tracker, spec.event, { count: runs, users: 16 });
        const keys = events.flatMap((event) => event.keys);
        await allDone(lab, keys, 60_000);
        const after = lab.tracker.functions;
        const lateness = keys.map((key) => lab.tracker.lateness(key, SLEEP_MS));
        const asleep = keys.map((key) => lab.tracker.functionMsAsleep(key, SLEEP_MS));
        const functions: Figures = onUpstash(system)
          ? {
              functionMsPerWake: round(asleep.reduce((sum, ms) => sum + ms, 0) / keys.length),
              functionMsPerWakeP99: round(percentile(asleep, 99)),
              functionInvocationsPerRun: round((after.invocations - before.invocations) / keys.length),
              functionMsPerRun: round((after.ms - before.ms) / keys.length),
            }
          : {};
        return {
          latenessP50Ms: round(percentile(lateness, 50)),
          latenessP99Ms: round(percentile(lateness, 99)),
          latenessMaxMs: round(Math.max(...lateness)),
          earlyRuns: lateness.filter((value) => value < 0).length,
          ...functions,
        };
      } finally {
        await deployment.close();
      }
    },
    metrics: [
      { key: "latenessP50Ms", label: "wake lateness p50 (ms)", better: "lower", headline: true },
      { key: "latenessP99Ms", label: "wake lateness p99 (ms)", better: "lower", headline: true },
      { key: "latenessMaxMs", label: "wake lateness max (ms)", better: "lower", headline: true },
      { key: "earlyRuns", label: "runs woken early", better: "lower", headline: true },
      {
        key: "functionMsPerWake",
        label: "function time asleep / wake (ms, billed idle)",
        better: "lower",
        headline: true,
        service: "functions",
      },
      {
        key: "functionMsPerWakeP99",
        label: "function time asleep / wake p99 (ms)",
        better: "lower",
        service: "functions",
      },
      {
        key: "functionInvocationsPerRun",
        label: "function invocations / run",
        better: "lower",
        headline: true,
        service: "functions",
      },
      { key: "functionMsPerRun", label: "function time / run (ms)", better: "lower", service: "functions" },
    ],
  };
}
