/**
 * The post-build check on unpacked function bundles laid out as Netlify zips them: an entry module
 * naming the function's own module, which must export its handler.
 */
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatBuiltFunctionProblems, unpackedFunctionProblem } from "./verify-bundles.ts";

const ROOT = new URL("../../../", import.meta.url).pathname;

function unpacked(mainSource: string): string {
  const dir = mkdtempSync(join(tmpdir(), "awl-unpacked-"));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"));
  writeFileSync(
    join(dir, "___netlify-entry-point.mjs"),
    "import * as bootstrap from './___netlify-bootstrap.mjs';export const handler = bootstrap.getLambdaHandler('./netlify/functions/welcome.mjs')",
  );
  mkdirSync(join(dir, "netlify/functions"), { recursive: true });
  writeFileSync(join(dir, "netlify/functions/welcome.mjs"), mainSource);
  return dir;
}

const WORKLOAD = `import { asyncWorkload } from "@awl/client";
export default asyncWorkload(async () => undefined, { events: ["welcome"] });`;

describe("unpackedFunctionProblem", () => {
  it("passes a bundle whose module exports its workload", async () => {
    expect(
      await unpackedFunctionProblem(unpacked(WORKLOAD), { name: "welcome", kind: "workload" }),
    ).toBeUndefined();
  });

  it("passes a router or wrapper that exports a request handler", async () => {
    const dir = unpacked("export default async () => new Response('ok');");
    expect(await unpackedFunctionProblem(dir, { name: "awl-router", kind: "handler" })).toBeUndefined();
  });

  it("names the module when the bundle holds the library but not the function's code", async () => {
    const dir = unpacked(`export * from "@awl/client";`);
    expect(await unpackedFunctionProblem(dir, { name: "welcome", kind: "workload" })).toBe(
      "its bundled module ./netlify/functions/welcome.mjs does not export the workload (default export: none)",
    );
  });

  it("refuses a handler that is not a function, and a module that fails to load", async () => {
    expect(
      await unpackedFunctionProblem(unpacked("export default 42;"), { name: "awl-router", kind: "handler" }),
    ).toContain("exports no handler (default export: number)");
    expect(
      await unpackedFunctionProblem(unpacked(`import "missing-package";`), {
        name: "welcome",
        kind: "workload",
      }),
    ).toMatch(/fails to load: .*missing-package/);
  });
});

describe("formatBuiltFunctionProblems", () => {
  it("names each function and says what to fix", () => {
    const message = formatBuiltFunctionProblems([
      { name: "welcome", message: "its bundled module x exports no handler" },
    ]);
    expect(message).toContain("a built function lacks its handler");
    expect(message).toContain("  - welcome: its bundled module x exports no handler");
    expect(message).toContain("tsconfig.json `paths`");
  });
});
