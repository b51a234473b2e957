// Flow control: a key's parallelism caps its deliveries in flight, whatever the publish rate.
import { describe, expect, it } from "vitest";
import { eventually, useHarness, type Harness } from "./helpers/qstash-harness.ts";

let h: Harness;
useHarness((harness) => (h = harness));

describe("flow control", () => {
  it("with parallelism 1 never overlaps two deliveries of the same key", async () => {
    const active = new Map<string, number>();
    const most = new Map<string, number>();
    h.receiver.answer = async (delivery) => {
      const key = delivery.path;
      active.set(key, (active.get(key) ?? 0) + 1);
      most.set(key, Math.max(most.get(key) ?? 0, active.get(key) ?? 0));
      await new Promise((resolve) => setTimeout(resolve, 10));
      active.set(key, (active.get(key) ?? 0) - 1);
      // Failures and retries must not open a second slot either.
      return delivery.body === "3" && delivery.retried === 0 ? 500 : 200;
    };
    const publishes = [];
    for (let n = 0; n < 12; n += 1) {
      const key = n % 2 === 0 ? "tenant-a" : "tenant-b";
      publishes.push(
        h.client.publish({
          url: h.receiver.url(`/${key}`),
          body: String(n),
          retryDelay: "5",
          flowControl: { key, parallelism: 1 },
        }),
      );
    }
    await Promise.all(publishes);
    await eventually("every delivery", () => h.receiver.deliveries.length === 13);
    expect(most.get("/tenant-a")).toBe(1);
    expect(most.get("/tenant-b")).toBe(1);
  });

  it("shows the key's limits on the message and waits out the rate", async () => {
    const ids = [];
    for (let n = 0; n < 3; n += 1) {
      const { messageId } = await h.client.publish({
        url: h.receiver.url("/rated"),
        body: String(n),
        delay: 1,
        flowControl: { key: "rated", rate: 2, period: "1s", parallelism: 5 },
      });
      ids.push(messageId);
    }
    expect(await h.client.messages.get(ids[0] as string)).toMatchObject({
      flowControlKey: "rated",
      parallelism: 5,
      rate: 2,
      ratePerSecond: 2,
      period: 1,
    });
    await eventually("all three", () => h.receiver.to("/rated").length === 3);
  });
});
