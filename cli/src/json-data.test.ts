import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import { UsageError } from "./errors.ts";
import { locate, readData } from "./json-data.ts";

const refusal = (option: string, cwd?: string) => {
  try {
    readData(option, cwd);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`${option} was accepted`);
};

describe("inline --data", () => {
  test("valid JSON is parsed", () => {
    expect(readData('{"cartId":"c_1","items":[1,2]}')).toEqual({ cartId: "c_1", items: [1, 2] });
    expect(readData("42")).toBe(42);
  });

  test("bad JSON names the line and column and points at it", () => {
    expect(refusal('{"cartId": c_1}')).toBe(
      '--data is not valid JSON at line 1, column 12: unexpected "c_1"\n  {"cartId": c_1}\n             ^',
    );
  });

  test("a trailing comma, a missing value and trailing garbage are each located", () => {
    expect(refusal('{"a":1,}')).toMatch(
      /^--data is not valid JSON at line 1, column 8: property name expected/,
    );
    expect(refusal('{"a":')).toMatch(/line 1, column 6: value expected/);
    expect(refusal('{"a":1} x')).toMatch(/line 1, column 9: unexpected "x"/);
    expect(refusal("")).toMatch(/line 1, column 1: value expected/);
  });

  test("comments are refused: JSON has none", () => {
    expect(refusal('{"a":1} // note')).toMatch(/column 9: JSON has no comments/);
  });

  test("a long line is cut around the error, the caret still under it", () => {
    const message = refusal(`[${"1,".repeat(100)}x]`);
    const [, excerpt, caret] = message.split("\n");
    expect(excerpt!.startsWith("  …")).toBe(true);
    expect(excerpt![caret!.indexOf("^")]).toBe("x");
  });
});

describe("--data @file", () => {
  const dir = mkdtempSync(join(tmpdir(), "awl-data-"));

  test("reads the file relative to the working folder", () => {
    writeFileSync(join(dir, "order.json"), '{\n  "cartId": "c_1"\n}\n');
    expect(readData("@order.json", dir)).toEqual({ cartId: "c_1" });
  });

  test("bad JSON in the file names the file, the line and the column", () => {
    writeFileSync(join(dir, "bad.json"), '{\n  "cartId": "c_1",\n  "total": 12,,\n}\n');
    expect(refusal("@bad.json", dir)).toBe(
      "--data @bad.json is not valid JSON at line 3, column 15: property name expected\n" +
        '    "total": 12,,\n' +
        "                ^",
    );
  });

  test("a missing file says which path it tried", () => {
    expect(refusal("@missing.json", dir)).toBe(
      `--data @missing.json: cannot read ${join(dir, "missing.json")} (ENOENT)`,
    );
  });
});

test("locate counts lines and columns from 1", () => {
  expect(locate("ab\ncd\r\nef", 4)).toEqual({ line: 2, column: 2, lineText: "cd" });
  expect(locate("ab", 0)).toEqual({ line: 1, column: 1, lineText: "ab" });
});
