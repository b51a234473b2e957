/**
 * `npm run bench`: this project against Upstash Workflow, Restate and BullMQ, side by side in one
 * run on one machine; writes bench/results/latest.json, bench/results/profile.json and
 * docs/benchmarks.md.
 *
 *   npm run bench [-- --quick] [--rounds N] [--systems awl,upstash-workflow,restate,bullmq] [--no-write]
 *                 [--only throughput,ten-step,timers,timers-1s,fan-out,growth,production,flow-control,emulator-timers]
 *                 [--max-wait SECONDS] [--no-profile] [--profile-dir DIR]
 *   npm run bench -- --report-only     (re-renders docs/benchmarks.md from bench/results/latest.json)
 *
 * A run: a warm-up of every system, then rounds; each round waits (up to --max-wait, default 90 s;
 * 20 s with --quick) for the machine's 1-minute load to fall below 1.5, then runs every scenario
 * with the systems in an order rotated per round. Then the timer accuracy of awl dev's QStash
 * server, and (when it writes the report and runs every scenario) a CPU profile of awl's
 * single-step path (bench/profile.ts). On this 2-core machine the full run measures for about 5
 * minutes (warm-up about 30 s, each of 3 rounds about 85 s, the emulator's timers and the profile
 * about 20 s) and waits for a quiet machine at most 3 × 90 s: at most about 10 minutes. `--quick`
 * (small counts, one round) takes 1-2 minutes. `--profile-dir` makes awl dev's child process write
 * a CPU profile there (bench/profile.ts uses it).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Lab, MODELED_LATENCY, type DevMode } from "./lib/lab.ts";
import { load, machine, packageVersion } from "./lib/machine.ts";
import { profileSinglePath } from "./profile.ts";
import { renderReport, type BenchResults, type ProfileSummary } from "./lib/report.ts";
import { runRounds, warmUp } from "./lib/rounds.ts";
import { checkTargets } from "./lib/targets.ts";
import type { ScenarioDef } from "./scenarios/common.ts";
import { measureQStashTimers } from "./scenarios/emulator-timers.ts";
import { fanOut } from "./scenarios/fan-out.ts";
import { flowControl } from "./scenarios/flow-control.ts";
import { growth } from "./scenarios/growth.ts";
import { production } from "./scenarios/production.ts";
import { tenStep } from "./scenarios/ten-step.ts";
import { throughput } from "./scenarios/throughput.ts";
import { timers } from "./scenarios/timers.ts";
import { awl } from "./systems/awl.ts";
import { bullmq } from "./systems/bullmq.ts";
import { restateSystem } from "./systems/restate.ts";
import type { System } from "./systems/types.ts";
import { upstashWorkflow } from "./systems/upstash-workflow.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    rounds: { type: "string" },
    only: { type: "string" },
    systems: { type: "string" },
    "no-write": { type: "boolean", default: false },
    "no-profile": { type: "boolean", default: false },
    "max-wait": { type: "string" },
    "profile-dir": { type: "string" },
    "report-only": { type: "boolean", default: false },
  },
});

/** The 1-minute load average a round waits to fall below. */
const QUIET_LOAD = 1.5;

const resultsDir = new URL("./results/", import.meta.url);
const readJson = <T>(name: string): T | undefined => {
  const file = new URL(name, resultsDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as T) : undefined;
};
const writeReport = (results: BenchResults) =>
  writeFileSync(
    new URL("../docs/benchmarks.md", import.meta.url),
    renderReport(results, readJson<ProfileSummary>("profile.json")),
  );
if (values["report-only"]) {
  const latest = readJson<BenchResults>("latest.json");
  if (!latest) throw new Error("no bench/results/latest.json: run npm run bench first");
  if (!Array.isArray(latest.quiet) || !latest.modeledLatency || !latest.warmUp) {
    throw new Error(
      "bench/results/latest.json was written by an older bench (no per-round load checks, warm-up or modeled production run): run npm run bench",
    );
  }
  writeReport({ ...latest, targets: checkTargets(latest.scenarios) });
  console.log("wrote docs/benchmarks.md from bench/results/latest.json");
  process.exit(0);
}

const SCENARIOS: ScenarioDef[] = [
  throughput,
  tenStep,
  timers("exact"),
  timers("1s"),
  fanOut,
  growth,
  production,
  flowControl,
];
const ALL_SYSTEMS: System[] = [awl, upstashWorkflow, restateSystem, bullmq];

const quick = values.quick;
const rounds = values.rounds ? Number(values.rounds) : quick ? 1 : 3;
const only = values.only?.split(",");
const systems = values.systems
  ? ALL_SYSTEMS.filter((system) => values.systems!.split(",").includes(system.id))
  : ALL_SYSTEMS;
const scenarios = SCENARIOS.filter((scenario) => !only || only.includes(scenario.id));
const maxWaitMs = (values["max-wait"] !== undefined ? Number(values["max-wait"]) : quick ? 20 : 90) * 1000;
const log = (line: string) => console.log(line);
const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;
const warmUpCounts = quick ? { events: 300, multiStepRuns: 10 } : { events: 2000, multiStepRuns: 40 };

const started = performance.now();
const loadStart = load();
log(
  `bench: ${quick ? "quick" : "full"} run, ${rounds} round(s), systems ${systems.map((s) => s.id).join(", ")}, load ${loadStart.join(", ")}`,
);
const modes: DevMode[] = [];
if (scenarios.some((scenario) => scenario.id === "timers-1s")) modes.push("1s");
if (scenarios.some((scenario) => scenario.id === "production")) modes.push("modeled");
const lab = await Lab.start({
  ...(values["profile-dir"] ? { cpuProfileDir: values["profile-dir"] } : {}),
  modes,
  restate: systems.some((system) => system.id === "restate"),
});
let measured: Awaited<ReturnType<typeof runRounds>>;
let warm: Awaited<ReturnType<typeof warmUp>>;
let emulatorTimers: BenchResults["emulatorTimers"];
try {
  log("warm-up");
  warm = await warmUp(lab, systems, { ...warmUpCounts, log });
  measured = await runRounds(lab, systems, scenarios, {
    quick,
    rounds,
    log,
    quiet: { threshold: QUIET_LOAD, timeoutMs: maxWaitMs },
  });
  if (!only || only.includes("emulator-timers")) {
    log("emulator-timers");
    const load1 = load()[0];
    const timersResult = await measureQStashTimers({
      redisUrl: lab.infraRedis.url,
      ...(quick
        ? { messages: 100, minDelayMs: 1000, maxDelayMs: 2000 }
        : { messages: 500, minDelayMs: 2000, maxDelayMs: 5000 }),
    });
    emulatorTimers = { ...timersResult, load1 };
  }
} finally {
  await lab.close();
}

const write = !values["no-write"];
if (write && !only && !values["no-profile"] && !values["profile-dir"]) {
  log("profile: awl's single-step path under node --cpu-prof");
  await profileSinglePath();
}

const results: BenchResults = {
  date: new Date().toISOString(),
  quick,
  rounds,
  machine: machine(),
  load: { start: loadStart, end: load() },
  quiet: measured.quiet,
  warmUp: { ...warmUpCounts, durationMs: warm.durationMs },
  modeledLatency: MODELED_LATENCY,
  versions: {
    "@upstash/workflow": packageVersion("@upstash/workflow"),
    bullmq: packageVersion("bullmq"),
    "restate-server": lab.restate?.version ?? packageVersion("@restatedev/restate-server"),
    "@restatedev/restate-sdk": packageVersion("@restatedev/restate-sdk"),
    "@upstash/qstash": packageVersion("@upstash/qstash"),
    "@upstash/redis": packageVersion("@upstash/redis"),
    ioredis: packageVersion("ioredis"),
    "redis-server": lab.appRedis.version,
  },
  systems: systems.map(({ id, label }) => ({ id, label })),
  scenarios: measured.scenarios,
  ...(emulatorTimers ? { emulatorTimers } : {}),
  targets: checkTargets(measured.scenarios),
  durationMs: Math.round(performance.now() - started),
  command,
};

for (const scenario of results.scenarios) {
  log(`\n${scenario.title}`);
  console.table(
    Object.fromEntries(
      scenario.metrics
        .filter((metric) => metric.headline)
        .map((metric) => [
          metric.label,
          Object.fromEntries(
            systems
              .filter((system) => scenario.systems[system.id])
              .map((system) => [system.id, scenario.systems[system.id]?.median[metric.key]]),
          ),
        ]),
    ),
  );
  for (const note of scenario.notes) log(`  ${note}`);
}
for (const check of results.targets) {
  log(
    `target ${check.met === undefined ? "n/a   " : check.met ? "met   " : "MISSED"} ${check.target}: ${check.measured}${check.miss ? ` (${check.miss})` : ""}`,
  );
}
const unquiet = results.quiet.filter((check) => !check.quiet);
log(
  `bench: ${Math.round(results.durationMs / 1000)} s, load at end ${results.load.end.join(", ")}; ` +
    (unquiet.length === 0
      ? `load below ${QUIET_LOAD} at the start of every round`
      : `load never fell below ${QUIET_LOAD} before round(s) ${unquiet.map((check) => check.round + 1).join(", ")}`),
);

if (write) {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(new URL("latest.json", resultsDir), `${JSON.stringify(results, null, 2)}\n`);
  writeReport(results);
  log("wrote bench/results/latest.json and docs/benchmarks.md");
}
process.exit(0);
