import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, test } from "vitest";
import { listFunctionFiles } from "./function-files.ts";

const dir = mkdtempSync(join(tmpdir(), "awl-function-files-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

test("lists top-level files and folders with a main file, as Netlify does", () => {
  const touch = (path: string) => {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), "");
  };
  touch("checkout.mts");
  touch("legacy.js");
  touch("types.d.ts");
  touch("notes.md");
  touch("signup/signup.ts");
  touch("report/index.mjs");
  touch("_shared/providers.ts");

  expect(listFunctionFiles(dir)).toEqual([
    { name: "checkout", file: join(dir, "checkout.mts") },
    { name: "legacy", file: join(dir, "legacy.js") },
    { name: "report", file: join(dir, "report/index.mjs") },
    { name: "signup", file: join(dir, "signup/signup.ts") },
  ]);
});

test("a site without a functions directory has no functions", () => {
  expect(listFunctionFiles(join(dir, "missing"))).toEqual([]);
});
