// Stopping and starting the server on the same Redis loses nothing (deliveries are at-least-once).
import { describe, expect, it } from "vitest";
import { startQStash } from "@awl/dev";
import { eventually, useHarness, type Harness } from "./helpers/qstash-harness.ts";

let h: Harness;
useHarness((harness) => (h = harness));

describe("restart", () => {
  it("still delivers a message whose delay runs out while the server is down", async () => {
    const { messageId } = await h.client.publishJSON({
      url: h.receiver.url("/delayed"),
      body: { n: 1 },
      delay: 1,
    });
    await h.server.close();
    expect(h.receiver.to("/delayed")).toEqual([]);
    await h.restart();
    const delivery = await eventually("the delayed delivery", () => h.receiver.to("/delayed")[0]);
    expect(delivery).toMatchObject({ messageId, body: JSON.stringify({ n: 1 }), retried: 0 });
  });

  it("delivers again what was in flight when the server stopped", async () => {
    let release: (status: number) => void = () => undefined;
    h.receiver.answer = (delivery) =>
      delivery.path === "/slow" && h.receiver.to("/slow").length === 1
        ? new Promise<number>((resolve) => (release = resolve))
        : 200;
    const { messageId } = await h.client.publish({ url: h.receiver.url("/slow"), body: "once" });
    await eventually("the first attempt", () => h.receiver.to("/slow")[0]);
    await h.restart();
    release(200);
    await eventually("the attempt after the restart", () => h.receiver.to("/slow").length === 2);
    expect(h.receiver.to("/slow").map((delivery) => [delivery.messageId, delivery.retried])).toEqual([
      [messageId, 0],
      [messageId, 0],
    ]);
    await eventually("the message to be settled", () => h.server.stats().delivered === 1);
  });

  it("resumes retries and keeps queue order and settings across a restart", async () => {
    const queue = h.client.queue({ queueName: "restart-q" });
    await queue.upsert({ parallelism: 1 });
    h.receiver.answer = (delivery) => (delivery.body === "first" && delivery.retried === 0 ? 500 : 200);
    await queue.enqueue({ url: h.receiver.url("/q"), body: "first", retries: 1, retryDelay: "1000" });
    await queue.enqueue({ url: h.receiver.url("/q"), body: "second" });
    await eventually("the failed first attempt", () => h.receiver.to("/q")[0]);
    // Restart once the retry is scheduled (what this test is about), not while that attempt settles.
    await eventually("the retry to be scheduled", () => h.server.stats().retried === 1);
    await h.restart();
    await eventually("both messages", () => h.receiver.to("/q").length === 3);
    expect(h.receiver.to("/q").map(({ body, retried }) => `${body}#${retried}`)).toEqual([
      "first#0",
      "first#1",
      "second#0",
    ]);
    expect(await h.client.queue({ queueName: "restart-q" }).get()).toMatchObject({ parallelism: 1 });
  });

  it("refuses a port that is taken, and delivers nothing twice", async () => {
    const before = h.receiver.deliveries.length;
    await h.client.publish({ url: h.receiver.url("/owned"), body: "once" });
    await eventually("the delivery", () => h.receiver.to("/owned")[0]);
    await expect(
      startQStash({
        connection: h.connection,
        port: Number(new URL(h.server.url).port),
        keyPrefix: h.prefix,
        log: () => undefined,
      }),
    ).rejects.toThrow(/Cannot serve the QStash API on 127.0.0.1:\d+: the port is in use/);
    expect(h.receiver.deliveries.length).toBe(before + 1);
  });
});
