import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { UsageError } from "./errors.ts";
import { DEFAULT_SITE_URL, resolveTarget } from "./target.ts";

/** A folder with this .env (or none). */
function folder(dotenv?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "awl-target-"));
  if (dotenv !== undefined) writeFileSync(join(dir, ".env"), dotenv);
  return dir;
}

describe("the site URL", () => {
  test("--site wins over the environment and .env", () => {
    const cwd = folder("URL=http://from-dotenv:1\nAWL_API_KEY=k");
    const target = resolveTarget({ site: "http://flag:1" }, { AWL_SITE_URL: "http://env:1" }, cwd);
    expect(target.siteUrl).toBe("http://flag:1");
  });

  test("then AWL_SITE_URL, then AWL_SITE_URL or URL in ./.env", () => {
    const cwd = folder('# netlify dev\nURL="http://from-dotenv:1"\nAWL_API_KEY=k\n');
    expect(resolveTarget({}, { AWL_SITE_URL: "http://env:1" }, cwd).siteUrl).toBe("http://env:1");
    expect(resolveTarget({}, {}, cwd).siteUrl).toBe("http://from-dotenv:1");
    const both = folder("URL=http://deployed:1\nAWL_SITE_URL=http://local:1\nAWL_API_KEY=k");
    expect(resolveTarget({}, {}, both).siteUrl).toBe("http://local:1");
  });

  test("defaults to netlify dev's http://localhost:8888", () => {
    expect(resolveTarget({ apiKey: "k" }, {}, folder()).siteUrl).toBe(DEFAULT_SITE_URL);
    expect(DEFAULT_SITE_URL).toBe("http://localhost:8888");
  });

  test("a URL in .env that is not http(s) is a usage error naming the file", () => {
    const cwd = folder("URL=localhost:8888\nAWL_API_KEY=k");
    expect(() => resolveTarget({}, {}, cwd)).toThrow(UsageError);
    expect(() => resolveTarget({}, {}, cwd)).toThrow(join(cwd, ".env"));
  });
});

describe("the API key", () => {
  test("--api-key, then AWL_API_KEY, then AWL_API_KEY in ./.env", () => {
    const cwd = folder("export AWL_API_KEY='from-dotenv'");
    expect(resolveTarget({ apiKey: "flag" }, { AWL_API_KEY: "env" }, cwd).apiKey).toBe("flag");
    expect(resolveTarget({}, { AWL_API_KEY: "env" }, cwd).apiKey).toBe("env");
    expect(resolveTarget({}, {}, cwd).apiKey).toBe("from-dotenv");
  });

  test("an empty variable counts as unset, and of rotated keys the first is used", () => {
    const cwd = folder("AWL_API_KEY=new-key, old-key");
    expect(resolveTarget({}, { AWL_API_KEY: "" }, cwd).apiKey).toBe("new-key");
  });

  test("no key anywhere is a usage error saying where to put one", () => {
    expect(() => resolveTarget({}, {}, folder("URL=http://x:1"))).toThrow(
      /no API key for the events API of http:\/\/x:1: pass --api-key, or set AWL_API_KEY/,
    );
  });
});
