/**
 * `npm run soak`: the long version of the reliability suite.
 *
 * 1. Load: 10,000 events (--events) through the whole local stack in 10 waves (--waves), nothing
 *    lost, every step run once; the resident memory of `awl dev` and of the site after each wave,
 *    and their peaks, to show memory does not follow the number of completed runs.
 * 2. Faults: every fault scenario of test/reliability with 1,000 events in flight (--fault-events),
 *    one file at a time.
 * 3. Cron (about 5 minutes): a `* * * * *` workload under the real `awl dev` over five minute
 *    boundaries, with awl dev killed while a firing is delivered and down across a boundary: each
 *    firing runs once, the on-time ones within the documented lateness (support/cron-soak.ts).
 * Every figures line is printed and collected in a JSON-lines file (printed at the end). Exits 1
 * if anything was lost or any scenario failed. --skip-load / --skip-faults / --skip-cron leave one out.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { startFaultStack } from "./support/fault-stack.ts";
import { CRON_LATENESS_MS, runCronSoak } from "./support/cron-soak.ts";
import { runLoad } from "./support/load.ts";
import { report } from "./support/report.ts";

const { values } = parseArgs({
  options: {
    events: { type: "string", default: "10000" },
    waves: { type: "string", default: "10" },
    "fault-events": { type: "string", default: "1000" },
    "skip-load": { type: "boolean", default: false },
    "skip-faults": { type: "boolean", default: false },
    "skip-cron": { type: "boolean", default: false },
  },
});
// Interrupted (Ctrl-C, kill): exit normally, so every child process is killed (support/children.ts).
for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, () => process.exit(130));

const results = join(mkdtempSync(join(tmpdir(), "awl-soak-")), "results.jsonl");
process.env.RELIABILITY_RESULTS = results;
let failed = false;

if (!values["skip-load"]) {
  const events = Number(values.events);
  const stack = await startFaultStack({ hostEnv: { AWL_LEASE_MARGIN: "30s" } });
  try {
    const figures = await runLoad(stack, {
      events,
      waves: Number(values.waves),
      log: (line) => console.log(`[soak] ${line}`),
    });
    // Memory against completed runs over the second half of the waves (after warm-up): the
    // least-squares slope, in MB per 1,000 more completed runs. Flat (about 0) means bounded.
    const half = figures.waves.slice(Math.floor(figures.waves.length / 2));
    const slope = (pick: (w: (typeof half)[number]) => number) => {
      const xs = half.map((w) => w.completedSoFar / 1000);
      const ys = half.map(pick);
      const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
      const my = ys.reduce((a, b) => a + b, 0) / ys.length;
      const num = xs.reduce((sum, x, i) => sum + (x - mx) * (ys[i]! - my), 0);
      const den = xs.reduce((sum, x) => sum + (x - mx) ** 2, 0);
      return den ? Math.round((num / den) * 10) / 10 : "n/a";
    };
    report("load-soak", {
      events: figures.events,
      accepted: figures.accepted,
      completed: figures.completed,
      deadLettered: figures.deadLettered,
      lost: figures.lost,
      inconsistent: figures.inconsistent,
      seconds: figures.seconds,
      eventsPerSecond: figures.eventsPerSecond,
      stepExecutions: figures.stepExecutions,
      reRuns: figures.reRuns,
      completedStepsRunAgain: figures.completedStepsRunAgain,
      peakRssMb: figures.peakRssMb,
      rssAfterWavesMb: figures.waves.map((w) => `${w.completedSoFar}:${w.devRssMb}/${w.hostRssMb}`).join(" "),
      devRssMbPer1000RunsSecondHalf: slope((w) => w.devRssMb),
      hostRssMbPer1000RunsSecondHalf: slope((w) => w.hostRssMb),
    });
    if (figures.lost || figures.completedStepsRunAgain || figures.completed !== events) failed = true;
  } catch (error) {
    console.error(`[soak] load failed: ${(error as Error).stack}`);
    failed = true;
  } finally {
    await stack.close();
  }
}

if (!values["skip-faults"]) {
  const run = spawnSync(
    process.execPath,
    [
      join(import.meta.dirname, "../../node_modules/vitest/vitest.mjs"),
      "run",
      "--no-file-parallelism",
      "test/reliability/faults-",
    ],
    {
      stdio: "inherit",
      env: { ...process.env, RELIABILITY_EVENTS: values["fault-events"], RELIABILITY_RESULTS: results },
      cwd: join(import.meta.dirname, "../.."),
    },
  );
  if (run.status !== 0) failed = true;
}

if (!values["skip-cron"]) {
  try {
    const cron = await runCronSoak((line) => console.log(`[soak] ${line}`));
    for (const firing of cron.firings) {
      console.log(
        `[soak] cron ${firing.boundary} ${firing.kind}: ${firing.events} event, ${firing.runs} run, ` +
          `${firing.deliveries} deliveries to the router, first ${firing.routerLatenessMs} ms after the minute, ` +
          `run started ${firing.runLatenessMs} ms after it`,
      );
    }
    const onTime = cron.firings.filter((firing) => firing.kind === "on time");
    report("cron-awl-dev", {
      firings: cron.firings.length,
      onTimeRunLatenessMs: onTime.map((firing) => firing.runLatenessMs ?? "none").join(" "),
      maxOnTimeRunLatenessMs: Math.max(...onTime.map((firing) => firing.runLatenessMs ?? Infinity)),
      documentedLatenessMs: CRON_LATENESS_MS,
      deliveredTwiceAcrossKillRuns:
        cron.firings.find((f) => f.kind === "delivery in flight at a kill")?.runs ?? 0,
      missedWhileStoppedRuns: cron.firings.find((f) => f.kind === "missed while stopped")?.runs ?? 0,
      missedWhileStoppedLatenessMs:
        cron.firings.find((f) => f.kind === "missed while stopped")?.runLatenessMs ?? "none",
      unexpectedFirings: cron.unexpected.length,
    });
    for (const failure of cron.failures) console.error(`[soak] cron FAILED: ${failure}`);
    console.log(cron.failures.length ? "[soak] cron: FAILED" : "[soak] cron: passed");
    if (cron.failures.length) failed = true;
  } catch (error) {
    console.error(`[soak] cron failed: ${(error as Error).stack}`);
    failed = true;
  }
}

console.log(`\n[soak] figures (${results}):`);
try {
  console.log(readFileSync(results, "utf8"));
} catch {
  console.log("(none)");
}
console.log(failed ? "[soak] FAILED" : "[soak] passed");
process.exit(failed ? 1 : 0);
