/**
 * Writes variables into a dotenv file, replacing the lines it owns and keeping every other line
 * (a site's own secrets stay where they are).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

export function mergeEnvFile(path: string, values: Record<string, string>): void {
  const lines = existsSync(path) ? readFileSync(path, "utf8").split("\n") : [];
  const pending = new Map(Object.entries(values));
  const merged = lines.map((line) => {
    const name = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
    if (name === undefined || !pending.has(name)) return line;
    const value = pending.get(name)!;
    pending.delete(name);
    return `${name}=${value}`;
  });
  while (merged.length && merged.at(-1) === "") merged.pop();
  for (const [name, value] of pending) merged.push(`${name}=${value}`);
  writeFileSync(path, `${merged.join("\n")}\n`);
}

export function formatEnv(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}=${value}`)
    .join("\n");
}
