import { expect, test } from "vitest";
import { isLoopbackHost, refusal } from "./loopback.ts";

test("loopback names pass, with or without a port; anything else does not", () => {
  for (const host of [
    "localhost",
    "localhost:8288",
    "127.0.0.1:8288",
    "127.1.2.3",
    "[::1]:8288",
    "app.localhost",
  ]) {
    expect(isLoopbackHost(host), host).toBe(true);
  }
  for (const host of [
    undefined,
    "",
    "evil.example",
    "evil.example:8288",
    "127.0.0.1.evil.example",
    "10.0.0.1",
  ]) {
    expect(isLoopbackHost(host), String(host)).toBe(false);
  }
});

test("a rebinding host or another origin is refused with a message that says why", () => {
  expect(refusal(new Headers({ host: "127.0.0.1:8288" }))).toBeUndefined();
  expect(refusal(new Headers({ host: "127.0.0.1:8288", origin: "http://127.0.0.1:8288" }))).toBeUndefined();
  expect(refusal(new Headers({ host: "evil.example:8288" }))).toMatch(/not a loopback name.*DNS rebinding/);
  expect(refusal(new Headers({ host: "127.0.0.1:8288", origin: "https://evil.example" }))).toMatch(
    /requests from https:\/\/evil.example are refused/,
  );
  expect(refusal(new Headers({ host: "localhost:8288", "sec-fetch-site": "cross-site" }))).toMatch(
    /cross-site/,
  );
});
