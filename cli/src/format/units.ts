/**
 * Times, durations and sizes as the CLI prints them: local wall-clock times (what a user compares
 * with their own clock), short durations with the precision that matters at their scale, sizes in
 * B / KB / MB.
 */

const pad = (value: number, width = 2) => String(value).padStart(width, "0");

/** "2025-01-31 09:05:03", in the local time zone. */
export function formatTime(epochMs: number): string {
  const date = new Date(epochMs);
  return (
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`
  );
}

const UNITS: [name: string, ms: number][] = [
  ["d", 86_400_000],
  ["h", 3_600_000],
  ["min", 60_000],
  ["s", 1000],
];

/** "12 ms", "1.25 s", "42 s", "3 min 5 s", "2 h 10 min", "7 d": at most two units. */
export function formatDuration(ms: number): string {
  const value = Math.max(0, Math.round(ms));
  if (value < 1000) return `${value} ms`;
  if (value < 10_000) return `${(value / 1000).toFixed(2).replace(/\.?0+$/, "")} s`;
  const first = UNITS.findIndex(([, size]) => value >= size);
  const [name, size] = UNITS[first]!;
  const parts = [`${Math.floor(value / size)} ${name}`];
  const next = UNITS[first + 1];
  const remainder = next ? Math.floor((value % size) / next[1]) : 0;
  if (next && remainder > 0) parts.push(`${remainder} ${next[0]}`);
  return parts.join(" ");
}

/** "in 5 s" or "3 min ago", relative to `now`. */
export function formatRelative(epochMs: number, now: number): string {
  // Whole seconds: "8.35 s ago" is precision nobody reads a clock with.
  const delta = Math.round((epochMs - now) / 1000) * 1000;
  if (delta === 0) return "now";
  return delta > 0 ? `in ${formatDuration(delta)}` : `${formatDuration(-delta)} ago`;
}

/** "18 B", "1.2 KB", "3.4 MB" (1 KB = 1024 B). */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
