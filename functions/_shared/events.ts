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
  "report.requested": z.object({
    userId: z.string().min(1),
    plan: z.enum(["free", "pro", "enterprise"]),
    month: z.string().regex(/^\d{4}-\d{2}$/, "must look like 2024-11"),
  }),
});
