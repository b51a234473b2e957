// What happens when delivery fails for good, and when a publisher takes a message back.
import { describe, expect, it } from "vitest";
import { eventually, useHarness, type Harness } from "./helpers/qstash-harness.ts";

let h: Harness;
useHarness((harness) => (h = harness));

describe("dead letters", () => {
  it("retries, then dead-letters, calls the failure callback and lists the message in the DLQ", async () => {
    h.receiver.answer = (delivery) => (delivery.path === "/always-fails" ? 500 : 200);
    const before = h.server.stats();
    const { messageId } = await h.client.publish({
      url: h.receiver.url("/always-fails"),
      body: "doomed",
      retries: 2,
      retryDelay: "10",
      failureCallback: h.receiver.url("/failure-callback"),
      headers: { "Upstash-Failure-Callback-Forward-X-Is-Failure": "true", "content-type": "text/plain" },
    });

    const failure = await eventually("the failure callback", () => h.receiver.to("/failure-callback")[0]);
    expect(h.receiver.to("/always-fails").map(({ retried }) => retried)).toEqual([0, 1, 2]);
    expect(failure.headers["x-is-failure"]).toBe("true");
    const payload = JSON.parse(failure.body) as Record<string, unknown>;
    expect(payload).toMatchObject({
      status: 500,
      retried: 2,
      maxRetries: 2,
      sourceMessageId: messageId,
      url: h.receiver.url("/always-fails"),
      method: "POST",
      sourceHeader: { "Content-Type": ["text/plain"] },
      sourceBody: Buffer.from("doomed").toString("base64"),
    });
    expect(Buffer.from(String(payload.body), "base64").toString()).toBe("failed with 500");

    const { messages } = await h.client.dlq.listMessages();
    const dead = messages.find((message) => message.messageId === messageId);
    expect(dead).toMatchObject({
      dlqId: payload.dlqId,
      url: h.receiver.url("/always-fails"),
      body: "doomed",
      maxRetries: 2,
      responseStatus: 500,
      responseBody: "failed with 500",
      failureCallback: h.receiver.url("/failure-callback"),
    });
    const filtered = await h.client.dlq.listMessages({ filter: { messageId } });
    expect(filtered.messages.map((message) => message.dlqId)).toEqual([payload.dlqId]);

    await h.settled("the failure callback to be settled");
    const after = h.server.stats();
    expect(after.deadLettered - before.deadLettered).toBe(1);
    expect(after.retried - before.retried).toBe(2);
    await expect(h.client.messages.get(messageId)).rejects.toMatchObject({ status: 404 });

    expect(await h.client.dlq.delete(String(payload.dlqId))).toEqual({ deleted: 1 });
    const afterDelete = await h.client.dlq.listMessages();
    expect(afterDelete.messages.some((message) => message.messageId === messageId)).toBe(false);
    const again = await h.request(`/v2/dlq/${String(payload.dlqId)}`, { method: "DELETE" });
    expect(again.status).toBe(404);
    expect(await again.json()).toEqual({ error: "dlq message not found" });
  });

  it("counts a refused connection as a failed attempt", async () => {
    const { messageId } = await h.client.publish({
      url: "http://127.0.0.1:1/nobody-home",
      body: "x",
      retries: 0,
    });
    const entry = await eventually(
      "the DLQ entry",
      async () => (await h.client.dlq.listMessages({ filter: { messageId } })).messages[0],
    );
    expect(entry.responseStatus).toBeUndefined();
    expect(entry.url).toBe("http://127.0.0.1:1/nobody-home");
  });

  it("dead-letters a callback that cannot be delivered, and counts it as a failed callback", async () => {
    h.receiver.answer = (delivery) => (delivery.path === "/bad-callback" ? 500 : 200);
    const before = h.server.stats();
    await h.client.publish({
      url: h.receiver.url("/fine"),
      body: "x",
      retries: 0,
      callback: h.receiver.url("/bad-callback"),
    });
    await eventually("the failed callback", () => h.server.stats().failedCallbacks > before.failedCallbacks);
    expect(h.receiver.to("/bad-callback")).toHaveLength(1);
  });
});

describe("cancel", () => {
  it("never delivers a message cancelled before its time", async () => {
    const doomed = await h.client.publish({ url: h.receiver.url("/cancelled"), body: "no", delay: 1 });
    expect(await h.client.messages.cancel(doomed.messageId)).toEqual({ cancelled: 1 });
    await expect(h.client.messages.get(doomed.messageId)).rejects.toMatchObject({ status: 404 });
    // A later message to the same place proves the cancelled one's time has passed.
    await h.client.publish({ url: h.receiver.url("/after-cancelled"), body: "yes", delay: 2 });
    await eventually("the later message", () => h.receiver.to("/after-cancelled")[0]);
    expect(h.receiver.to("/cancelled")).toEqual([]);
    const again = await h.request(`/v2/messages/${doomed.messageId}`, { method: "DELETE" });
    expect(again.status).toBe(404);
    expect(await again.json()).toEqual({ error: "message not found" });
  });

  it("cancels several at once", async () => {
    const ids = await Promise.all(
      [1, 2, 3].map(
        async (n) => (await h.client.publish({ url: h.receiver.url(`/bulk/${n}`), delay: 60 })).messageId,
      ),
    );
    expect(await h.client.messages.cancel(ids.slice(0, 2))).toEqual({ cancelled: 2 });
    expect((await h.client.messages.get(ids[2] as string)).messageId).toBe(ids[2]);
    expect(await h.client.messages.cancel({ all: true })).toEqual({ cancelled: 1 });
  });
});
