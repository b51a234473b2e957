/**
 * Found by the fuzz tests: step.sendEvent derives its idempotency key from the run and step ids.
 * Step ids and idempotency keys may both be 256 characters, so a long step id once made the derived
 * key too long and the run failed on every attempt. Every valid step id must work with step.sendEvent.
 */
import { expect, test } from "vitest";
import { sendEvents } from "../../client/src/engine/send.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { siteForFile, waitFor, type Host, type Stack } from "../helpers/stack.ts";

const LONG_STEP_ID = "s".repeat(256); // the longest step id the step API accepts

const workloads = {
  sender: asyncWorkload(
    async ({ step }) => {
      await step.sendEvent(LONG_STEP_ID, "long-id-child", { ok: true });
    },
    { events: "long-id-parent", maxRetries: 0 },
  ),
};

let stack: Stack;
let host: Host;
siteForFile(workloads, (site) => ({ stack, host } = site));

test("step.sendEvent works with a 256-character step id (a valid step id)", async () => {
  const [sent] = await sendEvents(host.runtime, [{ name: "long-id-parent" }]);
  const event = await waitFor(
    async () => {
      const found = await stack.runtime.store.getEvent(sent!.eventId);
      return found && ["completed", "dead-lettered"].includes(found.state) ? found : undefined;
    },
    { what: "the parent run to end" },
  );
  expect(event.runs[0]!.lastError?.message).toBeUndefined();
  expect(event.state).toBe("completed");
});
