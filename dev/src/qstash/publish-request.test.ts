import { describe, expect, it } from "vitest";
import { QStashError } from "./errors.ts";
import { acceptPublish, DEFAULT_RETRIES } from "./publish-request.ts";

const now = 1_700_000_000_000;
const accept = (headers: Record<string, string>, destination = "https://example.com/api?x=1", body = "hi") =>
  acceptPublish({ destination, headers: new Map(Object.entries(headers)), body: Buffer.from(body), now });

const rejection = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(QStashError);
    return { status: (error as QStashError).status, error: (error as QStashError).message };
  }
  throw new Error("expected a QStashError");
};

describe("acceptPublish", () => {
  it("applies QStash's defaults", () => {
    const { message, deduplicationKey } = accept({});
    expect(message).toMatchObject({
      url: "https://example.com/api?x=1",
      method: "POST",
      headers: {},
      body: "hi",
      maxRetries: DEFAULT_RETRIES,
      retried: 0,
      notBefore: now,
      createdAt: now,
    });
    expect(message.id).toMatch(/^msg_[0-9A-Za-z]{23}$/);
    expect(deduplicationKey).toBeUndefined();
  });

  it("forwards Content-Type and Upstash-Forward-* headers with the prefix stripped", () => {
    const { message } = accept({
      "content-type": "application/json",
      "upstash-forward-authorization": "Bearer x",
      "upstash-forward-x-trace-id": "t1",
      "upstash-retries": "1",
      "upstash-telemetry-sdk": "upstash-qstash-js",
    });
    expect(message.headers).toEqual({
      "Content-Type": "application/json",
      Authorization: "Bearer x",
      "X-Trace-Id": "t1",
    });
  });

  it("reads method, retries, retry delay, timeout, labels and flow control", () => {
    const { message } = accept({
      "upstash-method": "put",
      "upstash-retries": "0",
      "upstash-retry-delay": "pow(2, retried) * 1000",
      "upstash-timeout": "30s",
      "upstash-label": "a, b",
      "upstash-flow-control-key": "tenant-1",
      "upstash-flow-control-value": "parallelism=1, rate=5, period=1m",
    });
    expect(message).toMatchObject({
      method: "PUT",
      maxRetries: 0,
      retryDelay: "pow(2, retried) * 1000",
      timeoutMs: 30_000,
      labels: ["a", "b"],
      flowControl: { key: "tenant-1", parallelism: 1, rate: 5, period: 60 },
    });
  });

  it("schedules with Upstash-Delay, and Upstash-Not-Before (seconds) wins over it", () => {
    expect(accept({ "upstash-delay": "1m30s" }).message.notBefore).toBe(now + 90_000);
    expect(accept({ "upstash-delay": "10s", "upstash-not-before": "1800000000" }).message.notBefore).toBe(
      1_800_000_000_000,
    );
  });

  it("derives callback configuration from Upstash-Callback-* headers", () => {
    const { message } = accept({
      "upstash-retries": "2",
      "upstash-callback": "https://example.com/cb",
      "upstash-callback-forward-x-secret": "s",
      "upstash-callback-method": "PUT",
      "upstash-failure-callback": "https://example.com/failed",
      "upstash-failure-callback-retries": "0",
    });
    expect(message.callback).toEqual({
      url: "https://example.com/cb",
      headers: { "upstash-retries": "2", "upstash-forward-x-secret": "s", "upstash-method": "PUT" },
    });
    expect(message.failureCallback).toEqual({
      url: "https://example.com/failed",
      headers: { "upstash-retries": "0" },
    });
  });

  it("deduplicates by id, or by destination, headers and body", () => {
    expect(accept({ "upstash-deduplication-id": "abc" }).deduplicationKey).toBe("id:abc");
    const byContent = (body: string, destination?: string) =>
      accept({ "upstash-content-based-deduplication": "true" }, destination, body).deduplicationKey;
    expect(byContent("a")).toMatch(/^content:/);
    expect(byContent("a")).toBe(byContent("a"));
    expect(byContent("a")).not.toBe(byContent("b"));
    expect(byContent("a")).not.toBe(byContent("a", "https://example.com/other"));
  });

  it("keeps a body that is not UTF-8 as base64", () => {
    const { message } = acceptPublish({
      destination: "http://localhost/x",
      headers: new Map(),
      body: Buffer.from([0xff, 0x00, 0xfe]),
      now,
    });
    expect(message).toMatchObject({ bodyBase64: "/wD+" });
    expect(message.body).toBeUndefined();
  });

  it("repairs a destination whose // a proxy folded", () => {
    expect(accept({}, "http:/127.0.0.1:3000/x").message.url).toBe("http://127.0.0.1:3000/x");
  });

  it.each([
    [{}, "example.com/api", "invalid destination url: endpoint has invalid scheme, add http:// or https://"],
    [
      {},
      "ftp://example.com",
      "invalid destination url: endpoint has invalid scheme, add http:// or https://",
    ],
    [{ "upstash-delay": "soon" }, undefined, 'invalid Upstash-Delay header: time: invalid duration "soon"'],
    [
      { "upstash-delay": "10" },
      undefined,
      'invalid Upstash-Delay header: time: missing unit in duration "10"',
    ],
    [{ "upstash-not-before": "tomorrow" }, undefined, "invalid Upstash-Not-Before header"],
    [{ "upstash-retries": "-1" }, undefined, "invalid Upstash-Retries header"],
    [{ "upstash-retry-delay": "retried(" }, undefined, "invalid Upstash-Retry-Delay header"],
    [{ "upstash-method": "FETCH" }, undefined, "invalid Upstash-Method header"],
    [{ "upstash-timeout": "0s" }, undefined, "invalid Upstash-Timeout header: must be positive"],
    [{ "upstash-flow-control-key": "k" }, undefined, "invalid Upstash-Flow-Control-Value header: required"],
    [{ "upstash-flow-control-key": "k", "upstash-flow-control-value": "x=1" }, undefined, "unknown setting"],
    [{ "upstash-callback": "nope" }, undefined, "invalid callback url: endpoint has invalid scheme"],
    [
      { "upstash-failure-callback": "http://x", "upstash-failure-callback-delay": "later" },
      undefined,
      "invalid Upstash-Delay header",
    ],
  ])("rejects %j %s with a 400", (headers, destination, message) => {
    const { status, error } = rejection(() => accept(headers, destination));
    expect(status).toBe(400);
    expect(error).toContain(message);
  });
});
