// Publishing through the official client and what the destination receives.
import { describe, expect, it } from "vitest";
import { eventually, useHarness, type Harness } from "./helpers/qstash-harness.ts";

let h: Harness;
useHarness((harness) => (h = harness));

describe("publish", () => {
  it("delivers at once, signed, with the body unchanged and the forwarded headers", async () => {
    const { messageId } = await h.client.publishJSON({
      url: h.receiver.url("/now?tenant=1"),
      body: { hello: "wörld" },
      method: "PUT",
      headers: { "x-trace-id": "t-1", "Upstash-Forward-Authorization": "Bearer abc" },
    });
    const delivery = await eventually("the delivery", () => h.receiver.to("/now?tenant=1")[0]);
    expect(delivery).toMatchObject({
      method: "PUT",
      body: JSON.stringify({ hello: "wörld" }),
      messageId,
      retried: 0,
    });
    expect(delivery.headers).toMatchObject({
      "content-type": "application/json",
      "x-trace-id": "t-1",
      authorization: "Bearer abc",
      "user-agent": "Upstash-QStash",
      "upstash-retried": "0",
    });
    expect(delivery.headers["upstash-forward-authorization"]).toBeUndefined();
    expect(h.log.some((line) => line.includes("/now?tenant=1 -> 200 (attempt 1/4"))).toBe(true);
  });

  it("holds a delayed message until its time, then forgets it", async () => {
    const { messageId } = await h.client.publish({
      url: h.receiver.url("/delayed"),
      body: "later",
      delay: 2,
    });
    const pending = await h.client.messages.get(messageId);
    expect(pending).toMatchObject({
      messageId,
      url: h.receiver.url("/delayed"),
      body: "later",
      maxRetries: 3,
    });
    expect(pending.notBefore).toBe(pending.createdAt + 2000);
    expect(h.receiver.to("/delayed")).toEqual([]);
    await eventually("the delayed delivery", () => h.receiver.to("/delayed")[0]);
    await h.settled("the message to be settled");
    await expect(h.client.messages.get(messageId)).rejects.toMatchObject({ status: 404 });
  });

  it("honours notBefore (unix seconds)", async () => {
    const notBefore = Math.floor(Date.now() / 1000) + 2;
    const { messageId } = await h.client.publish({
      url: h.receiver.url("/not-before"),
      body: "x",
      notBefore,
    });
    expect((await h.client.messages.get(messageId)).notBefore).toBe(notBefore * 1000);
    const delivery = await eventually("the delivery", () => h.receiver.to("/not-before")[0]);
    expect(delivery.messageId).toBe(messageId);
  });

  it("deduplicates by id: the same message id back, with deduplicated, and one delivery", async () => {
    const before = h.server.stats();
    const request = { url: h.receiver.url("/dedup-id"), body: { n: 1 }, deduplicationId: "order-42" };
    const first = await h.client.publishJSON(request);
    const second = await h.client.publishJSON({ ...request, body: { n: 2 } });
    expect(first.deduplicated).toBeUndefined();
    expect(second).toEqual({ messageId: first.messageId, deduplicated: true });
    await eventually("the delivery", () => h.receiver.to("/dedup-id")[0]);
    await h.settled("nothing left to deliver");
    expect(h.receiver.to("/dedup-id").map((delivery) => delivery.body)).toEqual([JSON.stringify({ n: 1 })]);
    const after = h.server.stats();
    expect(after.published - before.published).toBe(1);
    expect(after.deduplicated - before.deduplicated).toBe(1);
  });

  it("deduplicates by content: same destination, headers and body", async () => {
    const request = { url: h.receiver.url("/dedup-content"), body: "same", contentBasedDeduplication: true };
    const first = await h.client.publish(request);
    const second = await h.client.publish(request);
    const other = await h.client.publish({ ...request, body: "different" });
    expect(second).toEqual({ messageId: first.messageId, deduplicated: true });
    expect(other.messageId).not.toBe(first.messageId);
    await eventually("both distinct deliveries", () => h.receiver.to("/dedup-content").length === 2);
    await h.settled("nothing left to deliver");
    expect(
      h.receiver
        .to("/dedup-content")
        .map((delivery) => delivery.body)
        .sort(),
    ).toEqual(["different", "same"]);
  });

  it("retries a failing destination with the retry delay until it succeeds", async () => {
    h.receiver.answer = (delivery) => (delivery.path === "/flaky" && delivery.retried < 2 ? 503 : 200);
    const before = h.server.stats();
    const { messageId } = await h.client.publish({
      url: h.receiver.url("/flaky"),
      body: "try me",
      retries: 3,
      retryDelay: "10 * pow(2, retried)",
    });
    await eventually("the third attempt", () => h.receiver.to("/flaky").length === 3);
    expect(h.receiver.to("/flaky").map(({ messageId: id, retried }) => [id, retried])).toEqual([
      [messageId, 0],
      [messageId, 1],
      [messageId, 2],
    ]);
    await eventually("the success to be recorded", () => h.server.stats().delivered > before.delivered);
    expect(h.server.stats().retried - before.retried).toBe(2);
  });

  it("publishes a batch in one call", async () => {
    const results = await h.client.batchJSON([
      { url: h.receiver.url("/batch/1"), body: { i: 1 } },
      { url: h.receiver.url("/batch/2"), body: { i: 2 }, delay: 1 },
      { url: h.receiver.url("/batch/3"), body: { i: 3 }, headers: { "x-batch": "yes" } },
    ]);
    expect(results).toHaveLength(3);
    expect(new Set(results.map(({ messageId }) => messageId)).size).toBe(3);
    for (const [index, { messageId }] of results.entries()) {
      const delivery = await eventually(
        `batch message ${index + 1}`,
        () => h.receiver.to(`/batch/${index + 1}`)[0],
      );
      expect(delivery.messageId).toBe(messageId);
      expect(JSON.parse(delivery.body)).toEqual({ i: index + 1 });
    }
    expect(h.receiver.to("/batch/3")[0]?.headers["x-batch"]).toBe("yes");
  });

  it("enqueues to a queue: one at a time, in order, the next waiting through the retries of the first", async () => {
    const queue = h.client.queue({ queueName: "orders" });
    await queue.upsert({ parallelism: 1 });
    let active = 0;
    let most = 0;
    h.receiver.answer = async (delivery) => {
      if (!delivery.path.startsWith("/queue")) return 200;
      active += 1;
      most = Math.max(most, active);
      await new Promise((resolve) => setTimeout(resolve, 15));
      active -= 1;
      return delivery.body === "1" && delivery.retried === 0 ? 500 : 200;
    };
    for (const n of [1, 2, 3, 4, 5]) {
      await queue.enqueue({ url: h.receiver.url("/queue"), body: String(n), retries: 2, retryDelay: "20" });
    }
    await eventually("the whole queue", () => h.receiver.to("/queue").length === 6);
    expect(h.receiver.to("/queue").map(({ body, retried }) => `${body}#${retried}`)).toEqual([
      "1#0",
      "1#1",
      "2#0",
      "3#0",
      "4#0",
      "5#0",
    ]);
    expect(most).toBe(1);
    expect(await queue.get()).toMatchObject({ name: "orders", parallelism: 1, paused: false });
    expect((await h.client.queue().list()).map(({ name }) => name)).toContain("orders");
  });

  it("calls the callback with the destination's answer", async () => {
    const { messageId } = await h.client.publish({
      url: h.receiver.url("/with-callback"),
      body: "ping",
      callback: h.receiver.url("/callback"),
      headers: { "Upstash-Callback-Forward-X-Callback-Secret": "s3cret" },
    });
    const callback = await eventually("the callback", () => h.receiver.to("/callback")[0]);
    expect(callback.headers["x-callback-secret"]).toBe("s3cret");
    const payload = JSON.parse(callback.body) as Record<string, unknown>;
    expect(payload).toMatchObject({
      status: 200,
      retried: 0,
      maxRetries: 3,
      sourceMessageId: messageId,
      url: h.receiver.url("/with-callback"),
      method: "POST",
      sourceBody: Buffer.from("ping").toString("base64"),
    });
    expect(Buffer.from(String(payload.body), "base64").toString()).toBe("ok");
  });

  it("calls the callback after every attempt, failed ones included, as QStash documents", async () => {
    h.receiver.answer = (delivery) =>
      delivery.path === "/callback-flaky" && delivery.retried === 0 ? 502 : 200;
    await h.client.publish({
      url: h.receiver.url("/callback-flaky"),
      body: "x",
      retries: 1,
      retryDelay: "10",
      callback: h.receiver.url("/callback-each"),
    });
    await eventually("two callbacks", () => h.receiver.to("/callback-each").length === 2);
    const reports = h.receiver
      .to("/callback-each")
      .map((delivery) => JSON.parse(delivery.body) as { status: number; retried: number });
    expect(reports.map(({ status, retried }) => [status, retried]).sort()).toEqual([
      [200, 1],
      [502, 0],
    ]);
  });
});
