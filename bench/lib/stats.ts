/**
 * The arithmetic of the benchmark report: percentiles (nearest rank), medians over rounds, the
 * ratio that says who is ahead, and a least-squares line for "is cost linear in steps".
 */

/** Nearest-rank percentile of unsorted values; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))]!;
}

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(values: readonly number[]): Summary {
  const mean = values.length === 0 ? NaN : values.reduce((sum, value) => sum + value, 0) / values.length;
  return {
    n: values.length,
    min: round(Math.min(...values)),
    p50: round(percentile(values, 50)),
    p90: round(percentile(values, 90)),
    p99: round(percentile(values, 99)),
    max: round(Math.max(...values)),
    mean: round(mean),
  };
}

export function round(value: number, digits = 2): number {
  if (!Number.isFinite(value)) return value;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/**
 * How far ahead we are: above 1 means ours is better (cheaper or faster) by that factor, below 1
 * means the peer is. `better` says which direction wins for the metric. Undefined when a side has
 * no figure, and Infinity when the peer spends something we do not spend at all.
 */
export function advantage(ours: number, theirs: number, better: "lower" | "higher"): number | undefined {
  if (!Number.isFinite(ours) || !Number.isFinite(theirs)) return undefined;
  if (better === "lower") {
    if (ours === 0) return theirs === 0 ? 1 : Infinity;
    return round(theirs / ours);
  }
  if (theirs === 0) return ours === 0 ? 1 : Infinity;
  return round(ours / theirs);
}

/**
 * Median of each numeric field over rounds (fields missing from a round are skipped there), so a
 * round disturbed by the machine does not decide the figure.
 */
export function medianOfRounds<T extends Record<string, number>>(rounds: readonly T[]): T {
  const out: Record<string, number> = {};
  const keys = new Set(rounds.flatMap((row) => Object.keys(row)));
  for (const key of keys) {
    const values = rounds
      .map((row) => row[key])
      .filter((value): value is number => typeof value === "number");
    out[key] = round(median(values), 3);
  }
  return out as T;
}

/**
 * Least-squares fit y = a + b·x, with r² and how far the largest point lies from the line drawn
 * through the smaller ones (`extrapolationError`: 0.1 means 10% above a straight-line prediction).
 */
export function linearFit(points: readonly { x: number; y: number }[]): {
  intercept: number;
  slope: number;
  r2: number;
  extrapolationError: number;
} {
  const fit = (pts: readonly { x: number; y: number }[]) => {
    const n = pts.length;
    const mx = pts.reduce((s, p) => s + p.x, 0) / n;
    const my = pts.reduce((s, p) => s + p.y, 0) / n;
    let sxy = 0;
    let sxx = 0;
    let syy = 0;
    for (const p of pts) {
      sxy += (p.x - mx) * (p.y - my);
      sxx += (p.x - mx) ** 2;
      syy += (p.y - my) ** 2;
    }
    const slope = sxx === 0 ? 0 : sxy / sxx;
    return { slope, intercept: my - slope * mx, r2: sxx === 0 || syy === 0 ? 1 : (sxy * sxy) / (sxx * syy) };
  };
  const sorted = [...points].sort((a, b) => a.x - b.x);
  const all = fit(sorted);
  let extrapolationError = 0;
  if (sorted.length >= 3) {
    const small = fit(sorted.slice(0, -1));
    const last = sorted.at(-1)!;
    const predicted = small.intercept + small.slope * last.x;
    extrapolationError = predicted === 0 ? 0 : round((last.y - predicted) / predicted, 3);
  }
  return {
    intercept: round(all.intercept, 3),
    slope: round(all.slope, 4),
    r2: round(all.r2, 4),
    extrapolationError,
  };
}
