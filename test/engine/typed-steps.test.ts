/**
 * A workload's catalog types its step.waitForEvent and step.sendEvent: ./typed-programs/steps.ts,
 * compiled here with the workspace's compiler options against @awl/client's sources, has no
 * diagnostics, so its typed results hold and each of its `@ts-expect-error` lines (a wrong event
 * name, wrong data) is still refused.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { expect, test } from "vitest";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, "../..");
const program = path.join(here, "typed-programs/steps.ts");

test("the typed-steps program compiles with no diagnostics", { timeout: 120_000 }, () => {
  const config = ts.getParsedCommandLineOfConfigFile(
    path.join(root, "tsconfig.json"),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
        throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
      },
    },
  )!;
  const compiled = ts.createProgram([program], { ...config.options, noEmit: true });
  const source = compiled.getSourceFile(program)!;
  // This file's diagnostics only: the rest of the workspace is checked by its own tsc.
  const diagnostics = ts.getPreEmitDiagnostics(compiled, source).map((d) => {
    const text = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    const { line } = source.getLineAndCharacterOfPosition(d.start ?? 0);
    return `steps.ts:${line + 1} ${text}`;
  });
  expect(diagnostics).toEqual([]);
  // The program is the one meant: it holds the refusals this test relies on.
  expect(source.text.match(/\/\/ @ts-expect-error/g)).toHaveLength(5);
});
