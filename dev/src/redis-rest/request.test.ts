import { describe, expect, it } from "vitest";
import { BadRequestError } from "./errors.ts";
import { commandFromPath, parseCommand, parseCommands, parseJsonBody } from "./request.ts";

function rejection(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(BadRequestError);
    return (error as Error).message;
  }
  throw new Error("expected a BadRequestError");
}

describe("parseCommand", () => {
  it("keeps the name and string arguments as given, and turns numbers and booleans into their text", () => {
    expect(parseCommand(["zadd", "k", 1.5, "m", 1e21, true, "ünï"])).toEqual({
      name: "zadd",
      args: ["k", "1.5", "m", "1e+21", "true", "ünï"],
    });
  });

  it("explains what is wrong with a body that is not a command", () => {
    expect(rejection(() => parseCommand({ cmd: "GET" }))).toBe(
      'ERR a command must be a JSON array of the command name and its arguments, e.g. ["SET","key","value"]; got an object',
    );
    expect(rejection(() => parseCommand("GET k"))).toMatch(/must be a JSON array.*; got string$/);
    expect(rejection(() => parseCommand([]))).toBe(
      "ERR empty command: the array must start with the command name",
    );
    expect(rejection(() => parseCommand([null, "k"]))).toBe(
      "ERR the command name must be a string; got null",
    );
  });

  it("names the argument that is not a string, number or boolean", () => {
    expect(rejection(() => parseCommand(["SET", "k", { v: 1 }]))).toBe(
      "ERR argument 2 of SET must be a string, number or boolean; got an object",
    );
    expect(rejection(() => parseCommand(["SET", ["k"], "v"]))).toBe(
      "ERR argument 1 of SET must be a string, number or boolean; got an array",
    );
  });
});

describe("parseCommands", () => {
  it("parses every command of a pipeline", () => {
    expect(
      parseCommands([
        ["SET", "k", 1],
        ["GET", "k"],
      ]),
    ).toEqual([
      { name: "SET", args: ["k", "1"] },
      { name: "GET", args: ["k"] },
    ]);
  });

  it("rejects the whole batch, naming the first bad command", () => {
    expect(
      rejection(() =>
        parseCommands([
          ["SET", "k", "v"],
          ["GET", null],
        ]),
      ),
    ).toBe("ERR command 2: argument 1 of GET must be a string, number or boolean; got null");
    expect(rejection(() => parseCommands(["GET", "k"]))).toMatch(
      /^ERR command 1: a command must be a JSON array/,
    );
    expect(rejection(() => parseCommands([]))).toBe("ERR the request body holds no commands");
    expect(rejection(() => parseCommands({}))).toMatch(
      /^ERR the request body must be a JSON array of commands/,
    );
  });
});

describe("parseJsonBody", () => {
  it("turns malformed JSON into a clear 400 error", () => {
    expect(rejection(() => parseJsonBody('["SET","k"'))).toMatch(
      /^ERR failed to parse the request body as JSON: /,
    );
  });
});

describe("commandFromPath", () => {
  it("decodes path segments, then appends the body, then query parameters (without _token)", () => {
    const body = Buffer.from([0xff, 0x00]);
    const command = commandFromPath("/set/my%20key/", new URLSearchParams("EX=100&_token=t&NX"), body);
    expect(command).toEqual({ name: "set", args: ["my key", body, "EX", "100", "NX"] });
  });

  it("ignores an empty body", () => {
    expect(commandFromPath("/get/k", new URLSearchParams(), Buffer.alloc(0))).toEqual({
      name: "get",
      args: ["k"],
    });
  });

  it("rejects an empty path and broken percent-encoding", () => {
    expect(rejection(() => commandFromPath("/", new URLSearchParams(), undefined))).toMatch(
      /^ERR empty command/,
    );
    expect(rejection(() => commandFromPath("/get/%ff", new URLSearchParams(), undefined))).toMatch(
      /^ERR the path is not valid percent-encoded UTF-8/,
    );
  });
});
