/**
 * What a figure was measured on: the machine, its load at the time (the figures of a loaded
 * machine are not those of a quiet one), and the versions of everything compared.
 */
import { readFileSync } from "node:fs";
import os from "node:os";

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
}

export function machine(): Machine {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()}`,
    node: process.version,
  };
}

/** The 1, 5 and 15 minute load averages, as `uptime` prints them. */
export function load(): [number, number, number] {
  const [one, five, fifteen] = os.loadavg().map((value) => Math.round(value * 100) / 100);
  return [one ?? 0, five ?? 0, fifteen ?? 0];
}

/** The installed version of a package, read from its package.json. */
export function packageVersion(name: string): string {
  try {
    const url = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
    return (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version;
  } catch {
    return "not installed";
  }
}
