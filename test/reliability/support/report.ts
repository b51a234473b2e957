/**
 * Prints one figures line per scenario ("[reliability] <scenario> key=value ..."), which
 * docs/reliability.md quotes, and appends it as JSON to $RELIABILITY_RESULTS when that is set
 * (the soak collects its figures that way).
 */
import { appendFileSync } from "node:fs";

export type Figures = Record<string, number | string | boolean | Record<string, number>>;

export function report(scenario: string, figures: Figures): void {
  const text = Object.entries(figures)
    .map(([key, value]) => `${key}=${typeof value === "object" ? JSON.stringify(value) : value}`)
    .join(" ");
  console.log(`[reliability] ${scenario} ${text}`);
  const file = process.env.RELIABILITY_RESULTS;
  if (file) appendFileSync(file, `${JSON.stringify({ scenario, ...figures })}\n`);
}
