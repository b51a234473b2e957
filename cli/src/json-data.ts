/**
 * `--data`: inline JSON, or `@path` for a JSON file. JSON.parse decides what is valid; when it
 * refuses, jsonc-parser (strict: no comments, no trailing commas) locates the first error, because
 * Node 20's JSON.parse messages often leave the position out. The error names the line and column
 * and shows the line with a caret under the spot.
 */
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { parse as locateErrors, printParseErrorCode, type ParseError } from "jsonc-parser";
import { UsageError } from "./errors.ts";

/** The value of `--data`, parsed; a bad value or an unreadable file is a UsageError. */
export function readData(option: string, cwd: string = process.cwd()): unknown {
  if (!option.startsWith("@")) return parseJson(option, "--data");
  const path = resolve(cwd, option.slice(1));
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new UsageError(`--data ${option}: cannot read ${path} (${(error as NodeJS.ErrnoException).code})`);
  }
  return parseJson(text, `--data ${option}`);
}

const EXCERPT = 40;

export function parseJson(text: string, origin: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    const errors: ParseError[] = [];
    locateErrors(text, errors, {
      disallowComments: true,
      allowTrailingComma: false,
      allowEmptyContent: false,
    });
    const first = errors[0];
    if (!first) throw new UsageError(`${origin} is not valid JSON: ${(error as Error).message}`);
    const { line, column, lineText } = locate(text, first.offset);
    const what = describe(first, text);
    // A minified file is one long line: show the part around the error.
    const from = Math.max(0, column - 1 - EXCERPT);
    const excerpt = `${from > 0 ? "…" : ""}${lineText.slice(from, column - 1 + EXCERPT)}`;
    const caret = " ".repeat(column - 1 - from + (from > 0 ? 1 : 0));
    throw new UsageError(
      `${origin} is not valid JSON at line ${line}, column ${column}: ${what}\n  ${excerpt}\n  ${caret}^`,
    );
  }
}

/** What is wrong, in words: `unexpected "tru"` rather than the code name InvalidSymbol. */
function describe(error: ParseError, text: string): string {
  // ParseErrorCode is a const enum, which isolated modules cannot read: compare its names.
  const code = printParseErrorCode(error.error);
  if (code === "InvalidSymbol") {
    return `unexpected ${JSON.stringify(text.slice(error.offset, error.offset + error.length))}`;
  }
  if (code === "InvalidCommentToken") return "JSON has no comments";
  return code.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase();
}

/** 1-based line and column of an offset, with the text of that line. */
export function locate(text: string, offset: number): { line: number; column: number; lineText: string } {
  const before = text.slice(0, offset);
  const lineStart = before.lastIndexOf("\n") + 1;
  const lineEnd = text.indexOf("\n", offset);
  return {
    line: before.split("\n").length,
    column: offset - lineStart + 1,
    lineText: text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd).replace(/\r$/, ""),
  };
}
