/**
 * Re-running from the local events dashboard in real Chromium, against a real local stack: a
 * completed checkout whose receipt step had a bug is re-run from that step's row (confirmed in the
 * dialog, which says what is kept and what runs again); the charge is not made again, the timeline
 * shows the re-run in the run's history and the receipt under the new attempt. Re-run from the start
 * runs everything again. A run that has not ended offers no re-run.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { startDashboardServer, type DashboardServer } from "@awl/dev";
import { AsyncWorkloadsClient } from "../../client/src/client/async-workloads-client.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { startApiSite, type ApiSite } from "../api/serve-api.ts";
import { launchChromium, screenshot } from "../helpers/browser.ts";
import { eventInState, waitFor } from "../helpers/stack.ts";

const invocations: Record<string, number> = {};
const ran = (step: string) => (invocations[step] = (invocations[step] ?? 0) + 1);
/** The receipt step's template: version 1 has the bug, version 2 the fix. */
let receiptVersion = 1;

const checkout = asyncWorkload<{ cartId: string }>(
  async ({ data, step }) => {
    await step.run("create-order", () => void ran("create-order"));
    const charge = await step.run("charge", () => {
      ran("charge");
      return { chargeId: `ch_${data.cartId}_${invocations.charge}` };
    });
    await step.run("send-receipt", () => {
      ran("send-receipt");
      return receiptVersion === 1 ? "Receipt for undefined" : `Receipt for ${charge.chargeId}`;
    });
  },
  { events: "checkout" },
);
const napper = asyncWorkload(
  async ({ step }) => {
    await step.run("prepare", () => "ready");
    await step.sleep("nap", "1h");
  },
  { events: "nap" },
);

let site: ApiSite;
let dashboard: DashboardServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  site = await startApiSite({ checkout, napper });
  [dashboard, browser] = await Promise.all([
    startDashboardServer({ runtime: site.host.runtime, port: 0 }),
    launchChromium(),
  ]);
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(8000);
});
afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
  await site?.close();
});

const stepRow = (id: string) => page.locator(`tr[data-step="${id}"]`);
/** Waits until the run's state badge (refreshed every 3 s) says `state`. */
const badgeSays = (state: string) =>
  page.waitForFunction(
    (expected) => document.querySelector("[data-run] .run-header .badge")?.textContent?.includes(expected),
    state,
    { timeout: 15_000 },
  );

test("Re-run from here on a completed checkout's receipt step runs it again, and not the charge", async () => {
  const client = new AsyncWorkloadsClient({ runtime: site.host.runtime });
  const { eventId } = await client.send("checkout", { cartId: "c_7" });
  await eventInState(site.stack.runtime, eventId, "completed");
  receiptVersion = 2;

  await page.goto(`${dashboard.url}/#/events/${eventId}`);
  await page.getByRole("button", { name: "Re-run from here: step send-receipt" }).click();
  const dialog = page.getByRole("dialog", { name: "Re-run the checkout run from step send-receipt?" });
  expect(await dialog.textContent()).toContain(
    "create-order, charge keep their stored results; send-receipt runs again, sleeps and waits included.",
  );
  await dialog.getByRole("button", { name: "Re-run", exact: true }).click();
  await page
    .getByRole("status")
    .getByText(`Re-running run ${eventId}.checkout from step send-receipt (re-run 1).`)
    .waitFor();
  await eventInState(site.stack.runtime, eventId, "completed");
  await page.locator(".timeline-item.rerun").getByText("Re-run from step send-receipt").waitFor();
  await badgeSays("completed");
  await waitFor(async () => (await stepRow("send-receipt").textContent())?.includes("attempt 2"), {
    what: "the receipt row to name the new attempt",
  });
  expect(await page.locator(".timeline-item.rerun").textContent()).toContain("by dashboard");
  expect(await stepRow("charge").textContent()).toContain("attempt 1");
  await screenshot(page, "dashboard-rerun-from-step");
  expect(invocations).toEqual({ "create-order": 1, charge: 1, "send-receipt": 2 });
  const event = await site.stack.runtime.store.getEvent(eventId);
  expect(event?.runs[0]?.steps.find((step) => step.id === "send-receipt")?.result).toBe(
    "Receipt for ch_c_7_1",
  );

  // From the start: every step runs again, the charge too (the dialog says so).
  await page.getByRole("button", { name: "Re-run the checkout run from the start" }).click();
  const fromStart = page.getByRole("dialog", {
    name: "Re-run the checkout run of this checkout event from the start?",
  });
  expect(await fromStart.textContent()).toContain(
    "Every step runs again (create-order, charge, send-receipt), side effects included.",
  );
  await fromStart.getByRole("button", { name: "Re-run", exact: true }).click();
  await page
    .getByRole("status")
    .getByText(`Re-running run ${eventId}.checkout from the start (re-run 2).`)
    .waitFor();
  await waitFor(async () => invocations["send-receipt"] === 3, { what: "the re-run from the start" });
  await eventInState(site.stack.runtime, eventId, "completed");
  expect(invocations).toEqual({ "create-order": 2, charge: 2, "send-receipt": 3 });
});

test("a run that has not ended offers no re-run", async () => {
  const client = new AsyncWorkloadsClient({ runtime: site.host.runtime });
  const { eventId } = await client.send("nap", {});
  await eventInState(site.stack.runtime, eventId, "sleeping");
  await page.goto(`${dashboard.url}/#/events/${eventId}`);
  await page.getByRole("button", { name: "Cancel run of napper" }).waitFor();
  expect(await page.getByRole("button", { name: /Re-run/ }).count()).toBe(0);
});
