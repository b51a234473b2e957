/**
 * `npm run bench`: this project against Upstash Workflow and BullMQ, side by side in one run on
 * one machine, scenario by scenario; writes bench/results/latest.json and docs/benchmarks.md.
 *
 *   npm run bench [-- --quick] [--rounds N] [--only throughput,ten-step,timers,fan-out,growth,emulator-timers]
 *                 [--systems awl,upstash-workflow,bullmq] [--no-write] [--profile-dir DIR]
 *   npm run bench -- --report-only     (re-renders docs/benchmarks.md from bench/results/latest.json)
 *
 * `--quick` is a smoke run (small counts, one round, under a minute); the full run takes under 15
 * minutes. `--profile-dir` makes awl dev's child process write a CPU profile there (bench/profile.ts
 * uses it).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { Lab } from "./lib/lab.ts";
import { load, machine, packageVersion } from "./lib/machine.ts";
import {
  renderReport,
  type BenchResults,
  type ProfileSummary,
  type TransportExperiment,
} from "./lib/report.ts";
import { checkTargets } from "./lib/targets.ts";
import type { Scenario, ScenarioResult } from "./scenarios/common.ts";
import { measureQStashTimers } from "./scenarios/emulator-timers.ts";
import { fanOut } from "./scenarios/fan-out.ts";
import { growth } from "./scenarios/growth.ts";
import { tenStep } from "./scenarios/ten-step.ts";
import { throughput } from "./scenarios/throughput.ts";
import { timers } from "./scenarios/timers.ts";
import { awl } from "./systems/awl.ts";
import { bullmq } from "./systems/bullmq.ts";
import type { System } from "./systems/types.ts";
import { upstashWorkflow } from "./systems/upstash-workflow.ts";

const { values } = parseArgs({
  options: {
    quick: { type: "boolean", default: false },
    rounds: { type: "string" },
    only: { type: "string" },
    systems: { type: "string" },
    "no-write": { type: "boolean", default: false },
    "profile-dir": { type: "string" },
    "report-only": { type: "boolean", default: false },
  },
});

const resultsDir = new URL("./results/", import.meta.url);
const readJson = <T>(name: string): T | undefined => {
  const file = new URL(name, resultsDir);
  return existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as T) : undefined;
};
const writeReport = (results: BenchResults) =>
  writeFileSync(
    new URL("../docs/benchmarks.md", import.meta.url),
    renderReport(
      results,
      readJson<ProfileSummary>("profile.json"),
      readJson<TransportExperiment>("transport-experiment.json"),
    ),
  );
if (values["report-only"]) {
  const latest = readJson<BenchResults>("latest.json");
  if (!latest) throw new Error("no bench/results/latest.json: run npm run bench first");
  writeReport({ ...latest, targets: checkTargets(latest.scenarios) });
  console.log("wrote docs/benchmarks.md from bench/results/latest.json");
  process.exit(0);
}

const SCENARIOS: [string, Scenario][] = [
  ["throughput", throughput],
  ["ten-step", tenStep],
  ["timers", timers],
  ["fan-out", fanOut],
  ["growth", growth],
];
const ALL_SYSTEMS: System[] = [awl, upstashWorkflow, bullmq];

const quick = values.quick;
const rounds = values.rounds ? Number(values.rounds) : quick ? 1 : 3;
const only = values.only?.split(",");
const systems = values.systems
  ? ALL_SYSTEMS.filter((system) => values.systems!.split(",").includes(system.id))
  : ALL_SYSTEMS;
const log = (line: string) => console.log(line);
const command = `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(" ")}` : ""}`;

const started = performance.now();
const loadStart = load();
log(
  `bench: ${quick ? "quick" : "full"} run, ${rounds} round(s), systems ${systems.map((s) => s.id).join(", ")}, load ${loadStart.join(", ")}`,
);
const lab = await Lab.start(values["profile-dir"] ? { cpuProfileDir: values["profile-dir"] } : {});
const scenarios: ScenarioResult[] = [];
let emulatorTimers: BenchResults["emulatorTimers"];
try {
  for (const [id, scenario] of SCENARIOS) {
    if (only && !only.includes(id)) continue;
    log(`scenario ${id}`);
    const result = await scenario(lab, systems, { quick, rounds, log });
    scenarios.push(result);
    log(`scenario ${id}: ${Math.round(result.durationMs / 1000)} s`);
  }
  if (!only || only.includes("emulator-timers")) {
    log("scenario emulator-timers");
    const load1 = load()[0];
    const timersResult = quick
      ? await measureQStashTimers({
          redisUrl: lab.infraRedis.url,
          messages: 100,
          minDelayMs: 1000,
          maxDelayMs: 2000,
        })
      : await measureQStashTimers({
          redisUrl: lab.infraRedis.url,
          messages: 500,
          minDelayMs: 2000,
          maxDelayMs: 5000,
        });
    emulatorTimers = { ...timersResult, load1 };
  }
} finally {
  await lab.close();
}

const results: BenchResults = {
  date: new Date().toISOString(),
  quick,
  rounds,
  machine: machine(),
  load: { start: loadStart, end: load() },
  versions: {
    "@upstash/workflow": packageVersion("@upstash/workflow"),
    bullmq: packageVersion("bullmq"),
    "@upstash/qstash": packageVersion("@upstash/qstash"),
    "@upstash/redis": packageVersion("@upstash/redis"),
    ioredis: packageVersion("ioredis"),
    "redis-server": lab.appRedis.version,
  },
  systems: systems.map(({ id, label }) => ({ id, label })),
  scenarios,
  ...(emulatorTimers ? { emulatorTimers } : {}),
  targets: checkTargets(scenarios),
  durationMs: Math.round(performance.now() - started),
  command,
};

for (const scenario of scenarios) {
  log(`\n${scenario.title}`);
  console.table(
    Object.fromEntries(
      scenario.metrics
        .filter((metric) => metric.headline)
        .map((metric) => [
          metric.label,
          Object.fromEntries(
            systems.map((system) => [system.id, scenario.systems[system.id]?.median[metric.key]]),
          ),
        ]),
    ),
  );
  for (const note of scenario.notes) log(`  ${note}`);
}
for (const check of results.targets) {
  log(
    `target ${check.met ? "met   " : "MISSED"} ${check.target}: ${check.measured}${check.miss ? ` (${check.miss})` : ""}`,
  );
}
log(`bench: ${Math.round(results.durationMs / 1000)} s, load at end ${results.load.end.join(", ")}`);

if (!values["no-write"]) {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(new URL("latest.json", resultsDir), `${JSON.stringify(results, null, 2)}\n`);
  writeReport(results);
  log("wrote bench/results/latest.json and docs/benchmarks.md");
}
process.exit(0);
