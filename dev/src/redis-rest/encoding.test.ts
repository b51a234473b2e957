import { describe, expect, it } from "vitest";
import { responseEncoding, toEntry } from "./encoding.ts";

const b64 = (text: string | Buffer) => Buffer.from(text).toString("base64");

describe("toEntry with Upstash-Encoding: base64", () => {
  it("sends the base64 of a value's bytes, so bytes that are not UTF-8 survive", () => {
    const bytes = Buffer.from([0x00, 0xff, 0xfe, 0x80, 0xc3, 0x28]);
    const entry = toEntry(bytes, "base64");
    expect(entry).toEqual({ result: bytes.toString("base64") });
    expect(Buffer.from((entry as { result: string }).result, "base64")).toEqual(bytes);
  });

  it("leaves a top-level OK plain, which the client passes through undecoded", () => {
    expect(toEntry(Buffer.from("OK"), "base64")).toEqual({ result: "OK" });
    expect(toEntry("OK", "base64")).toEqual({ result: "OK" });
  });

  it("encodes OK inside an array, where the client base64-decodes every string", () => {
    expect(toEntry([Buffer.from("OK"), Buffer.from("x")], "base64")).toEqual({
      result: [b64("OK"), b64("x")],
    });
  });

  it("encodes other status replies and strings from the in-memory fallback", () => {
    expect(toEntry(Buffer.from("PONG"), "base64")).toEqual({ result: b64("PONG") });
    expect(toEntry("ünï", "base64")).toEqual({ result: b64("ünï") });
    expect(toEntry(Buffer.alloc(0), "base64")).toEqual({ result: "" });
  });

  it("keeps integers as numbers and nil as null, at any depth", () => {
    expect(toEntry(42, "base64")).toEqual({ result: 42 });
    expect(toEntry(null, "base64")).toEqual({ result: null });
    expect(toEntry([1, null, [Buffer.from("a"), [2, null]]], "base64")).toEqual({
      result: [1, null, [b64("a"), [2, null]]],
    });
  });

  it("turns a failed command into an error entry that is never encoded", () => {
    expect(toEntry(new Error("ERR value is not an integer or out of range"), "base64")).toEqual({
      error: "ERR value is not an integer or out of range",
    });
  });

  it("sends an error element inside an EVAL reply as its message", () => {
    expect(toEntry([1, new Error("ERR inner")], "base64")).toEqual({ result: [1, b64("ERR inner")] });
  });
});

describe("toEntry without Upstash-Encoding", () => {
  it("sends UTF-8 text, replacing invalid bytes with U+FFFD as Upstash documents", () => {
    expect(toEntry(Buffer.from("héllo 🚀"), "utf8")).toEqual({ result: "héllo 🚀" });
    expect(toEntry(Buffer.from([0x61, 0xff, 0x62]), "utf8")).toEqual({ result: "a\uFFFDb" });
    expect(toEntry([Buffer.from("OK"), 3, null], "utf8")).toEqual({ result: ["OK", 3, null] });
  });
});

describe("responseEncoding", () => {
  it("selects base64 only when the header asks for it, in any case", () => {
    expect(responseEncoding("base64")).toBe("base64");
    expect(responseEncoding("BASE64")).toBe("base64");
    expect(responseEncoding(undefined)).toBe("utf8");
    expect(responseEncoding("json")).toBe("utf8");
  });
});
