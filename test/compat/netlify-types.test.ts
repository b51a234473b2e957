/**
 * `@awl/client/netlify` is a drop-in for `@netlify/async-workloads`: Netlify programs (the files in
 * ./netlify-programs, plus the docs' own snippet below) compile against it unchanged, with the
 * import of "@netlify/async-workloads" mapped to client/src/compat/netlify.ts.
 *
 * The same programs compile against the real package too: `@netlify/async-workloads` (0.0.97, the
 * version the drop-in follows) is a devDependency of this repository, so a change on either side
 * that breaks a program fails here.
 */
import { readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, test } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const programsDir = path.join(here, "netlify-programs");
const compatEntry = path.join(root, "client/src/compat/netlify.ts");
const realEntry = path.join(root, "node_modules/@netlify/async-workloads/index.d.ts");

const programs = readdirSync(programsDir)
  .filter((file) => file.endsWith(".ts") && !file.endsWith(".d.ts"))
  .map((file) => path.join(programsDir, file));

/** The documented first workload, word for word in form: types imported as values (no verbatimModuleSyntax). */
const docsSnippet = {
  file: path.join(programsDir, "docs-snippet.virtual.ts"),
  source: `
import { asyncWorkloadFn, AsyncWorkloadEvent, AsyncWorkloadConfig } from "@netlify/async-workloads";

export default asyncWorkloadFn((event: AsyncWorkloadEvent) => {
  console.log(event.eventName, event.eventData.anything);
});

export const asyncWorkloadConfig: AsyncWorkloadConfig = {
  events: [],
};
`,
};

const options: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  esModuleInterop: true,
  types: ["node"],
  typeRoots: [path.join(root, "node_modules/@types")],
};

function diagnosticsOf(
  files: string[],
  extra: ts.CompilerOptions,
  reportFor: (file: string) => boolean,
): string[] {
  const host = ts.createCompilerHost({ ...options, ...extra });
  const { getSourceFile, fileExists, readFile } = host;
  host.fileExists = (file) => file === docsSnippet.file || fileExists.call(host, file);
  host.readFile = (file) => (file === docsSnippet.file ? docsSnippet.source : readFile.call(host, file));
  host.getSourceFile = (file, language, ...rest) =>
    file === docsSnippet.file
      ? ts.createSourceFile(file, docsSnippet.source, language)
      : getSourceFile.call(host, file, language, ...rest);
  const program = ts.createProgram([...files, docsSnippet.file], { ...options, ...extra }, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => !d.file || reportFor(d.file.fileName))
    .map((d) => {
      const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
      if (!d.file || d.start === undefined) return text;
      const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
      return `${path.relative(root, d.file.fileName)}:${line + 1}:${character + 1} ${text}`;
    });
}

describe("Netlify programs type-check against @awl/client/netlify", () => {
  test("the programs are there", () => {
    expect(programs.map((file) => path.basename(file)).sort()).toEqual([
      "checkout.ts",
      "client.ts",
      "handler-test.ts",
      "helpers.ts",
      "retries.ts",
      "shop-checkout.ts",
      "shop-receipt.ts",
      "untyped.ts",
    ]);
  });

  test("every program compiles with no diagnostics", { timeout: 120_000 }, () => {
    const diagnostics = diagnosticsOf(
      programs,
      {
        // Our sources import each other with .ts extensions.
        allowImportingTsExtensions: true,
        paths: { "@netlify/async-workloads": [compatEntry] },
      },
      // Only the programs and the compatibility entry: the rest of client/src is checked by the workspace tsc.
      (file) => file.startsWith(programsDir) || file.startsWith(path.join(root, "client/src/compat")),
    );
    expect(diagnostics).toEqual([]);
  });

  test(
    "...and against the real @netlify/async-workloads (a devDependency), so both stay in step",
    { timeout: 120_000 },
    () => {
      const diagnostics = diagnosticsOf(
        programs,
        { paths: { "@netlify/async-workloads": [realEntry] } },
        (file) => !file.includes("/node_modules/"),
      );
      expect(diagnostics).toEqual([]);
    },
  );
});
