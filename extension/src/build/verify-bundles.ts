/**
 * The build's last check (`onPostBuild`): every function the extension generated or discovered
 * still holds its handler once Netlify has bundled it. A bundler that resolves a package the wrong
 * way (a `tsconfig` path into `node_modules`, a package that ships TypeScript) can produce a zip
 * holding the libraries and none of the function's code: Netlify's build succeeds, and every
 * delivery then fails with "handler is not a function". Each zip is unpacked into a temporary
 * folder and its entry module imported, as the platform will; the build fails naming each function
 * that lacks its handler and what to do.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, sep } from "node:path";
import { pathToFileURL } from "node:url";
import StreamZip from "node-stream-zip";
import { isAsyncWorkload } from "@awl/client";

export interface ExpectedFunction {
  name: string;
  /** A workload's default export is an `asyncWorkload`; anything else's is a request handler. */
  kind: "workload" | "handler";
}

/** Netlify's entry module names the function's own module: `getLambdaHandler('./path.mjs')`. */
const ENTRY_POINT = "___netlify-entry-point.mjs";
const MAIN_MODULE = /getLambdaHandler\(\s*['"]([^'"]+)['"]\s*\)/;

/** What is wrong with an unpacked function, or undefined when its handler is there. */
export async function unpackedFunctionProblem(
  dir: string,
  expected: ExpectedFunction,
): Promise<string | undefined> {
  let entry: string;
  try {
    entry = readFileSync(join(dir, ENTRY_POINT), "utf8");
  } catch {
    return `its bundle has no ${ENTRY_POINT}`;
  }
  const main = MAIN_MODULE.exec(entry)?.[1];
  if (!main) return `its ${ENTRY_POINT} names no module`;
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(join(dir, main)).href)) as Record<string, unknown>;
  } catch (error) {
    return `its bundled module ${main} fails to load: ${(error as Error).message}`;
  }
  const handler = module.default;
  if (expected.kind === "workload" && !isAsyncWorkload(handler)) {
    return `its bundled module ${main} does not export the workload (default export: ${describe(handler)})`;
  }
  if (typeof handler !== "function") {
    return `its bundled module ${main} exports no handler (default export: ${describe(handler)})`;
  }
  return undefined;
}

function describe(value: unknown): string {
  if (value === undefined) return "none";
  return typeof value === "function" ? "a function that is not a workload" : typeof value;
}

export interface BuiltFunctionProblem {
  name: string;
  message: string;
}

/** Unpacks and checks each expected function's zip in `functionsDist` (Netlify's FUNCTIONS_DIST). */
export async function builtFunctionProblems(
  functionsDist: string,
  expected: readonly ExpectedFunction[],
): Promise<BuiltFunctionProblem[]> {
  const problems: BuiltFunctionProblem[] = [];
  for (const fn of expected) {
    const zipPath = join(functionsDist, `${fn.name}.zip`);
    const dir = mkdtempSync(join(tmpdir(), `awl-verify-${fn.name}-`));
    try {
      await unzipWithLinks(zipPath, dir);
      const message = await unpackedFunctionProblem(dir, fn);
      if (message) problems.push({ name: fn.name, message });
    } catch (error) {
      problems.push({
        name: fn.name,
        message: `its zip ${zipPath} cannot be read: ${(error as Error).message}`,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return problems;
}

/** A zip entry's Unix file type, from the high half of its external attributes. */
const fileType = (attr: number) => (attr >>> 16) & 0o170000;
const SYMLINK = 0o120000;

/**
 * Unpacks a function zip as the platform does, symbolic links included: in a monorepo Netlify's
 * bundler stores a workspace package as a link (node_modules/@awl/client → ../../client).
 */
export async function unzipWithLinks(zipPath: string, dir: string): Promise<void> {
  const zip = new StreamZip.async({ file: zipPath });
  try {
    for (const entry of Object.values(await zip.entries())) {
      const target = join(dir, entry.name);
      if (!target.startsWith(dir + sep)) throw new Error(`entry ${entry.name} points outside the zip`);
      if (entry.isDirectory) {
        mkdirSync(target, { recursive: true });
        continue;
      }
      mkdirSync(dirname(target), { recursive: true });
      if (fileType(entry.attr) === SYMLINK) symlinkSync((await zip.entryData(entry)).toString(), target);
      else await zip.extract(entry, target);
    }
  } finally {
    await zip.close();
  }
}

export function formatBuiltFunctionProblems(problems: readonly BuiltFunctionProblem[]): string {
  const lines = problems.map((problem) => `  - ${problem.name}: ${problem.message}`);
  return [
    `Async Workloads: ${problems.length === 1 ? "a built function lacks" : `${problems.length} built functions lack`} its handler, so every delivery to it would fail:`,
    ...lines,
    "Fix: make sure each workload's module default-exports asyncWorkload(...), that @awl/client is installed " +
      "from npm (not linked to its sources), and that no tsconfig.json `paths` entry points into node_modules; " +
      "then build again.",
  ].join("\n");
}
