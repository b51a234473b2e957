/**
 * Scenario 3, timers: runs that sleep 2 s (a step, the sleep, a step), all started together.
 * Lateness is when the code after the sleep ran minus when the sleep began plus 2 s, measured in
 * the workload itself, so it includes everything between the timer and the user's code (the
 * QStash delivery, claiming the run, replaying its journal).
 */
import { openLoop } from "../lib/drive.ts";
import { percentile, round } from "../lib/stats.ts";
import { allDone, roundRobin, type Scenario } from "./common.ts";

const SLEEP_MS = 2000;

export const timers: Scenario = async (lab, systems, options) => {
  const started = performance.now();
  const runs = options.quick ? 40 : 200;
  const spec = { name: "sleeper", event: "bench.sleep", steps: 1, sleepMs: SLEEP_MS };
  const result = await roundRobin(systems, options, "timers", async (system) => {
    const deployment = await lab.deploy(system, [spec]);
    try {
      const { events } = await openLoop(deployment, lab.tracker, spec.event, { count: runs, users: 16 });
      const keys = events.flatMap((event) => event.keys);
      await allDone(lab, keys, 60_000);
      const lateness = keys.map((key) => lab.tracker.lateness(key, SLEEP_MS));
      return {
        latenessP50Ms: round(percentile(lateness, 50)),
        latenessP99Ms: round(percentile(lateness, 99)),
        latenessMaxMs: round(Math.max(...lateness)),
        earlyRuns: lateness.filter((value) => value < 0).length,
      };
    } finally {
      await deployment.close();
    }
  });
  return {
    id: "timers",
    title: "3. Timers: runs sleeping 2 s",
    description: `${runs} runs started together, each sleeping ${SLEEP_MS / 1000} s; lateness of the code after the sleep.`,
    params: { runs, sleepMs: SLEEP_MS },
    metrics: [
      { key: "latenessP50Ms", label: "wake lateness p50 (ms)", better: "lower", headline: true },
      { key: "latenessP99Ms", label: "wake lateness p99 (ms)", better: "lower", headline: true },
      { key: "latenessMaxMs", label: "wake lateness max (ms)", better: "lower", headline: true },
      { key: "earlyRuns", label: "runs woken early", better: "lower", headline: true },
    ],
    systems: result,
    notes: [],
    durationMs: Math.round(performance.now() - started),
  };
};
