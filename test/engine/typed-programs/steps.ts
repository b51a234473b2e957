/**
 * step.waitForEvent and step.sendEvent typed by a workload's catalog, as the compiler sees them
 * (../typed-steps.test.ts compiles this file and expects no diagnostics; the workspace's tsc checks
 * it too). Each `@ts-expect-error` must stay an error: a typing that lets a wrong event name or wrong
 * data through leaves the directive unused, which is itself an error.
 */
import { asyncWorkload, defineEvents, type WaitedEvent } from "@awl/client";
import { expectTypeOf } from "vitest";
import { z } from "zod";

const events = defineEvents({
  "order.placed": z.object({ orderId: z.string(), total: z.number() }),
  "order.approved": z.object({ orderId: z.string(), by: z.string(), level: z.number().default(1) }),
  "order.shipped": z.object({ orderId: z.string() }),
});

export const typed = asyncWorkload(
  async ({ data, step }) => {
    const approval = await step.waitForEvent("approval", {
      event: "order.approved",
      match: "data.orderId",
      if: "event.data.level >= 1",
      timeout: "1 day",
    });
    // The schema's output: `level` has its default.
    expectTypeOf(approval).toEqualTypeOf<WaitedEvent<{
      orderId: string;
      by: string;
      level: number;
    }> | null>();
    await step.sendEvent("ship", "order.shipped", { orderId: data.orderId });
    // The schema's input: `level` may be left out.
    await step.sendEvent("approve", "order.approved", { orderId: data.orderId, by: "ada" });

    // @ts-expect-error not an event of the catalog
    await step.waitForEvent("typo", { event: "order.aproved", timeout: "1 day" });
    // @ts-expect-error not an event of the catalog
    await step.sendEvent("typo", "order.shiped", { orderId: data.orderId });
    // @ts-expect-error orderId must be a string
    await step.sendEvent("wrong", "order.shipped", { orderId: 42 });
    // @ts-expect-error the data is required
    await step.sendEvent("missing", "order.shipped");
    // @ts-expect-error the data of another event
    await step.sendEvent("other", "order.shipped", { total: 1 });
  },
  { events: "order.placed", catalog: events },
);

export const untyped = asyncWorkload<{ orderId: string }>(
  async ({ step }) => {
    // Without a catalog: any name, and the data's type is the caller's to give.
    const approval = await step.waitForEvent<{ by: string }>("approval", {
      event: "anything",
      timeout: "1 day",
    });
    expectTypeOf(approval).toEqualTypeOf<WaitedEvent<{ by: string }> | null>();
    const plain = await step.waitForEvent("plain", { event: "anything.else", timeout: "1 day" });
    expectTypeOf(plain).toEqualTypeOf<WaitedEvent<unknown> | null>();
    await step.sendEvent("any", "whatever", { any: "thing" });
    await step.sendEvent("no-data", "whatever");
  },
  { events: "order.placed" },
);
