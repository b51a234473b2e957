import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { clientVersionProblem } from "./versions.ts";

function siteWithClient(version: string | undefined): string {
  const site = mkdtempSync(join(tmpdir(), "awl-versions-"));
  writeFileSync(join(site, "package.json"), "{}");
  if (version) {
    const dir = join(site, "node_modules/@awl/client");
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, "package.json"),
      JSON.stringify({ name: "@awl/client", version, exports: { "./package.json": "./package.json" } }),
    );
  }
  return site;
}

describe("clientVersionProblem", () => {
  it("accepts the version the extension was built for and later patches", () => {
    expect(clientVersionProblem(siteWithClient("0.1.0"), "0.1.0")).toBeUndefined();
    expect(clientVersionProblem(siteWithClient("0.1.7"), "0.1.0")).toBeUndefined();
    expect(clientVersionProblem(siteWithClient("1.4.0"), "1.2.0")).toBeUndefined();
  });

  it("names both versions and the fix when they do not fit", () => {
    const problem = clientVersionProblem(siteWithClient("0.2.0"), "0.1.0");
    expect(problem).toContain("the site has @awl/client 0.2.0");
    expect(problem).toContain("@awl/client ^0.1.0");
    expect(problem).toContain("npm install @awl/client@^0.1.0");
    expect(clientVersionProblem(siteWithClient("2.0.0"), "1.2.0")).toContain("@awl/client 2.0.0");
  });

  it("says how to install @awl/client when the site lacks it", () => {
    expect(clientVersionProblem(siteWithClient(undefined), "0.1.0")).toMatch(
      /@awl\/client is not installed in this site.*npm install @awl\/client@\^0\.1\.0/,
    );
  });
});
