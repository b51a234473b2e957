/**
 * `npm run bench:profile`: where the time of our single-step path goes. Runs a quick throughput
 * scenario of awl alone under `node --cpu-prof` (the application process: host, engine, official
 * clients) with awl dev's child process profiled too (Redis REST API, QStash server), then sums
 * each profile's self time by package or project folder (bench/lib/profile.ts) and writes
 * bench/results/profile.json, which the next `npm run bench` puts in docs/benchmarks.md.
 * The .cpuprofile files stay in bench/results/ (git-ignored; open them in Chrome DevTools).
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { load } from "./lib/machine.ts";
import { readProfile, summarizeProfile } from "./lib/profile.ts";
import type { ProfileSummary } from "./lib/report.ts";

const dir = fileURLToPath(new URL("./results/", import.meta.url));
mkdirSync(dir, { recursive: true });
for (const name of readdirSync(dir)) if (name.endsWith(".cpuprofile")) rmSync(`${dir}${name}`);
const args = ["--only", "throughput", "--systems", "awl", "--quick", "--no-write", "--profile-dir", dir];
const loadAtStart = load();
const child = spawn(
  process.execPath,
  [
    "--import",
    "tsx",
    "--cpu-prof",
    `--cpu-prof-dir=${dir}`,
    fileURLToPath(new URL("./run.ts", import.meta.url)),
    ...args,
  ],
  { stdio: "inherit" },
);
const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
if (code !== 0) throw new Error(`profiled run exited with ${code}`);

// Main threads only (".0."); ".1." files are tsx's loader thread.
const files = readdirSync(dir).filter((name) => name.endsWith(".cpuprofile") && name.includes(".0."));
const processes = files.map((name) => ({
  name: name.includes(`.${child.pid}.`)
    ? "application process (host, engine, official clients)"
    : "awl dev process (Redis REST API, QStash server)",
  rows: summarizeProfile(readProfile(`${dir}${name}`), "caller"),
}));
const summary: ProfileSummary = {
  date: new Date().toISOString(),
  command: `npm run bench:profile (bench/run.ts ${args.slice(0, 6).join(" ")})`,
  load: loadAtStart,
  processes,
};
writeFileSync(new URL("./results/profile.json", import.meta.url), `${JSON.stringify(summary, null, 2)}\n`);
for (const proc of processes) {
  console.log(`\n${proc.name}`);
  console.table(proc.rows.slice(0, 20));
}
