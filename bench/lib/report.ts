/**
 * Renders a run's results as docs/benchmarks.md: how to reproduce, the machine, its load at the
 * start of each round and the versions, the targets, then one table per scenario (each system's
 * median over rounds, and how far ahead this project is of each peer), the modeled production run,
 * the timer accuracy of awl dev itself, the profile, where the targets are missed and why, and the
 * method.
 */
import type { Metric, ScenarioResult } from "../scenarios/common.ts";
import type { TimerAccuracy } from "../scenarios/emulator-timers.ts";
import type { SystemId } from "../systems/types.ts";
import type { Machine } from "./machine.ts";
import type { ProfileRow } from "./profile.ts";
import type { QuietCheck } from "./quiet.ts";
import { advantage } from "./stats.ts";
import type { TargetCheck } from "./targets.ts";

export interface BenchResults {
  date: string;
  quick: boolean;
  rounds: number;
  machine: Machine;
  load: { start: [number, number, number]; end: [number, number, number] };
  /** The load check at the start of each round. */
  quiet: QuietCheck[];
  warmUp: { events: number; multiStepRuns: number; durationMs: number };
  /** The round trips of the modeled production network (ms). */
  modeledLatency: { redisMs: number; qstashMs: number };
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

const PEERS: SystemId[] = ["upstash-workflow", "restate", "bullmq"];

const SERVICE_NAMES = { redis: "Redis", qstash: "QStash", functions: "functions" } as const;

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
        if (metric.service && theirs === 0) return `n/a (no ${SERVICE_NAMES[metric.service]})`;
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

/** The load check of each round, in a sentence. */
export function quietSentence(results: BenchResults): string {
  const threshold = results.quiet[0]?.threshold ?? 1.5;
  const rounds = results.quiet
    .map(
      (check) =>
        `round ${check.round + 1}: ${check.load1}${check.waitedMs >= 1000 ? ` after waiting ${Math.round(check.waitedMs / 1000)} s` : ""}` +
        (check.quiet ? "" : ` (**never fell below ${threshold}**)`),
    )
    .join("; ");
  const loud = results.quiet.filter((check) => !check.quiet);
  return (
    `Each round waited for the 1-minute load average to fall below ${threshold} before it started (${rounds}). ` +
    (loud.length === 0
      ? `The load was below ${threshold} at the start of every round.`
      : `The load **never dropped below ${threshold}** before round(s) ${loud.map((check) => check.round + 1).join(", ")}: ` +
        "those rounds ran on a busy machine, and their figures are pessimistic.")
  );
}

export function renderReport(results: BenchResults, profile?: ProfileSummary): string {
  const { machine } = results;
  const out: string[] = [];
  out.push(
    "# Benchmarks against peers",
    "",
    "<!-- Written by `npm run bench` (bench/run.ts); edit the generator, not this file. -->",
    "",
    `This project (awl), **Upstash Workflow**, **Restate** and **BullMQ**, run side by side on the same machine in the ` +
      `same run, ${results.rounds} round(s) per scenario with the systems interleaved (their order rotated each round); ` +
      "every figure is the median over rounds. " +
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
    "npm install            # bullmq, @upstash/workflow and Restate's server and SDK are root devDependencies",
    "npm run bench          # full run (at most about 10 minutes): bench/results/latest.json and profile.json, this file",
    "npm run bench -- --quick                       # smoke run: small counts, one round, 1-2 minutes",
    "npm run bench -- --quick --no-write            # the same, printing only",
    "npm run bench -- --only throughput,timers --systems awl,restate --rounds 5",
    "npm run bench:profile  # only the CPU profile (node --cpu-prof) of a quick throughput run of awl",
    "npm run bench:timers   # timer accuracy of awl dev's QStash server alone",
    "```",
    "",
    "Needs `redis-server` on the PATH: the run starts two private Redis servers (the application's, and the one behind " +
      "the QStash emulator) so that commands, bytes and memory measured are nobody else's, and a private Restate server " +
      "(the binary `@restatedev/restate-server` installs, as shipped: fsync on) on free loopback ports with its own " +
      "temporary data directory, stopped and removed at the end. awl dev's services (the Upstash Redis REST API and the " +
      "QStash server) run in child processes, as Redis does for BullMQ and the server does for Restate: one with exact " +
      "timers, one with QStash's whole-second timers (`--granularity 1s`) and one modeling production's network " +
      `(\`--latency redis=${results.modeledLatency.redisMs}ms,qstash=${results.modeledLatency.qstashMs}ms --granularity 1s\`). ` +
      "The workload functions of awl and Upstash Workflow are served by a lightweight Fetch-API server " +
      "(@hono/node-server), **not** `netlify dev`, whose own cost per call (about 170 ms here) would hide everything " +
      "measured; Restate's services by its Node SDK's HTTP/2 endpoint.",
    "",
    "## Machine and versions",
    "",
    `- Run: ${results.date}, \`${results.command}\`, ${Math.round(results.durationMs / 1000)} s`,
    `- Machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.os}, Node ${machine.node}`,
    `- Load average (1, 5, 15 min) at start: ${results.load.start.join(", ")}; at end: ${results.load.end.join(", ")} ` +
      `(on ${machine.cpus} cores; anything near or above ${machine.cpus} means the figures are pessimistic)`,
    `- Quiet machine: ${quietSentence(results)}`,
    `- Warm-up before the first round: ${results.warmUp.events} single-step events and ${results.warmUp.multiStepRuns} ` +
      `10-step runs on every system (${Math.round(results.warmUp.durationMs / 1000)} s), so that no system's figures ` +
      "carry the JIT warm-up of the code the systems share (hosts, HTTP stack, official clients).",
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
  out.push(...findings(results, profile));
  out.push(
    "## Method and caveats",
    "",
    "- **Same work everywhere.** Every step returns a small JSON result that is stored durably before the next step " +
      "starts: our journal (one fenced Lua checkpoint), Upstash Workflow's step message (the result travels through " +
      "QStash), Restate's `ctx.run` (journaled by the server before the handler goes on), BullMQ's `job.updateData` " +
      'with the step reached and the results so far (BullMQ\'s "process step jobs" guide). Sleeps: `step.sleep`, ' +
      "`context.sleep`, `ctx.sleep` (a durable timer in Restate's server), `moveToDelayed` + `DelayedError`.",
    "- **Done** means: our workload answered `completed` (after the outcome was stored); Upstash Workflow's invocation " +
      "that ran the workflow's last line (and ended the run at QStash) answered; Restate's ingress answered the " +
      "request-response call that started the run (after the server stored its result); BullMQ's worker emitted " +
      "`completed`.",
    "- **Restate** runs as shipped: `restate-server` with its default configuration (RocksDB, fsync on, 24 " +
      "partitions, telemetry off), one server for the whole run; its services are served by the Node SDK's default " +
      "HTTP/2 endpoint (bidirectional streaming) in the application process, beside the other systems' hosts. " +
      "Restate has no events: an event is one ingress call per subscribed service. It needs no Upstash service, so " +
      "it has no Upstash price; its wire bytes are its ingress calls and the server's streams to the endpoint. The " +
      "SDK wants Node 22; on Node 20 `Promise.withResolvers` is polyfilled (bench/lib/node22.ts).",
    "- **Fair order and warm-up.** All systems share the application process (hosts, Node's HTTP stack, official " +
      "clients), so every system is warmed up before the first round, the order of systems rotates each round, " +
      "and each round waits for a quiet machine (see Machine and versions).",
    "- **Timers.** awl dev's QStash server is the one both awl and Upstash Workflow run against. Scenario 3 lets it " +
      "release delayed messages at their millisecond; 3b on the next whole second, as QStash does in production " +
      '(`awl dev --granularity 1s`), which is the figure to expect there. "Function time asleep" is the time a ' +
      "run's function invocations were running between its sleep's start and its due time: what Netlify bills for " +
      "waiting out a wake that came early rather than for work.",
    "- **Modeled production** (scenario 6): every Redis REST request, QStash API request and QStash delivery waits " +
      `a round trip (${results.modeledLatency.redisMs} ms to Redis, ${results.modeledLatency.qstashMs} ms to QStash: ` +
      "half before it is handled, half before its answer), so each hop costs what it will in production and the " +
      "function time includes the waiting a function does on its services. Restate and BullMQ do not run on " +
      "Upstash; they are compared on this machine's loopback only.",
    "- **BullMQ talks to Redis over TCP (RESP); awl talks to Upstash Redis over HTTP**, as it must in production. " +
      '"Redis round trips" are HTTP requests to the REST API for awl and commands sent by ioredis for BullMQ; ' +
      '"Redis commands executed" counts what Redis ran, including inside Lua scripts (INFO commandstats of the private ' +
      'application Redis). "Bytes on the wire" are counted at the sockets of the application process (headers and ' +
      "framing included): Redis, the QStash API, QStash's deliveries to the functions, Restate's ingress and streams.",
    "- **Prices** are Upstash's pay-as-you-go list prices: QStash $1 per 100,000 messages (Upstash Workflow is " +
      "billed as the QStash messages its runs use), Redis $0.20 per 100,000 commands (a script call is one). For " +
      "BullMQ the figure is what its commands would cost on Upstash Redis. Function invocations and function time " +
      "are reported beside them, not priced: they are the site's Netlify plan.",
    "- **Bytes stored** are the MEMORY USAGE of the keys a run leaves in the application Redis once it is done " +
      "(awl keeps a completed run 7 days by default, BullMQ keeps completed jobs unless told otherwise; Upstash " +
      "Workflow keeps nothing in the user's Redis: its state travels in QStash messages; Restate keeps its journal " +
      "in its own store, not counted).",
    "- **Netlify's `@netlify/async-workloads` is not included**: it cannot run here without the network or Netlify's " +
      "platform. Its router, scheduler and state processors are Netlify functions that the Netlify extension injects " +
      "at build time, invoked with platform-issued keys, driven by Netlify scheduled functions and storing state in " +
      "Netlify Blobs; running it means `netlify dev` (whose ~170 ms per call would swamp every figure) or " +
      "re-implementing those platform pieces, which would no longer measure Netlify's product.",
    "- Two cores are shared by the private Redis servers, awl dev's processes, Restate's server and the application " +
      "process (and by any other work on the machine: see the load). Latencies under load include queueing behind " +
      "the other senders.",
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

/** Where the targets are missed, by how much, and what this run's counts and profile say about why. */
function findings(results: BenchResults, profile?: ProfileSummary): string[] {
  const missed = results.targets.filter((check) => check.met === false);
  const figure = (id: string, system: SystemId, key: string) =>
    results.scenarios.find((scenario) => scenario.id === id)?.systems[system]?.median[key];
  const out = ["## Where the targets are missed, and why", ""];
  if (missed.length === 0) {
    out.push("Every target checked is met in this run.", "");
  } else {
    for (const check of missed)
      out.push(`- **${check.target}**: ${check.measured}; missed by ${check.miss ?? "–"}.`);
    out.push("");
  }
  const hops = (system: SystemId, id = "throughput", suffix = "PerEvent") => {
    const messages = figure(id, system, `qstashMessages${suffix}`);
    const calls = figure(id, system, `redisCalls${suffix}`);
    const invocations = figure(id, system, `functionInvocations${suffix}`);
    if (messages === undefined && calls === undefined) return undefined;
    return `${formatNumber(calls ?? 0)} Redis round trips, ${formatNumber(messages ?? 0)} QStash messages and ${formatNumber(invocations ?? 0)} function invocations`;
  };
  const ours = hops("awl");
  const theirs = hops("upstash-workflow");
  if (ours) {
    out.push(
      `- **Hops.** A single-step event costs awl ${ours}` +
        (theirs ? `; Upstash Workflow ${theirs} (its state travels in the messages: see growth)` : "") +
        "; Restate one ingress call and one stream from its server to the endpoint; BullMQ one `add` and its " +
        "worker's commands over persistent TCP connections. Each hop is a loopback HTTP exchange here and a " +
        "network round trip in production (scenario 6).",
    );
  }
  const modeled = (system: SystemId) => figure("production", system, "p50Ms");
  if (modeled("awl") !== undefined && modeled("upstash-workflow") !== undefined) {
    out.push(
      `- **In production's network** (scenario 6) a single-step event takes ${formatNumber(modeled("awl"))} ms ` +
        `for awl and ${formatNumber(modeled("upstash-workflow"))} ms for Upstash Workflow, with ` +
        `${formatNumber(figure("production", "awl", "functionMsPerEvent"))} vs ` +
        `${formatNumber(figure("production", "upstash-workflow", "functionMsPerEvent"))} ms of function time per event.`,
    );
  }
  for (const proc of profile?.processes ?? []) {
    const top = proc.rows
      .slice(0, 5)
      .map((row) => `${row.where} ${row.share}%`)
      .join(", ");
    out.push(
      `- **CPU, ${proc.name}**: ${top}` +
        (proc.name.startsWith("application")
          ? `; Node's fetch (undici, WHATWG streams) ${fetchShare(proc.rows)}% in all.`
          : "."),
    );
  }
  out.push("");
  return out;
}
