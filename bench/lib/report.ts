/**
 * Renders a run's results as docs/benchmarks.md: how to reproduce, the machine and its load, the
 * versions, the targets, then one table per scenario (each system's median over rounds, and how
 * far ahead this project is of each peer), the timer accuracy of awl dev itself, the profile, and
 * the notes that explain the figures.
 */
import type { Metric, ScenarioResult } from "../scenarios/common.ts";
import type { TimerAccuracy } from "../scenarios/emulator-timers.ts";
import type { SystemId } from "../systems/types.ts";
import type { Machine } from "./machine.ts";
import type { ProfileRow } from "./profile.ts";
import { advantage } from "./stats.ts";
import type { TargetCheck } from "./targets.ts";

export interface BenchResults {
  date: string;
  quick: boolean;
  rounds: number;
  machine: Machine;
  load: { start: [number, number, number]; end: [number, number, number] };
  versions: Record<string, string>;
  systems: { id: SystemId; label: string }[];
  scenarios: ScenarioResult[];
  emulatorTimers?: TimerAccuracy & { load1: number };
  targets: TargetCheck[];
  durationMs: number;
  command: string;
}

export interface ProfileSummary {
  date: string;
  command: string;
  load: [number, number, number];
  processes: { name: string; rows: ProfileRow[] }[];
}

export interface TransportExperiment {
  date: string;
  command: string;
  variants: { name: string; idleP50Ms: number; eventsPerSecond: number; loads: number[] }[];
}

const PEERS: SystemId[] = ["upstash-workflow", "bullmq"];

export function formatNumber(value: number | undefined): string {
  if (value === undefined || Number.isNaN(value)) return "–";
  if (value === Infinity) return "∞";
  if (Math.abs(value) >= 10_000) return Math.round(value).toLocaleString("en-US");
  if (Math.abs(value) >= 100) return String(Math.round(value * 10) / 10);
  return String(Math.round(value * 100) / 100);
}

export function formatAdvantage(value: number | undefined): string {
  if (value === undefined) return "–";
  if (value === Infinity) return "∞ (we spend none)";
  const text = `${formatNumber(value)}×`;
  return value >= 1 ? `**${text}**` : text;
}

function scenarioTable(
  scenario: ScenarioResult,
  systems: { id: SystemId; label: string }[],
  all: boolean,
): string {
  const present = systems.filter((system) => scenario.systems[system.id]);
  const peers = PEERS.filter((peer) => scenario.systems[peer] && scenario.systems.awl);
  const header = [
    "metric",
    ...present.map((system) => system.label),
    ...peers.map((peer) => `awl ahead of ${systems.find((s) => s.id === peer)?.label ?? peer} by`),
  ];
  const lines = [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`];
  const metrics: Metric[] = scenario.metrics.filter((metric) => all || metric.headline);
  for (const metric of metrics) {
    const ours = scenario.systems.awl?.median[metric.key];
    const cells = [
      metric.label,
      ...present.map((system) => formatNumber(scenario.systems[system.id]?.median[metric.key])),
      ...peers.map((peer) => {
        const theirs = scenario.systems[peer]?.median[metric.key] ?? NaN;
        // A peer that does not use the service at all is not comparable on it (the price row is).
        if (metric.service && theirs === 0)
          return `n/a (no ${metric.service === "redis" ? "Redis" : "QStash"})`;
        return formatAdvantage(advantage(ours ?? NaN, theirs, metric.better));
      }),
    ];
    lines.push(`| ${cells.join(" | ")} |`);
  }
  const loads = present
    .map(
      (system) =>
        `${system.label}: ${scenario.systems[system.id]!.rounds.map((round) => round.load1).join(", ")}`,
    )
    .join("; ");
  lines.push("", `Load (1-min average) at the start of each round: ${loads}.`);
  return lines.join("\n");
}

export function renderReport(
  results: BenchResults,
  profile?: ProfileSummary,
  experiment?: TransportExperiment,
): string {
  const { machine } = results;
  const out: string[] = [];
  out.push(
    "# Benchmarks against peers",
    "",
    "<!-- Written by `npm run bench` (bench/run.ts); edit the generator, not this file. -->",
    "",
    `This project (awl), **Upstash Workflow** and **BullMQ**, run side by side on the same machine in the same run, ` +
      `${results.rounds} round(s) per scenario with the systems interleaved; every figure is the median over rounds. ` +
      `"awl ahead by" is the peer's figure divided by ours for costs and times, and ours divided by the peer's for ` +
      "rates: above 1 (bold) means we are ahead by that factor, below 1 means the peer is.",
    "",
    results.quick
      ? "> **These are `--quick` figures** (small counts, one round) from a smoke run: they show the shape, not final numbers. " +
          "Re-run `npm run bench` on a quiet machine for figures to quote."
      : "> Figures from a full run. They are only as good as the machine was quiet: see the load figures.",
    "",
    "## How to reproduce",
    "",
    "```sh",
    "npm install            # bullmq and @upstash/workflow are root devDependencies",
    "npm run bench          # full run (under 15 minutes): writes bench/results/latest.json and this file",
    "npm run bench -- --quick                                  # smoke run, under a minute",
    "npm run bench -- --only throughput,timers --systems awl,bullmq --rounds 5",
    "npm run bench:profile  # CPU profiles (node --cpu-prof) of a quick throughput run of awl, summarized",
    "npm run bench:timers   # timer accuracy of awl dev's QStash server alone",
    "```",
    "",
    "Needs `redis-server` on the PATH: the run starts two private Redis servers (the application's, and the one behind " +
      "the QStash emulator) so that commands, bytes and memory measured are nobody else's. awl dev's services (the " +
      "Upstash Redis REST API and the QStash server) run in a child process, as Redis does for BullMQ; the workload " +
      "functions of awl and Upstash Workflow are served by a lightweight Fetch-API server (@hono/node-server), **not** " +
      "`netlify dev`, whose own cost per call (about 170 ms here) would hide everything measured.",
    "",
    "## Machine and versions",
    "",
    `- Run: ${results.date}, \`${results.command}\`, ${Math.round(results.durationMs / 1000)} s`,
    `- Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}`,
    `- Load average (1, 5, 15 min) at start: ${results.load.start.join(", ")}; at end: ${results.load.end.join(", ")} ` +
      `(on ${machine.cpus} cores; anything near or above ${machine.cpus} means the figures are pessimistic)`,
    `- Versions: ${Object.entries(results.versions)
      .map(([name, version]) => `${name} ${version}`)
      .join(", ")}`,
    "",
    "## Targets",
    "",
    "| target | measured | met |",
    "| --- | --- | --- |",
    ...results.targets.map(
      (check) =>
        `| ${check.target} | ${check.measured} | ${check.met === undefined ? "–" : check.met ? "yes" : `**no**${check.miss ? `: ${check.miss}` : ""}`} |`,
    ),
    "",
  );
  for (const scenario of results.scenarios) {
    out.push(
      `## ${scenario.title}`,
      "",
      scenario.description,
      "",
      scenarioTable(scenario, results.systems, false),
      "",
    );
    for (const note of scenario.notes) out.push(`- ${note}`);
    if (scenario.notes.length) out.push("");
    out.push(
      "<details><summary>all figures</summary>",
      "",
      scenarioTable(scenario, results.systems, true),
      "",
      "</details>",
      "",
    );
  }
  if (results.emulatorTimers) {
    const t = results.emulatorTimers;
    out.push(
      "## Timer accuracy of awl dev's QStash server",
      "",
      `${t.delivered}/${t.messages} messages with delays of ${t.delaysMs[0]}–${t.delaysMs[1]} ms to a bare node:http ` +
        `receiver (load ${t.load1}). Lateness vs the scheduled time (ms): p50 ${t.latenessMs.p50}, p99 ${t.latenessMs.p99}, ` +
        `max ${t.latenessMs.max}; from the publisher's clock: p50 ${t.latenessFromPublisherClockMs.p50}, p99 ` +
        `${t.latenessFromPublisherClockMs.p99}. Redis round trips per message (publish → delivered): ${t.redisRoundTripsPerMessage}.`,
      "",
    );
  }
  if (profile) {
    out.push(
      "## Where the time goes (CPU profile)",
      "",
      `\`${profile.command}\`, ${profile.date}, load ${profile.load.join(", ")}. Self time, with Node internals and ` +
        "native code charged to the package or project folder that called them; idle time left out.",
      "",
    );
    for (const proc of profile.processes) {
      out.push(`**${proc.name}**`, "", "| where | ms | share |", "| --- | --- | --- |");
      for (const row of proc.rows.slice(0, 15)) out.push(`| ${row.where} | ${row.selfMs} | ${row.share}% |`);
      out.push("");
    }
  }
  out.push(...findings(results, profile, experiment));
  if (experiment) {
    out.push(
      "## Experiment: the official clients without fetch",
      "",
      `\`${experiment.command}\`, ${experiment.date}. The same single-step runs of awl with the official clients' ` +
        "HTTP layer (Node's fetch) swapped for node:http keep-alive requests (bench/experiments/node-http-transport.ts, " +
        "a measuring device, not product code); medians over rounds, variants interleaved.",
      "",
      "| variant | send→done p50, idle (ms) | events/s, 64 senders | load per round |",
      "| --- | --- | --- | --- |",
      ...experiment.variants.map(
        (variant) =>
          `| ${variant.name} | ${formatNumber(variant.idleP50Ms)} | ${formatNumber(variant.eventsPerSecond)} | ${variant.loads.join(", ")} |`,
      ),
      "",
    );
  }
  out.push(
    "## Method and caveats",
    "",
    "- **Same work everywhere.** Every step returns a small JSON result that is stored durably before the next step " +
      "starts: our journal (one fenced Lua checkpoint), Upstash Workflow's step message (the result travels through " +
      "QStash), BullMQ's `job.updateData` with the step reached and the results so far (BullMQ's \"process step jobs\" " +
      "guide). Sleeps: `step.sleep`, `context.sleep`, `moveToDelayed` + `DelayedError`.",
    "- **Done** means: our workload answered `completed` (after the outcome was stored); Upstash Workflow's invocation " +
      "that ran the workflow's last line (and ended the run at QStash) answered; BullMQ's worker emitted `completed`.",
    "- **Upstash Workflow runs against awl dev's QStash server**, the same one our engine uses. awl dev schedules " +
      "delays to the millisecond, while QStash in production schedules in whole seconds: that favours Upstash " +
      "Workflow's sleeps here (our engine already rounds down and waits out the fraction in-process, so it is on time " +
      "in production too).",
    "- **BullMQ talks to Redis over TCP (RESP); awl talks to Upstash Redis over HTTP**, as it must in production. " +
      '"Redis round trips" are HTTP requests to the REST API for awl and commands sent by ioredis for BullMQ; ' +
      '"Redis commands executed" counts what Redis ran, including inside Lua scripts (INFO commandstats of the private ' +
      'application Redis). "Bytes on the wire" are counted at the sockets of the application process (headers and ' +
      "framing included): Redis, the QStash API, and QStash's deliveries to the functions.",
    "- **Bytes stored** are the MEMORY USAGE of the keys a run leaves in the application Redis once it is done " +
      "(awl keeps a completed run 7 days by default, BullMQ keeps completed jobs unless told otherwise; Upstash " +
      "Workflow keeps nothing in the user's Redis: its state travels in QStash messages).",
    "- **Netlify's `@netlify/async-workloads` is not included**: it cannot run here without the network or Netlify's " +
      "platform. Its router, scheduler and state processors are Netlify functions that the Netlify extension injects " +
      "at build time, invoked with platform-issued keys, driven by Netlify scheduled functions and storing state in " +
      "Netlify Blobs; running it means `netlify dev` (whose ~170 ms per call would swamp every figure) or " +
      "re-implementing those platform pieces, which would no longer measure Netlify's product.",
    "- Two cores are shared by the private Redis servers, awl dev's process and the application process (and, while " +
      "these figures were taken, by other work on the machine: see the load). Latencies under load include queueing " +
      "behind the other senders.",
    "",
  );
  return out.join("\n");
}

/** Share (%) of a process's busy time spent in fetch and what it drags in (undici, WHATWG streams). */
export function fetchShare(rows: { where: string; share: number }[]): number {
  const total = rows
    .filter((row) => /undici|webstreams/.test(row.where))
    .reduce((sum, row) => sum + row.share, 0);
  return Math.round(total);
}

/** Why the latency and throughput targets are where they are, from the figures of this run. */
function findings(
  results: BenchResults,
  profile?: ProfileSummary,
  experiment?: TransportExperiment,
): string[] {
  const figure = (id: string, system: SystemId, key: string) =>
    results.scenarios.find((scenario) => scenario.id === id)?.systems[system]?.median[key];
  const ours = (key: string) => figure("throughput", "awl", key);
  const app = profile?.processes.find((proc) => proc.name.startsWith("application"));
  const fetchFigures = experiment?.variants[0];
  const noFetch = experiment?.variants.at(-1);
  const out = [
    "## Why the latency and throughput targets are missed",
    "",
    `- **Hops.** A single-step event is, for awl, 9 sequential HTTP exchanges: ${Math.round(ours("redisCallsPerEvent") ?? 5)} ` +
      "Redis REST round trips (enqueue, route, claim, checkpoint, finish; each one Lua script, which is what keeps " +
      "persist-before-publish and the fenced transitions), 2 QStash publishes (event → router, run → workload) and 2 " +
      "QStash deliveries. Upstash Workflow's is 5 (the trigger, 2 deliveries, the step's publish and the end-of-run " +
      "call) with no Redis at all (its state travels in the messages, which is why it grows quadratically: see " +
      "growth); BullMQ's is one `add` and a worker's Redis commands over a persistent TCP connection.",
  ];
  if (app) {
    out.push(
      `- **Cost per hop.** In the application process (the engine, the functions' host and the official clients), ` +
        `${fetchShare(app.rows)}% of the busy CPU time is Node's fetch (undici and the WHATWG streams it builds for ` +
        "every request and response; see the profile above), before counting the socket writes it triggers. Both " +
        "official clients send every request through the global fetch, which on this machine costs about a " +
        "millisecond of CPU per request, so nine hops cannot fit in 10 ms here, and the CPU per event caps throughput.",
    );
  }
  if (fetchFigures && noFetch) {
    out.push(
      `- **Measured.** The same runs with the official clients' HTTP layer swapped for node:http (experiment below): ` +
        `idle p50 ${formatNumber(fetchFigures.idleP50Ms)} → ${formatNumber(noFetch.idleP50Ms)} ms, throughput ` +
        `${formatNumber(fetchFigures.eventsPerSecond)} → ${formatNumber(noFetch.eventsPerSecond)} events/s.`,
    );
  }
  out.push(
    "- **Proposed fix** (an architecture change, so for the project to decide, since invariant 5 names the official " +
      "clients): keep @upstash/redis and @upstash/qstash but give them a node:http keep-alive transport in " +
      "`client/src/transport/` (@upstash/redis accepts a custom requester; the QStash client needs its request method " +
      "wrapped or an upstream option), with the official clients' retry and error semantics; or move to a Node whose " +
      "fetch is cheaper and re-measure. Fewer hops is the other lever, but each Redis round trip left is one atomic, " +
      "fenced transition the guarantees rest on.",
    "",
  );
  return out;
}
