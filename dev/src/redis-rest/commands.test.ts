import { describe, expect, it } from "vitest";
import { isBlocking, refusal, type RedisCommand } from "./commands.ts";

const command = (name: string, ...args: string[]): RedisCommand => ({ name, args });

describe("refusal", () => {
  it("refuses commands that would change the shared connection, in any case, saying what to do instead", () => {
    expect(refusal(command("multi"))).toBe(
      "ERR Command is not available: 'multi'. Send transactions to /multi-exec (redis.multi() in @upstash/redis).",
    );
    expect(refusal(command("Subscribe", "ch"))).toMatch(
      /^ERR Command is not available: 'Subscribe'\. .*Pub\/Sub/,
    );
    expect(refusal(command("SELECT", "1"))).toMatch(/shared connection|share/);
  });

  it("lets ordinary commands through", () => {
    expect(refusal(command("GET", "k"))).toBeUndefined();
    expect(refusal(command("publish", "ch", "m"))).toBeUndefined();
    expect(refusal(command("evalsha", "abc", "0"))).toBeUndefined();
  });
});

describe("isBlocking", () => {
  it("recognises the blocking list, sorted-set and WAIT commands", () => {
    expect(isBlocking(command("BLPOP", "l", "0"))).toBe(true);
    expect(isBlocking(command("bzpopmin", "z", "1"))).toBe(true);
    expect(isBlocking(command("LPOP", "l"))).toBe(false);
  });

  it("treats XREAD as blocking only with a BLOCK option before STREAMS", () => {
    expect(isBlocking(command("XREAD", "BLOCK", "0", "STREAMS", "s", "$"))).toBe(true);
    expect(isBlocking(command("xread", "COUNT", "1", "STREAMS", "s", "0"))).toBe(false);
    expect(isBlocking(command("XREAD", "STREAMS", "block", "0"))).toBe(false);
  });
});
