import { describe, expect, test } from "vitest";
import { MAX_ERROR_MESSAGE_CHARS, MAX_ERROR_STACK_CHARS, errorRecord } from "./error-record.ts";

describe("errorRecord: any thrown value becomes a readable record", () => {
  test("an Error keeps its name, message and stack", () => {
    const record = errorRecord(new TypeError("bad"));
    expect(record).toMatchObject({ name: "TypeError", message: "bad" });
    expect(record.stack).toMatch(/^TypeError: bad/);
  });

  test("values String() cannot convert: a null-prototype object, a throwing toString, a Symbol", () => {
    const bare = Object.assign(Object.create(null) as object, { code: 7 });
    expect(errorRecord(bare)).toEqual({ name: "NonError", message: '{"code":7}' });
    expect(errorRecord(Object.create(null))).toEqual({ name: "NonError", message: "{}" });
    const hostile = {
      toString() {
        throw new Error("no");
      },
    };
    expect(errorRecord(hostile)).toEqual({ name: "NonError", message: "{}" });
    expect(errorRecord(Symbol("boom"))).toEqual({ name: "NonError", message: "Symbol(boom)" });
  });

  test("primitives and plain objects read as themselves", () => {
    expect(errorRecord("plain text")).toEqual({ name: "NonError", message: "plain text" });
    expect(errorRecord(42)).toEqual({ name: "NonError", message: "42" });
    expect(errorRecord(undefined)).toEqual({ name: "NonError", message: "undefined" });
    expect(errorRecord({ status: 429 })).toEqual({ name: "NonError", message: '{"status":429}' });
  });

  test("an Error whose name, message and stack getters throw still gives a record", () => {
    const error = new Error("x");
    for (const field of ["stack", "name", "message"]) {
      Object.defineProperty(error, field, {
        get() {
          throw new Error("trap");
        },
      });
    }
    const record = errorRecord(error);
    expect(record.name).toBe("Error");
    expect(typeof record.message).toBe("string");
    expect(record.stack).toBeUndefined();
  });

  test("a Proxy that throws on every trap still gives a record", () => {
    const trap = () => {
      throw new Error("trap");
    };
    const proxy = new Proxy({}, { get: trap, getPrototypeOf: trap, ownKeys: trap, has: trap });
    expect(errorRecord(proxy)).toEqual({ name: "NonError", message: "(a value that cannot be shown)" });
  });

  test("messages and stacks are capped, saying how much was cut", () => {
    const error = new Error("m".repeat(2 * 1024 * 1024));
    const record = errorRecord(error);
    expect(record.message.length).toBeLessThanOrEqual(MAX_ERROR_MESSAGE_CHARS + 40);
    expect(record.message).toMatch(/… \(2093056 more characters\)$/);
    expect(record.stack!.length).toBeLessThanOrEqual(MAX_ERROR_STACK_CHARS + 40);
    expect(errorRecord("n".repeat(10_000)).message).toMatch(/^n{4096}… \(5904 more characters\)$/);
  });
});
