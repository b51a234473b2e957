/**
 * A refund that waits for a person: the run asks an approver, then parks on `step.waitForEvent` (no
 * function runs meanwhile) until a `refund.approved` event for this refund arrives that covers its
 * amount, or three days pass. Both events are typed by the catalog in _shared/events.ts, so the
 * approval's data is typed (and validated) too. `REFUND_APPROVAL_TIMEOUT` shortens the wait.
 *
 *   npx awl send refund.requested --data '{"refundId":"r_1","email":"ada@example.com","amount":25}'
 *   npx awl send refund.approved --data '{"refundId":"r_1","amount":25,"by":"grace"}'
 */
import { asyncWorkload } from "@awl/client";
import { events } from "./_shared/events.ts";
import { sendEmail } from "./_shared/providers.ts";

export default asyncWorkload(
  async ({ data, step }) => {
    await step.run("ask-approver", () =>
      sendEmail("approvals@example.com", `Refund ${data.refundId} of ${data.amount} needs approval`),
    );
    const approval = await step.waitForEvent("approval", {
      event: "refund.approved",
      match: "data.refundId",
      if: "event.data.amount >= async.data.amount",
      timeout: process.env.REFUND_APPROVAL_TIMEOUT || "3 days",
    });
    if (!approval) {
      await step.run("tell-expired", () =>
        sendEmail(data.email, `Refund ${data.refundId} was not approved in time`),
      );
      return;
    }
    await step.run("tell-approved", () =>
      sendEmail(data.email, `Refund ${data.refundId} of ${data.amount} approved by ${approval.data.by}`),
    );
  },
  { events: "refund.requested", catalog: events },
);
