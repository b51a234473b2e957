import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, test } from "vitest";
import { mergeEnvFile } from "./env-file.ts";

test("writing .env replaces awl's variables and keeps the site's own lines", () => {
  const path = join(mkdtempSync(join(tmpdir(), "awl-env-")), ".env");
  writeFileSync(path, "# mine\nSTRIPE_KEY=sk_test\nQSTASH_URL=http://old\n");
  mergeEnvFile(path, { QSTASH_URL: "http://127.0.0.1:8080", QSTASH_TOKEN: "t" });
  expect(readFileSync(path, "utf8")).toBe(
    "# mine\nSTRIPE_KEY=sk_test\nQSTASH_URL=http://127.0.0.1:8080\nQSTASH_TOKEN=t\n",
  );
});

test("creates the file when there is none", () => {
  const path = join(mkdtempSync(join(tmpdir(), "awl-env-")), ".env");
  mergeEnvFile(path, { A: "1" });
  expect(readFileSync(path, "utf8")).toBe("A=1\n");
});
