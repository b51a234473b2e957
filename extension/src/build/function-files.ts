/**
 * Lists the functions in a site's functions directory the way Netlify finds them: a file
 * `<name>.<ext>` at the top level, or a folder `<name>/` holding `<name>.<ext>` or `index.<ext>`.
 * Folders without such a file (shared code) are not functions, so they are skipped here too.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { extname, join } from "node:path";

export interface FunctionFile {
  /** The function's name: its URL is /.netlify/functions/<name>. */
  name: string;
  /** Absolute path of its entry file. */
  file: string;
}

/** JavaScript and TypeScript entry files, in the order Netlify prefers them within a folder. */
const EXTENSIONS = [".mts", ".mjs", ".ts", ".js", ".cts", ".cjs", ".tsx", ".jsx"];

export function listFunctionFiles(directory: string): FunctionFile[] {
  if (!existsSync(directory)) return [];
  const functions: FunctionFile[] = [];
  for (const entry of readdirSync(directory).sort()) {
    const path = join(directory, entry);
    if (statSync(path).isDirectory()) {
      const file = EXTENSIONS.flatMap((ext) => [
        join(path, `${entry}${ext}`),
        join(path, `index${ext}`),
      ]).find((candidate) => existsSync(candidate));
      if (file) functions.push({ name: entry, file });
    } else if (EXTENSIONS.includes(extname(entry)) && !entry.endsWith(".d.ts")) {
      functions.push({ name: entry.slice(0, -extname(entry).length), file: path });
    }
  }
  return functions;
}
