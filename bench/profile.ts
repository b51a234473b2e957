/**
 * Where the time of our single-step path goes: `profileSinglePath` runs a quick throughput
 * scenario of awl alone (bench/run.ts) under `node --cpu-prof` (the application process: host,
 * engine, official clients) with awl dev's child process profiled too (Redis REST API, QStash
 * server), then sums each profile's self time by package or project folder (bench/lib/profile.ts)
 * and writes bench/results/profile.json, which docs/benchmarks.md reports. `npm run bench` runs it
 * after its rounds; `npm run bench:profile` runs it alone. The .cpuprofile files stay in
 * bench/results/ (git-ignored; open them in Chrome DevTools).
 */
import { spawn } from "node:child_process";
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { load } from "./lib/machine.ts";
import { readProfile, summarizeProfile } from "./lib/profile.ts";
import type { ProfileSummary } from "./lib/report.ts";

export async function profileSinglePath(): Promise<ProfileSummary> {
  const dir = fileURLToPath(new URL("./results/", import.meta.url));
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) if (name.endsWith(".cpuprofile")) rmSync(`${dir}${name}`);
  const args = ["--only", "throughput", "--systems", "awl", "--quick", "--no-write", "--max-wait", "0"];
  const loadAtStart = load();
  const child = spawn(
    process.execPath,
    [
      "--conditions=@awl/source",
      "--import",
      "tsx",
      "--cpu-prof",
      `--cpu-prof-dir=${dir}`,
      fileURLToPath(new URL("./run.ts", import.meta.url)),
      ...args,
      "--profile-dir",
      dir,
    ],
    { stdio: ["ignore", "ignore", "inherit"] },
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
    command: `bench/profile.ts (bench/run.ts ${args.slice(0, 6).join(" ")})`,
    load: loadAtStart,
    processes,
  };
  writeFileSync(new URL("./results/profile.json", import.meta.url), `${JSON.stringify(summary, null, 2)}\n`);
  return summary;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const summary = await profileSinglePath();
  for (const proc of summary.processes) {
    console.log(`\n${proc.name}`);
    console.table(proc.rows.slice(0, 20));
  }
}
