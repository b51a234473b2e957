/**
 * Memory of a process from /proc (Linux): its resident set now (VmRSS) and its peak (VmHWM), in
 * MB. A sampler polls a set of processes and keeps each one's series, for the load figures.
 */
import { readFileSync } from "node:fs";

export interface MemoryReading {
  rssMb: number;
  peakMb: number;
}

export function readMemory(pid: number): MemoryReading | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? NaN);
    return { rssMb: round(kb("VmRSS") / 1024), peakMb: round(kb("VmHWM") / 1024) };
  } catch {
    return undefined; // the process is gone (killed by the test)
  }
}

const round = (n: number) => Math.round(n * 10) / 10;

export interface MemorySampler {
  /** The highest VmHWM seen per process name. */
  peaks(): Record<string, number>;
  stop(): void;
}

export function sampleMemory(pids: Record<string, () => number>, intervalMs = 250): MemorySampler {
  const peaks: Record<string, number> = {};
  const take = () => {
    for (const [name, pid] of Object.entries(pids)) {
      const reading = readMemory(pid());
      if (reading) peaks[name] = Math.max(peaks[name] ?? 0, reading.peakMb);
    }
  };
  take();
  const timer = setInterval(take, intervalMs);
  return {
    peaks: () => {
      take();
      return { ...peaks };
    },
    stop: () => clearInterval(timer),
  };
}
