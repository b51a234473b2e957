import { describe, expect, it } from "vitest";
import { DELIVERY_LEAD_MS, deliverySecond } from "./publish.ts";

describe("deliverySecond", () => {
  const now = 1_700_000_000_000;

  it("schedules a timed delivery for a whole second at least the lead before it is due", () => {
    for (const offset of [1600, 2000, 2001, 2499, 2500, 2999, 7_000_123]) {
      const dueAt = now + offset;
      const second = deliverySecond(dueAt, now, DELIVERY_LEAD_MS)!;
      expect(second * 1000).toBeLessThanOrEqual(dueAt - DELIVERY_LEAD_MS);
      expect(second * 1000).toBeGreaterThan(dueAt - DELIVERY_LEAD_MS - 1000);
      expect(second * 1000).toBeGreaterThan(now);
    }
  });

  it("delivers at once what is due too soon to schedule, or has no time", () => {
    expect(deliverySecond(undefined, now, DELIVERY_LEAD_MS)).toBeUndefined();
    expect(deliverySecond(now + 400, now, DELIVERY_LEAD_MS)).toBeUndefined();
    // The last second at least the lead before it is this one, already begun.
    expect(deliverySecond(now + 1000 + DELIVERY_LEAD_MS - 1, now, DELIVERY_LEAD_MS)).toBeUndefined();
    expect(deliverySecond(now - 5000, now, DELIVERY_LEAD_MS)).toBeUndefined();
  });

  it("without a lead, never schedules before the due time (a delayed event reaches the router on time or late)", () => {
    expect(deliverySecond(now + 2300, now)).toBe((now + 3000) / 1000);
    expect(deliverySecond(now + 900, now)).toBe((now + 1000) / 1000);
    expect(deliverySecond(now - 1, now)).toBeUndefined();
  });
});
