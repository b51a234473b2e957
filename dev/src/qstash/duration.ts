/**
 * Durations as QStash reads them in `Upstash-Delay`, `Upstash-Timeout` and flow-control periods.
 * QStash is written in Go and parses these with Go's `time.ParseDuration` plus a `d` (day) unit, so
 * "1h30m", "1.5s", "250ms" and "1d10h" are all valid, and the error texts below are Go's: a client
 * that sends a bad delay sees the same message it would get from QStash.
 */

const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "\u00b5s": 1e-3,
  "\u03bcs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

export class DurationError extends Error {}

/** Parses a Go-style duration and returns milliseconds (possibly fractional or negative). */
export function parseDuration(input: string): number {
  const quoted = JSON.stringify(input);
  const invalid = () => new DurationError(`time: invalid duration ${quoted}`);
  let rest = input;
  let sign = 1;
  if (rest.startsWith("-") || rest.startsWith("+")) {
    sign = rest.startsWith("-") ? -1 : 1;
    rest = rest.slice(1);
  }
  if (rest === "0") return 0;
  if (rest === "") throw invalid();
  let total = 0;
  while (rest !== "") {
    const number = /^(\d*)(\.\d*)?/.exec(rest);
    const digits = number?.[0] ?? "";
    if (!/\d/.test(digits)) throw invalid();
    rest = rest.slice(digits.length);
    const unit = /^[^\d.]*/.exec(rest)?.[0] ?? "";
    if (unit === "") throw new DurationError(`time: missing unit in duration ${quoted}`);
    const scale = UNIT_MS[unit];
    if (scale === undefined) {
      throw new DurationError(`time: unknown unit ${JSON.stringify(unit)} in duration ${quoted}`);
    }
    rest = rest.slice(unit.length);
    total += Number(digits) * scale;
  }
  return sign * total;
}
