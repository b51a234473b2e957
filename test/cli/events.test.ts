/**
 * `awl events stats/list/show/retry/cancel/delete/reconcile` as a user runs them: the real binary against a
 * site serving the events API over HTTP. A checkout whose receipt step throws ErrorDoNotRetry is
 * dead-lettered; the CLI finds it, shows why, and retries it without charging twice.
 */
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import type { EventDetail, EventState, EventSummary } from "../../client/src/engine/types.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { ErrorDoNotRetry } from "../../client/src/engine/errors.ts";
import { eventInState } from "../helpers/stack.ts";
import { startSite, type Site } from "./awl.ts";

const calls = { charge: 0, receipt: 0 };
let receiptServiceUp = false;

let site: Site;
beforeAll(async () => {
  site = await startSite({
    checkout: asyncWorkload(
      async ({ step }) => {
        const charge = await step.run("charge", () => ({ chargeId: `ch_${++calls.charge}` }));
        await step.run("send-receipt", () => {
          calls.receipt++;
          if (!receiptServiceUp) throw new ErrorDoNotRetry("receipt service rejected the request");
          return { sentFor: charge.chargeId };
        });
      },
      ["checkout", "checkout-gift"],
    ),
    napper: asyncWorkload(
      async ({ step }) => {
        await step.run("prepare", () => "ready");
        await step.sleep("nap", "1h");
      },
      ["nap"],
    ),
    approval: asyncWorkload(
      async ({ step }) =>
        step.waitForEvent("approved", { event: "order.approved", match: "data.orderId", timeout: "1h" }),
      ["order.placed"],
    ),
  });
});
afterAll(() => site?.close());
afterEach(async () => {
  // Every test starts from a site without events.
  const { events } = await site.stack.runtime.store.listEvents({ limit: 100 });
  if (events.length > 0) await site.stack.runtime.store.deleteEvents(events.map((event) => event.id));
  calls.charge = 0;
  calls.receipt = 0;
  receiptServiceUp = false;
});

const inState = (eventId: string, state: EventState) => eventInState(site.stack.runtime, eventId, state);

async function deadLetteredCheckout(name = "checkout"): Promise<string> {
  const { body } = await site.api.call("POST", "/events", { body: { name, data: { cartId: "c_1" } } });
  await inState(body.eventId, "dead-lettered");
  return body.eventId;
}

test("list --state dead-lettered --json lists the dead-lettered event; the table shows it too", async () => {
  const eventId = await deadLetteredCheckout();
  const json = await site.awl(["events", "list", "--state", "dead-lettered", "--json"]);
  expect(json.code).toBe(0);
  const events = JSON.parse(json.stdout) as EventSummary[];
  expect(events).toEqual([
    expect.objectContaining({ id: eventId, name: "checkout", state: "dead-lettered" }),
  ]);

  const table = await site.awl(["events", "list"]);
  expect(table.stdout.split("\n")[0]).toMatch(/^ID\s+NAME\s+STATE\s+CREATED\s+RUNS$/);
  expect(table.stdout).toMatch(new RegExp(`${eventId}\\s+checkout\\s+dead-lettered\\s+.*1 dead-lettered`));
});

test("show names the failing step and its error, the step that completed, and how to retry", async () => {
  const eventId = await deadLetteredCheckout();
  const result = await site.awl(["events", "show", eventId]);
  expect(result.code).toBe(0);
  expect(result.stdout).toMatch(/✓ charge\s+\d+ ms\s+\d+ B/);
  expect(result.stdout).toMatch(/✗ send-receipt\s+ErrorDoNotRetry: receipt service rejected the request/);
  expect(result.stdout).toContain(`retry it with: awl events retry ${eventId}`);

  const json = JSON.parse((await site.awl(["events", "show", eventId, "--json"])).stdout) as EventDetail;
  expect(json.runs[0]?.lastError).toMatchObject({ name: "ErrorDoNotRetry", step: "send-receipt" });
});

test("retry <id> completes the run without running its completed step again; no dead letters are left", async () => {
  const eventId = await deadLetteredCheckout();
  receiptServiceUp = true;
  const result = await site.awl(["events", "retry", eventId]);
  expect(result.code).toBe(0);
  expect(result.stdout).toContain(`Retried 1 run:\n  ${eventId}.checkout`);
  await inState(eventId, "completed");
  expect(calls).toEqual({ charge: 1, receipt: 2 });

  const left = await site.awl(["events", "list", "--state", "dead-lettered", "--json"]);
  expect(JSON.parse(left.stdout)).toEqual([]);
  const shown = await site.awl(["events", "show", eventId]);
  expect(shown.stdout).toContain("retried by hand");
  expect(shown.stdout).toMatch(/completed at /);
});

test("retry --name retries that event's dead letters and leaves others alone", async () => {
  const gift = await deadLetteredCheckout("checkout-gift");
  const other = await deadLetteredCheckout();
  receiptServiceUp = true;
  const result = await site.awl(["events", "retry", "--name", "checkout-gift", "--json"]);
  expect(JSON.parse(result.stdout)).toEqual({ retried: 1, runIds: [`${gift}.checkout`] });
  await inState(gift, "completed");
  expect((await site.stack.runtime.store.getEvent(other))?.state).toBe("dead-lettered");
});

test("retry --run retries that run only", async () => {
  const first = await deadLetteredCheckout();
  const second = await deadLetteredCheckout();
  receiptServiceUp = true;
  const result = await site.awl(["events", "retry", "--run", `${first}.checkout`, "--json"]);
  expect(JSON.parse(result.stdout)).toEqual({ retried: 1, runIds: [`${first}.checkout`] });
  await inState(first, "completed");
  expect((await site.stack.runtime.store.getEvent(second))?.state).toBe("dead-lettered");
});

test("stats counts events per state and per name, as a table and as JSON", async () => {
  await deadLetteredCheckout();
  await deadLetteredCheckout("checkout-gift");
  const json = await site.awl(["events", "stats", "--json"]);
  expect(json.code).toBe(0);
  const stats = JSON.parse(json.stdout);
  expect(stats.states["dead-lettered"]).toBe(2);
  expect(stats.names).toEqual(
    expect.arrayContaining([
      { name: "checkout", total: 1, states: { "dead-lettered": 1 } },
      { name: "checkout-gift", total: 1, states: { "dead-lettered": 1 } },
    ]),
  );
  const table = await site.awl(["events", "stats"]);
  expect(table.stdout).toMatch(/dead-lettered\s+2/);
  expect(table.stdout).toMatch(/checkout-gift\s+1\s+\(1 dead-lettered\)/);
});

test("delete removes the event; show then says it is not found (exit 1)", async () => {
  const eventId = await deadLetteredCheckout();
  const result = await site.awl(["events", "delete", eventId]);
  expect(result).toMatchObject({ code: 0, stdout: "Deleted 1 event.\n" });
  const shown = await site.awl(["events", "show", eventId]);
  expect(shown.code).toBe(1);
  expect(shown.stderr).toContain(`event ${eventId} not found`);
});

test("delete --state deletes every run in that state, and each event with its last run", async () => {
  await deadLetteredCheckout();
  await deadLetteredCheckout();
  const result = await site.awl(["events", "delete", "--state", "dead-lettered", "--json"]);
  expect(JSON.parse(result.stdout)).toEqual({ deleted: 2, deletedRuns: 2 });
});

test("delete --run deletes that run; an event goes with its last run", async () => {
  const eventId = await deadLetteredCheckout();
  const result = await site.awl(["events", "delete", "--run", `${eventId}.checkout`]);
  expect(result).toMatchObject({ code: 0, stdout: "Deleted 1 run, and 1 event with no runs left.\n" });
  expect((await site.awl(["events", "show", eventId])).code).toBe(1);
});

test("delete --state --name deletes only that name's runs in the state", async () => {
  const gift = await deadLetteredCheckout("checkout-gift");
  const kept = await deadLetteredCheckout();
  const result = await site.awl(["events", "delete", "--state", "dead-lettered", "--name", "checkout-gift"]);
  expect(result).toMatchObject({ code: 0, stdout: "Deleted 1 run, and 1 event with no runs left.\n" });
  expect(await site.stack.runtime.store.getEvent(gift)).toBeNull();
  expect(await site.stack.runtime.store.getEvent(kept)).not.toBeNull();
  const alone = await site.awl(["events", "delete", "--name", "checkout"]);
  expect(alone).toMatchObject({ code: 2, stderr: expect.stringContaining("--name narrows --state") });
});

test("delete and retry without a selector are refused as usage errors (exit 2), deleting nothing", async () => {
  const eventId = await deadLetteredCheckout();
  const remove = await site.awl(["events", "delete"]);
  expect(remove.code).toBe(2);
  expect(remove.stderr).toContain("refusing to delete without a selector");
  const retry = await site.awl(["events", "retry"]);
  expect(retry.code).toBe(2);
  expect(retry.stderr).toContain("give event ids, --run <runId>, --name <event>, or --all-dead-lettered");
  expect(await site.stack.runtime.store.getEvent(eventId)).not.toBeNull();
});

test("cancel <id> closes a sleeping run with its steps kept; show says who cancelled it and why", async () => {
  const { body } = await site.api.call("POST", "/events", { body: { name: "nap", data: {} } });
  await inState(body.eventId, "sleeping");
  const refused = await site.awl(["events", "cancel", "--reason", "everything"]);
  expect(refused).toMatchObject({
    code: 2,
    stderr: expect.stringContaining("refusing to cancel without a selector"),
  });
  const result = await site.awl(["events", "cancel", body.eventId, "--by", "ops", "--reason", "not needed"]);
  expect(result).toMatchObject({ code: 0, stdout: `Cancelled 1 run:\n  ${body.eventId}.napper\n` });
  const event = await inState(body.eventId, "cancelled");
  expect(event.runs[0]!.steps.map((step) => step.id).sort()).toEqual(["nap", "prepare"]);
  const shown = await site.awl(["events", "show", body.eventId]);
  expect(shown.stdout).toContain("by ops: not needed");
  expect(shown.stdout).toContain("cancelled at");
  const again = await site.awl(["events", "cancel", "--run", `${body.eventId}.napper`, "--json"]);
  expect(JSON.parse(again.stdout)).toMatchObject({ cancelled: 0, cancelling: 0 });
});

test("show says what a waiting run waits for and until when", async () => {
  const { body } = await site.api.call("POST", "/events", {
    body: { name: "order.placed", data: { orderId: "o7" } },
  });
  await inState(body.eventId, "sleeping");
  const shown = await site.awl(["events", "show", body.eventId]);
  expect(shown.stdout).toContain('approved  waits for order.approved (data.orderId = "o7") until');
  expect(shown.stdout).toContain("waiting for order.approved (step approved); gives up at");
  // Cancelled, it no longer waits.
  await site.awl(["events", "cancel", body.eventId]);
  await inState(body.eventId, "cancelled");
  const after = await site.awl(["events", "show", body.eventId]);
  expect(after.stdout).toContain(
    'approved  waited for order.approved (data.orderId = "o7"): the run was cancelled',
  );
  expect(after.stdout).not.toContain("waits for");
});

test("list pages up to --limit and says when more events match", async () => {
  for (let i = 0; i < 3; i++) await site.api.call("POST", "/events", { body: { name: "unheard-of" } });
  const result = await site.awl(["events", "list", "--limit", "2"]);
  expect(result.stdout.trim().split("\n")).toHaveLength(4);
  expect(result.stdout).toContain("More events match");
  const all = await site.awl(["events", "list", "--all", "--json"]);
  expect(JSON.parse(all.stdout)).toHaveLength(3);
});

test("an unknown state is a usage error (exit 2) listing the states", async () => {
  const result = await site.awl(["events", "list", "--state", "done"]);
  expect(result.code).toBe(2);
  expect(result.stderr).toContain('"done" is not a state: use one of pending');
});

test("reconcile reports what it republished", async () => {
  const result = await site.awl(["events", "reconcile", "--json"]);
  expect(JSON.parse(result.stdout)).toEqual({ events: 0, runs: 0 });
});
