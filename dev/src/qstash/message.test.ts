import { describe, expect, it } from "vitest";
import { canonicalHeaderName, messageView, newDlqId, newMessageId } from "./message.ts";

describe("message identifiers", () => {
  it("sort in creation order, which queues rely on", () => {
    const ids = Array.from({ length: 500 }, () => newMessageId());
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("DLQ ids have QStash's <ms>-<seq> shape", () => {
    expect(newDlqId()).toMatch(/^\d{13}-\d+$/);
  });
});

describe("message views", () => {
  it("spells header names as Go does", () => {
    expect(canonicalHeaderName("x-trace-id")).toBe("X-Trace-Id");
    expect(canonicalHeaderName("CONTENT-TYPE")).toBe("Content-Type");
  });

  it("show the Message fields the client reads", () => {
    const view = messageView({
      id: "msg_1",
      url: "https://example.com",
      method: "GET",
      headers: { "Test-Header": "v" },
      body: "b",
      maxRetries: 5,
      retried: 0,
      retryDelay: "1000 * retried",
      notBefore: 2,
      createdAt: 1,
      queueName: "q",
      flowControl: { key: "k", parallelism: 10, rate: 5, period: 86_400 },
      labels: ["l1", "l2"],
      callback: { url: "https://example.com/cb", headers: {} },
    });
    expect(view).toEqual({
      messageId: "msg_1",
      url: "https://example.com",
      method: "GET",
      header: { "Test-Header": ["v"] },
      body: "b",
      maxRetries: 5,
      retryDelayExpression: "1000 * retried",
      notBefore: 2,
      createdAt: 1,
      callback: "https://example.com/cb",
      queueName: "q",
      label: "l1",
      labels: ["l1", "l2"],
      flowControlKey: "k",
      parallelism: 10,
      rate: 5,
      period: 86_400,
    });
  });
});
