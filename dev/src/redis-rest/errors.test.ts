import { describe, expect, it } from "vitest";
import { asError, errorBody, transactionDiscarded } from "./errors.ts";

describe("transactionDiscarded", () => {
  it("names the command that made Redis discard the transaction, with the reason", () => {
    const error = transactionDiscarded(
      { name: "nosuch", args: [] },
      1,
      "ERR unknown command 'nosuch', with args beginning with: ",
    );
    expect(error.message).toBe(
      "EXECABORT Transaction discarded because of previous errors. Command 2 [nosuch] failed: ERR unknown command 'nosuch', with args beginning with: ",
    );
  });
});

describe("errorBody", () => {
  it("is the {error} shape @upstash/redis reads the message from", () => {
    expect(JSON.stringify(errorBody("ERR boom"))).toBe('{"error":"ERR boom"}');
  });
});

describe("asError", () => {
  it("keeps errors and wraps anything else thrown", () => {
    const error = new Error("ERR x");
    expect(asError(error)).toBe(error);
    expect(asError("NOSCRIPT No matching script").message).toBe("NOSCRIPT No matching script");
  });
});
