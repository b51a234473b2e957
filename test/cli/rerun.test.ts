/**
 * `awl events rerun` as a user runs it: the real binary against a site serving the events API over
 * HTTP. A checkout whose receipt step had a bug is dead-lettered; once the bug is fixed it is re-run
 * from that step, without charging again, and `awl events show` shows the re-run in its history. A
 * run that has not ended and a step the run does not have are refused with what to do instead.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import type { EventState } from "../../client/src/engine/types.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { ErrorDoNotRetry } from "../../client/src/engine/errors.ts";
import { eventInState } from "../helpers/stack.ts";
import { startSite, type Site } from "./awl.ts";

const calls = { charge: 0, receipt: 0 };
let receiptFixed = false;

let site: Site;
beforeAll(async () => {
  site = await startSite({
    checkout: asyncWorkload(async ({ step }) => {
      const charge = await step.run("charge", () => ({ chargeId: `ch_${++calls.charge}` }));
      await step.run("send-receipt", () => {
        calls.receipt++;
        if (!receiptFixed) throw new ErrorDoNotRetry("receipt template is broken");
        return { sentFor: charge.chargeId };
      });
    }, "checkout"),
    napper: asyncWorkload(async ({ step }) => {
      await step.run("prepare", () => "ready");
      await step.sleep("nap", "1h");
    }, "nap"),
  });
});
afterAll(() => site?.close());

const inState = (eventId: string, state: EventState) => eventInState(site.stack.runtime, eventId, state);
async function send(name: string): Promise<string> {
  const { body } = await site.api.call("POST", "/events", { body: { name, data: {} } });
  return body.eventId;
}

test("rerun --from-step re-runs a dead-lettered checkout from its fixed step; show has both series", async () => {
  const eventId = await send("checkout");
  await inState(eventId, "dead-lettered");
  const runId = `${eventId}.checkout`;
  receiptFixed = true;

  const result = await site.awl(["events", "rerun", runId, "--from-step", "send-receipt", "--by", "ops"]);
  expect(result).toMatchObject({ code: 0, stderr: "" });
  expect(result.stdout).toBe(
    `Re-running ${runId} from step send-receipt (re-run 1).\n` +
      "  kept, replayed:  charge\n" +
      "  runs again:      send-receipt\n" +
      `Follow it with: awl events show ${eventId}\n`,
  );
  const event = await inState(eventId, "completed");
  expect(calls).toEqual({ charge: 1, receipt: 2 });
  expect(event.runs[0]!.steps.find((step) => step.id === "send-receipt")?.result).toEqual({
    sentFor: "ch_1",
  });

  const shown = await site.awl(["events", "show", eventId]);
  const lines = shown.stdout.split("\n");
  const rerunLine = lines.findIndex((line) => line.includes("re-run 1 by ops from step send-receipt"));
  expect(rerunLine).toBeGreaterThan(0);
  // The old series' dead letter before it, the new series' completed attempt after it, with the step it ran.
  expect(lines.slice(0, rerunLine).join("\n")).toMatch(/attempt 1 dead-lettered/);
  expect(lines.slice(rerunLine).join("\n")).toMatch(/attempt 1 completed[^\n]*\n\s+✓ send-receipt/);

  // From the start, by event id, as JSON: every step runs again.
  const again = await site.awl(["events", "rerun", eventId, "--json"]);
  expect(JSON.parse(again.stdout)).toMatchObject({
    runId,
    series: 2,
    fromStep: null,
    rerun: ["charge", "send-receipt"],
    kept: [],
  });
  await inState(eventId, "completed");
  expect(calls.charge).toBe(2);
  // Each step shows under the attempt that ran it last: the new series'.
  const latest = (await site.awl(["events", "show", eventId])).stdout;
  const series2 = latest.slice(latest.indexOf("re-run 2 by cli:"));
  expect(series2).toMatch(
    /from the start[^\n]*\n[^\n]*attempt 1 completed[^\n]*\n\s+✓ charge[^\n]*\n\s+✓ send-receipt/,
  );
});

test("rerun refuses a sleeping run and an unknown step, saying why; nothing changes", async () => {
  const napping = await send("nap");
  const sleeping = await inState(napping, "sleeping");
  const busy = await site.awl(["events", "rerun", `${napping}.napper`]);
  expect(busy.code).toBe(1);
  expect(busy.stderr).toContain(
    `run ${napping}.napper is sleeping (step.sleep): only a completed, dead-lettered or cancelled run can be re-run`,
  );

  receiptFixed = true;
  const eventId = await send("checkout");
  const completed = await inState(eventId, "completed");
  const unknown = await site.awl(["events", "rerun", `${eventId}.checkout`, "--from-step", "send-reciept"]);
  expect(unknown.code).toBe(1);
  expect(unknown.stderr).toContain(
    `fromStep: run ${eventId}.checkout has no step "send-reciept"; its steps: charge, send-receipt`,
  );
  expect(await site.stack.runtime.store.getEvent(eventId)).toEqual(completed);
  expect(await site.stack.runtime.store.getEvent(napping)).toEqual(sleeping);
});
