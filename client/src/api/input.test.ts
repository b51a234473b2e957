import { describe, expect, test } from "vitest";
import { z } from "zod";
import { InvalidInputError } from "../engine/validation-error.ts";
import { ApiError, MAX_BODY_BYTES, check, readJson } from "./input.ts";

const post = (body: string) => new Request("http://site/awl/api/events", { method: "POST", body });

describe("readJson", () => {
  test("parses a JSON body", async () => {
    await expect(readJson(post('{"name":"a"}'))).resolves.toEqual({ name: "a" });
  });

  test("refuses a body over 1 MB with 413, before parsing it", async () => {
    const error = await readJson(post(`"${"x".repeat(MAX_BODY_BYTES)}"`)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(413);
  });

  test("names the position of a JSON syntax error when the parser reports one", async () => {
    const error = (await readJson(post('{"name": "a" "data": 1}')).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(400);
    expect(error.message).toMatch(/^body: is not valid JSON at position 13/);
  });

  test("an empty body is refused, unless it is optional", async () => {
    await expect(readJson(post(""))).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("required"),
    });
    await expect(readJson(post(" "), { optional: true })).resolves.toBeUndefined();
  });
});

describe("check", () => {
  const schema = z.strictObject({ name: z.string(), nested: z.strictObject({ a: z.number() }).optional() });

  test("returns the parsed value", () => {
    expect(check(schema, { name: "x" })).toEqual({ name: "x" });
  });

  test("names each unknown field, nested ones included, under the given prefix", () => {
    const error = (() => {
      try {
        check(schema, { name: "x", colour: "red", nested: { a: 1, b: 2 } }, [0]);
      } catch (e) {
        return e as InvalidInputError;
      }
    })();
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error?.issues).toHaveLength(2);
    expect(error?.issues).toEqual(
      expect.arrayContaining([
        { path: [0, "colour"], message: "is not a known field" },
        { path: [0, "nested", "b"], message: "is not a known field" },
      ]),
    );
  });

  test("keeps __proto__ and constructor keys inert: refused as unknown fields, nothing polluted", () => {
    const body: unknown = JSON.parse(
      '{"name":"x","__proto__":{"polluted":true},"constructor":{"prototype":{"p":1}}}',
    );
    expect(() => check(schema, body)).toThrow(
      /__proto__: is not a known field; constructor: is not a known field/,
    );
    expect(Object.getPrototypeOf(body)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(({} as Record<string, unknown>).p).toBeUndefined();
  });
});
