/**
 * Each published package's package.json lists what its code imports, and nothing it ships reaches
 * into another package's files: what works only through workspace links would fail in a user's site.
 */
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { describe, expect, test } from "vitest";

const ROOT = join(import.meta.dirname, "../..");
const PUBLISHED = ["client", "dashboard", "dev", "cli", "extension"];

interface Manifest {
  name: string;
  private?: boolean;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const manifest = (dir: string) =>
  JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")) as Manifest;

/** The shipped source files of a package: src/, without tests and build-time-only scripts. */
function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir, "src"), { recursive: true, encoding: "utf8" })
    .filter((file) => /\.(ts|tsx|mts)$/.test(file) && !/\.test\.ts$/.test(file))
    .map((file) => join(ROOT, dir, "src", file));
}

/** The package names a file imports (static and dynamic), without Node's built-ins. */
function importedPackages(file: string): string[] {
  const source = readFileSync(file, "utf8");
  const specifiers = [
    ...source.matchAll(/(?:^import|^export)[^;]*?from\s+"([^"]+)"|import\("([^"]+)"\)/gm),
  ].map((match) => (match[1] ?? match[2])!);
  return specifiers
    .filter((specifier) => !specifier.startsWith(".") && !specifier.startsWith("node:"))
    .map((specifier) =>
      specifier
        .split("/")
        .slice(0, specifier.startsWith("@") ? 2 : 1)
        .join("/"),
    )
    .filter((name) => !builtinModules.includes(name));
}

describe.each(PUBLISHED)("the %s package", (dir) => {
  const pkg = manifest(dir);

  test("is publishable and depends on no private package", () => {
    expect(pkg.private).toBeUndefined();
    const privateNames = readdirSync(ROOT)
      .filter((entry) => {
        try {
          return manifest(entry).private === true && entry !== ".";
        } catch {
          return false;
        }
      })
      .map((entry) => manifest(entry).name);
    for (const name of privateNames) {
      expect(Object.keys({ ...pkg.dependencies, ...pkg.peerDependencies }), dir).not.toContain(name);
    }
  });

  test("lists every package its code imports", () => {
    const declared = new Set([
      ...Object.keys(pkg.dependencies ?? {}),
      ...Object.keys(pkg.peerDependencies ?? {}),
    ]);
    // The extension's UI is bundled when the extension is built: its imports may be devDependencies.
    const bundledAtBuild = (file: string) => dir === "extension" && file.includes("/src/ui/");
    const devDependencies = new Set(Object.keys(pkg.devDependencies ?? {}));
    const missing = sourceFiles(dir).flatMap((file) =>
      importedPackages(file)
        .filter((name) => name !== pkg.name && !declared.has(name))
        .filter((name) => !(bundledAtBuild(file) && devDependencies.has(name)))
        .map((name) => `${file.slice(ROOT.length + 1)} imports ${name}`),
    );
    expect(missing).toEqual([]);
  });

  test("reaches no other package through a relative path", () => {
    const reaching = sourceFiles(dir).filter((file) =>
      /from\s+"(\.\.\/)+(client|dev|cli|dashboard|extension)\/src\//.test(readFileSync(file, "utf8")),
    );
    expect(reaching).toEqual([]);
  });
});

describe("@awl/client/netlify from CommonJS", () => {
  // Netlify's package is ESM ("main": index.js, "type": "module") and sites require() it through
  // Node's require(esm); a drop-in must resolve for require() too, to the same module (no second copy).
  test("require() finds it, with every name require() finds in @netlify/async-workloads", () => {
    const script = [
      'const ours = require("@awl/client/netlify");',
      'const theirs = require("@netlify/async-workloads");',
      "console.log(JSON.stringify(Object.keys(theirs).filter((name) => !(name in ours))));",
    ].join("\n");
    const result = spawnSync(process.execPath, ["-e", script], { cwd: ROOT, encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(JSON.parse(result.stdout)).toEqual([]);
  });

  test("its manifest entry resolves for require() and import alike, to the built ESM file", () => {
    const entry = (manifest("client") as unknown as { exports: Record<string, Record<string, string>> })
      .exports["./netlify"]!;
    expect(entry.default).toBe(entry.import);
  });
});
