/**
 * The demo site's typed events: one zod schema per event name. Workloads that pass this catalog get
 * typed, validated `data`; a client built with it can only send these names with this data.
 */
import { defineEvents } from "@awl/client";
import { z } from "zod";

export const events = defineEvents({
  checkout: z.object({
    cartId: z.string().min(1),
    email: z.email(),
    items: z
      .array(z.object({ sku: z.string().min(1), quantity: z.number().int().positive() }))
      .min(1, "a checkout needs at least one item"),
    total: z.number().positive(),
  }),
  "user.signup": z.object({ email: z.email(), name: z.string().min(1) }),
  "refund.requested": z.object({
    refundId: z.string().min(1),
    email: z.email(),
    amount: z.number().positive(),
  }),
  // An approver's answer: up to `amount`, so a smaller approval does not cover a larger refund.
  "refund.approved": z.object({ refundId: z.string().min(1), amount: z.number().positive(), by: z.string() }),
  "report.requested": z.object({
    userId: z.string().min(1),
    plan: z.enum(["free", "pro", "enterprise"]),
    month: z.string().regex(/^\d{4}-\d{2}$/, "must look like 2024-11"),
  }),
});
