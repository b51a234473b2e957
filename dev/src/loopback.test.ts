import { expect, test } from "vitest";
import { isLoopbackHost, refusal } from "./loopback.ts";

const SERVICE = "the test server";
const refused = (headers: Record<string, string>) => refusal(new Headers(headers), SERVICE);

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

test("non-browser requests and the server's own pages pass", () => {
  expect(refused({ host: "127.0.0.1:8288" })).toBeUndefined();
  expect(refused({ host: "127.0.0.1:8288", origin: "http://127.0.0.1:8288" })).toBeUndefined();
  expect(refused({ host: "LOCALHOST:8288", origin: "http://localhost:8288" })).toBeUndefined();
  expect(refused({ host: "localhost:8288", "sec-fetch-site": "same-origin" })).toBeUndefined();
  expect(refused({ host: "localhost:8288", "sec-fetch-site": "none" })).toBeUndefined();
  expect(refused({ host: "localhost:8288", referer: "http://localhost:8288/events/1" })).toBeUndefined();
});

test("a rebinding host, another page and an opaque origin are refused with a message that says why", () => {
  expect(refused({ host: "evil.example:8288" })).toMatch(
    /^Host "evil.example:8288" is not a loopback name: the test server answers only to .*DNS rebinding/,
  );
  expect(refused({ host: "127.0.0.1:8288", origin: "https://evil.example" })).toMatch(
    /^cross-site request from https:\/\/evil.example refused: the test server refuses requests from web pages/,
  );
  // Another port of the same machine is another origin, and the same site.
  expect(refused({ host: "127.0.0.1:8288", origin: "http://127.0.0.1:3000" })).toMatch(/refused/);
  expect(refused({ host: "localhost:8288", "sec-fetch-site": "same-site" })).toMatch(
    /^same-site request refused/,
  );
  expect(refused({ host: "localhost:8288", "sec-fetch-site": "cross-site" })).toMatch(
    /^cross-site request refused/,
  );
  expect(refused({ host: "localhost:8288", origin: "null" })).toMatch(/Origin: null refused/);
  expect(refused({ host: "localhost:8288", origin: "file://" })).toMatch(/refused/);
  expect(refused({ host: "localhost:8288", origin: "not a url" })).toMatch(/refused/);
});

test("a Referer from another site is refused, naming its origin only (its path may hold secrets)", () => {
  const message = refused({ host: "localhost:8079", referer: "https://evil.example/page?secret=1" });
  expect(message).toMatch(/^cross-site request from https:\/\/evil.example refused/);
  expect(message).not.toContain("secret");
});
