/**
 * How the dashboard writes numbers and times: durations ("850 ms", "1.2 s", "3 min 20 s"), sizes
 * ("512 B", "3.4 kB"), local timestamps ("2024-05-01 03:12:45"), times relative to now ("in 4 s",
 * "2 min ago") and JSON. Pure functions, so that every view says the same thing the same way.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "850 ms", "1.2 s", "3 min 20 s", "2 h 5 min", "3 d 4 h". */
export function formatDuration(ms: number): string {
  const value = Math.max(0, ms);
  if (value < SECOND) return `${Math.round(value)} ms`;
  if (value < MINUTE) return `${trim(value / SECOND)} s`;
  const pair = (big: number, bigUnit: string, small: number, smallUnit: string) => {
    const whole = Math.floor(value / big);
    const rest = Math.floor((value % big) / small);
    return rest ? `${whole} ${bigUnit} ${rest} ${smallUnit}` : `${whole} ${bigUnit}`;
  };
  if (value < HOUR) return pair(MINUTE, "min", SECOND, "s");
  if (value < DAY) return pair(HOUR, "h", MINUTE, "min");
  return pair(DAY, "d", HOUR, "h");
}

/** "512 B", "3.4 kB", "1.2 MB" (decimal units, as sizes on the wire are usually given). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  if (bytes < 1_000_000) return `${trim(bytes / 1000)} kB`;
  return `${trim(bytes / 1_000_000)} MB`;
}

/** A local timestamp, sortable and unambiguous: "2024-05-01 03:12:45". */
export function formatTime(epochMs: number): string {
  const date = new Date(epochMs);
  const two = (n: number) => String(n).padStart(2, "0");
  return (
    `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())} ` +
    `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`
  );
}

/** "in 4 s", "2 min ago", "now": for retry and wake times, which matter relative to the present. */
export function formatRelative(epochMs: number, now: number): string {
  const delta = epochMs - now;
  if (Math.abs(delta) < SECOND) return "now";
  const span = formatDuration(Math.abs(delta)).replace(/^(\d+(?:\.\d)?) ([a-z]+).*$/, "$1 $2");
  return delta > 0 ? `in ${span}` : `${span} ago`;
}

/** Event data and step results, indented; long values are cut with a note saying how much was left out. */
export function formatJson(value: unknown, maxLength = 4000): string {
  const text = JSON.stringify(value, null, 2) ?? "undefined";
  if (text.length <= maxLength) return text;
  return `${text.slice(0, maxLength)}\n… (${formatBytes(text.length - maxLength)} more)`;
}

/** One decimal below 10, none above: "1.2", "12", "340". */
function trim(value: number): string {
  return value < 10 ? String(Math.round(value * 10) / 10) : String(Math.round(value));
}

/** "1 run", "3 runs": every count in a confirmation or a result is written out with its noun. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? "" : "s"}`;
}
