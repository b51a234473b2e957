/**
 * The local events dashboard in real Chromium, against a real local stack: a checkout whose payment
 * step is forced to fail shows as dead-lettered with its error; Retry (confirmed in the dialog)
 * brings it to completed, and the timeline shows the steps that had finished were not run again,
 * which the workload's own invocation counts confirm. Also: keyboard use (Tab, Enter, Space,
 * Escape cancels and changes nothing), an accessible name on every control, the bulk actions (Retry
 * all dead-lettered of a name, Delete selected), deleting single runs of a two-run event, and the
 * server's loopback-only checks.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { startDashboardServer, type DashboardServer } from "@awl/dev";
import { AsyncWorkloadsClient } from "../../client/src/client/async-workloads-client.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { ErrorDoNotRetry } from "../../client/src/engine/errors.ts";
import { startApiSite, type ApiSite } from "../api/serve-api.ts";
import { launchChromium, screenshot } from "../helpers/browser.ts";
import { eventInState, waitFor } from "../helpers/stack.ts";

const invocations: Record<string, number> = {};
const ran = (step: string) => (invocations[step] = (invocations[step] ?? 0) + 1);
let paymentUp = false;

const checkout = asyncWorkload<{ cartId: string }>(
  async ({ data, step }) => {
    const order = await step.run("create-order", () => {
      ran("create-order");
      return { orderId: `order-for-${data.cartId}` };
    });
    await step.run("reserve-inventory", () => ran("reserve-inventory"));
    await step.run("process-payment", () => {
      ran("process-payment");
      if (!paymentUp) throw new Error("payment provider: card declined (forced outage)");
      return { chargeId: `ch_${order.orderId}` };
    });
    await step.run("send-receipt", () => ran("send-receipt"));
  },
  // No automatic retries: the first failure dead-letters, so the manual retry is attempt 2.
  { events: "checkout", maxRetries: 0 },
);
const napper = asyncWorkload(
  async ({ step }) => {
    await step.run("prepare", () => "ready");
    await step.sleep("nap", "1h");
  },
  { events: "nap" },
);
const welcome = asyncWorkload(async ({ step }) => void (await step.run("send-welcome", () => "sent")), {
  events: "signup",
});
// Two runs per newsletter event: one completes, one is dead-lettered.
const subscribe = asyncWorkload(async ({ step }) => void (await step.run("subscribe", () => "ok")), {
  events: "newsletter",
});
const syncCrm = asyncWorkload(
  async ({ step }) =>
    void (await step.run("push-contact", () => {
      throw new ErrorDoNotRetry("CRM rejected the contact");
    })),
  { events: "newsletter" },
);

let site: ApiSite;
let dashboard: DashboardServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  site = await startApiSite({ checkout, welcome, subscribe, "sync-crm": syncCrm, napper });
  [dashboard, browser] = await Promise.all([
    startDashboardServer({ runtime: site.host.runtime, port: 0 }),
    launchChromium(),
  ]);
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  // Fail at the step that did not happen, well within the test's own timeout.
  page.setDefaultTimeout(8000);
});
afterAll(async () => {
  await browser?.close();
  await dashboard?.close();
  await site?.close();
});

/** Every control and link in the accessibility tree Chromium computes has a non-empty name. */
async function unnamedControls(): Promise<string[]> {
  const cdp = await page.context().newCDPSession(page);
  const { nodes } = (await cdp.send("Accessibility.getFullAXTree")) as {
    nodes: { ignored: boolean; role?: { value: string }; name?: { value: string } }[];
  };
  await cdp.detach();
  const controls = new Set(["button", "checkbox", "combobox", "link", "textbox", "dialog"]);
  return nodes
    .filter((node) => !node.ignored && controls.has(node.role?.value ?? ""))
    .filter((node) => !node.name?.value.trim())
    .map((node) => node.role!.value);
}

const runBadge = () => page.locator("[data-run] .run-header .badge").first();
const stepRow = (id: string) => page.locator(`tr[data-step="${id}"]`);
const activeElement = () =>
  page.evaluate(() => {
    const element = document.activeElement as HTMLElement | null;
    return { text: element?.textContent ?? "", inDialog: Boolean(element?.closest("dialog[open]")) };
  });

test("a dead-lettered checkout is found, inspected and retried to completion from the dashboard", async () => {
  const client = new AsyncWorkloadsClient({ runtime: site.host.runtime });
  await client.send("signup", { email: "ada@example.com" });
  const { eventId } = await client.send("checkout", { cartId: "c_42" });
  await eventInState(site.stack.runtime, eventId, "dead-lettered");

  // Overview: the counts say one dead-lettered event, and the per-name table offers to retry it.
  await page.goto(dashboard.url);
  await page.getByRole("link", { name: "1 event dead-lettered: show them" }).waitFor();
  await page.getByRole("button", { name: "Retry all dead-lettered of checkout" }).waitFor();
  expect(await unnamedControls()).toEqual([]);
  await screenshot(page, "dashboard-overview");

  // Filter by state with the labelled select; the filter lands in the URL hash.
  await page.getByLabel("State").selectOption("dead-lettered");
  await page.waitForURL(/#\/\?state=dead-lettered$/);
  await page.getByRole("caption").filter({ hasText: "Events: dead-lettered" }).waitFor();
  const eventLink = page.getByRole("link", { name: eventId });
  await eventLink.waitFor();
  expect(await page.locator("table.events tbody tr").count()).toBe(1);

  // The event's page: the failing step and its error, one click away.
  await eventLink.click();
  await page.waitForURL(new RegExp(`#/events/${eventId}$`));
  await page
    .locator(".error-box .error-text")
    .first()
    .getByText("Error: payment provider: card declined (forced outage)")
    .waitFor();
  expect(await page.locator(".error-box").first().textContent()).toContain("in step process-payment");
  expect(await runBadge().textContent()).toContain("dead-lettered");
  expect(await stepRow("create-order").textContent()).toContain("attempt 1");
  expect(await unnamedControls()).toEqual([]);
  await screenshot(page, "dashboard-dead-lettered");

  // Keyboard: Tab reaches Retry from Delete event, Space opens the dialog with the focus inside it,
  // and Escape cancels without retrying anything.
  await page.getByRole("button", { name: "Delete event" }).focus();
  for (let i = 0; i < 10 && !(await activeElement()).text.startsWith("Retry run"); i++)
    await page.keyboard.press("Tab");
  expect((await activeElement()).text).toContain("Retry run");
  await page.keyboard.press("Space");
  const dialog = page.getByRole("dialog", {
    name: "Retry the dead-lettered checkout run of this checkout event?",
  });
  await dialog.waitFor();
  expect(await activeElement()).toEqual({ text: "Cancel", inDialog: true });
  expect(await dialog.textContent()).toContain("Its 2 completed steps are not run again.");
  await page.keyboard.press("Escape");
  await dialog.waitFor({ state: "hidden" });
  await page.getByRole("status").getByText("Cancelled: nothing was changed.").waitFor();
  const untouched = await site.stack.runtime.store.getEvent(eventId);
  expect(untouched?.runs[0]).toMatchObject({ state: "dead-lettered", manualRetries: 0 });

  // The payment provider is back: retry for real, with Enter on the button and on the confirmation.
  paymentUp = true;
  await page.getByRole("button", { name: "Retry run of checkout" }).focus();
  await page.keyboard.press("Enter");
  await dialog.waitFor();
  await page.keyboard.press("Tab");
  expect((await activeElement()).text).toBe("Retry run");
  await page.keyboard.press("Enter");
  await page.getByRole("status").getByText(`Retried run ${eventId}.checkout.`).waitFor();

  // Auto-refresh (every 3 s) brings the completed state without a reload.
  await page.waitForFunction(
    () => document.querySelector("[data-run] .run-header .badge")?.textContent?.includes("completed"),
    undefined,
    { timeout: 15_000 },
  );
  expect(await stepRow("create-order").textContent()).toContain("attempt 1");
  expect(await stepRow("reserve-inventory").textContent()).toContain("attempt 1");
  expect(await stepRow("process-payment").textContent()).toContain("attempt 2");
  expect(await stepRow("send-receipt").textContent()).toContain("attempt 2");
  expect(await page.locator("ol.timeline").textContent()).toContain("Retried manually");
  await screenshot(page, "dashboard-completed");

  // The same from the workload's side and from Redis: the finished steps ran once.
  expect(invocations).toEqual({
    "create-order": 1,
    "reserve-inventory": 1,
    "process-payment": 2,
    "send-receipt": 1,
  });
  const done = await site.stack.runtime.store.getEvent(eventId);
  expect(done?.runs[0]?.attempts.map((attempt) => attempt.outcome)).toEqual([
    "dead-lettered",
    "retried",
    "completed",
  ]);
  expect(done?.runs[0]?.manualRetries).toBe(1);
});

test("Retry all dead-lettered of a name and Delete selected each confirm, then say what they did", async () => {
  paymentUp = false;
  const client = new AsyncWorkloadsClient({ runtime: site.host.runtime });
  const sent = await Promise.all([
    client.send("checkout", { cartId: "c_1" }),
    client.send("checkout", { cartId: "c_2" }),
    client.send("signup", { email: "grace@example.com" }),
  ]);
  await Promise.all([
    eventInState(site.stack.runtime, sent[0].eventId, "dead-lettered"),
    eventInState(site.stack.runtime, sent[1].eventId, "dead-lettered"),
    eventInState(site.stack.runtime, sent[2].eventId, "completed"),
  ]);
  paymentUp = true;

  await page.goto(`${dashboard.url}/#/`);
  await page.getByRole("button", { name: "Retry all dead-lettered of checkout" }).click();
  const retryAll = page.getByRole("dialog", { name: "Retry the dead-lettered runs of 2 checkout events?" });
  await retryAll.getByRole("button", { name: "Retry dead-lettered runs" }).click();
  await page.getByRole("status").getByText("Retried 2 dead-lettered runs of checkout.").waitFor();
  await Promise.all(
    sent.slice(0, 2).map(({ eventId }) => eventInState(site.stack.runtime, eventId, "completed")),
  );

  await page.getByRole("checkbox", { name: `Select event ${sent[2].eventId} (signup)` }).check();
  await page.getByRole("button", { name: "Delete selected (1)" }).click();
  const remove = page.getByRole("dialog", { name: "Delete 1 selected event?" });
  expect(await remove.textContent()).toContain("This cannot be undone.");
  await remove.getByRole("button", { name: "Delete 1 event" }).click();
  await page.getByRole("status").getByText("Deleted 1 event.").waitFor();
  expect(await site.stack.runtime.store.getEvent(sent[2].eventId)).toBeNull();
  await page.getByRole("link", { name: sent[2].eventId }).waitFor({ state: "detached" });
});

/** Sends a newsletter event and waits for its subscribe run to complete and its CRM run to dead-letter. */
async function newsletterWithDeadLetteredSync(email: string): Promise<string> {
  const client = new AsyncWorkloadsClient({ runtime: site.host.runtime });
  const { eventId } = await client.send("newsletter", { email });
  await waitFor(
    async () => {
      const states = (await site.stack.runtime.store.getEvent(eventId))?.runs.map((run) => run.state);
      return states?.sort().join() === "completed,dead-lettered" || undefined;
    },
    { what: `${eventId} to have a completed and a dead-lettered run` },
  );
  return eventId;
}
const workloadsOf = async (eventId: string) =>
  (await site.stack.runtime.store.getEvent(eventId))?.runs.map((run) => run.workload);

test("Cancel run closes a sleeping run after confirming; the timeline keeps its steps and says who cancelled it", async () => {
  const client = new AsyncWorkloadsClient({ runtime: site.host.runtime });
  const { eventId } = await client.send("nap", {});
  await eventInState(site.stack.runtime, eventId, "sleeping");
  await page.goto(`${dashboard.url}/#/events/${eventId}`);
  await page.getByRole("button", { name: "Cancel run of napper" }).click();
  const dialog = page.getByRole("dialog", { name: "Cancel the napper run of this nap event?" });
  expect(await dialog.textContent()).toContain("Its steps and attempts are kept.");
  await dialog.getByRole("button", { name: "Cancel run", exact: true }).click();
  await page.getByRole("status").getByText(`Cancelled run ${eventId}.napper.`).waitFor();
  await runBadge().filter({ hasText: "cancelled" }).waitFor();
  expect(await page.locator(".timeline-item.cancelled").textContent()).toContain("Cancelled by dashboard");
  expect(await stepRow("prepare").textContent()).toContain("completed");
  expect(await page.getByRole("button", { name: "Cancel run of napper" }).count()).toBe(0);
  expect(await unnamedControls()).toEqual([]);
  const event = await site.stack.runtime.store.getEvent(eventId);
  expect(event?.runs[0]?.cancellation?.by).toBe("dashboard");
});

test("Delete run removes one run of an event and keeps the other; deleting the last run deletes the event", async () => {
  const eventId = await newsletterWithDeadLetteredSync("hedy@example.com");

  // On the event's page, Delete run removes one run; the last one takes the event with it.
  await page.goto(`${dashboard.url}/#/events/${eventId}`);
  await page.getByRole("button", { name: "Delete run of sync-crm" }).click();
  const first = page.getByRole("dialog", { name: "Delete the sync-crm run of this newsletter event?" });
  expect(await first.textContent()).toContain("The event keeps its other run.");
  await first.getByRole("button", { name: "Delete run" }).click();
  await page.getByRole("status").getByText(`Deleted run ${eventId}.sync-crm.`).waitFor();
  await page.locator(`[data-run="${eventId}.sync-crm"]`).waitFor({ state: "detached" });
  expect(await page.locator("[data-run]").count()).toBe(1);
  await page.locator(".event-header .badge").filter({ hasText: "completed" }).waitFor();
  expect(await workloadsOf(eventId)).toEqual(["subscribe"]);

  await page.getByRole("button", { name: "Delete run of subscribe" }).click();
  const last = page.getByRole("dialog", { name: "Delete the subscribe run of this newsletter event?" });
  expect(await last.textContent()).toContain("It is the event's only run, so the event is deleted too.");
  await last.getByRole("button", { name: "Delete run" }).click();
  await page.getByRole("status").getByText(`Deleted run ${eventId}.subscribe and its event.`).waitFor();
  await page.waitForFunction(() => !location.hash.startsWith("#/events/"));
  expect(await site.stack.runtime.store.getEvent(eventId)).toBeNull();
});

test("Delete all dead-lettered of a name deletes those runs and keeps the events' completed runs", async () => {
  const eventIds = [
    await newsletterWithDeadLetteredSync("alan@example.com"),
    await newsletterWithDeadLetteredSync("joan@example.com"),
  ];
  await page.goto(`${dashboard.url}/#/`);
  await page.getByRole("button", { name: "Delete all dead-lettered of newsletter" }).click();
  const dialog = page.getByRole("dialog", { name: "Delete the dead-lettered runs of 2 newsletter events?" });
  expect(await dialog.textContent()).toContain("The events keep their other runs");
  await dialog.getByRole("button", { name: "Delete dead-lettered runs" }).click();
  await page.getByRole("status").getByText("Deleted 2 dead-lettered runs of newsletter.").waitFor();
  for (const eventId of eventIds) expect(await workloadsOf(eventId)).toEqual(["subscribe"]);
  await site.stack.runtime.store.deleteEvents(eventIds);
});

test("Go to event opens an event from its run id, and refuses text that is no id", async () => {
  const client = new AsyncWorkloadsClient({ runtime: site.host.runtime });
  const { eventId } = await client.send("signup", { email: "barbara@example.com" });
  await eventInState(site.stack.runtime, eventId, "completed");
  await page.goto(`${dashboard.url}/#/`);
  const search = page.getByRole("search", { name: "Go to an event" });
  const field = search.getByRole("searchbox", { name: "Event or run id" });
  await field.fill("not an id");
  await field.press("Enter");
  await search
    .getByRole("alert")
    .getByText(/Not an event or run id/)
    .waitFor();
  expect(await field.getAttribute("aria-invalid")).toBe("true");
  await field.fill(`${eventId}.welcome`);
  await field.press("Enter");
  await page.getByRole("heading", { name: "Event signup" }).waitFor();
  expect(await page.locator("[data-run]").getAttribute("data-run")).toBe(`${eventId}.welcome`);
});

test("Send event refuses bad JSON and a bad name under their fields, then sends and opens the new event; Send again repeats it", async () => {
  await page.goto(`${dashboard.url}/#/`);
  await page.getByRole("button", { name: "Send event" }).click();
  const dialog = page.getByRole("dialog", { name: "Send an event" });
  const name = dialog.getByRole("combobox", { name: "Event name" });
  const data = dialog.getByRole("textbox", { name: "Data (JSON)" });
  await name.fill("signup");
  await data.fill('{"email": ');
  await dialog.getByRole("button", { name: "Send event" }).click();
  await dialog.getByText(/^not JSON: /).waitFor();
  expect(await data.getAttribute("aria-invalid")).toBe("true");

  await name.fill("sign up");
  await data.fill('{"email": "katherine@example.com"}');
  await dialog.getByRole("button", { name: "Send event" }).click();
  await dialog.getByText(/may contain only letters, digits/).waitFor();
  expect(await name.getAttribute("aria-invalid")).toBe("true");
  await screenshot(page, "dashboard-send-event");
  expect((await site.stack.runtime.store.listEvents({ name: "sign up", limit: 5 })).events).toEqual([]);

  await name.fill("signup");
  await dialog.getByRole("button", { name: "Send event" }).click();
  const sent = await page
    .getByRole("status")
    .getByText(/^Sent signup as event evt_/)
    .textContent();
  const eventId = /(evt_[0-9a-z]+)/.exec(sent!)![1]!;
  await page.getByRole("heading", { name: "Event signup" }).waitFor();
  expect(await page.evaluate(() => location.hash)).toBe(`#/events/${eventId}`);
  await eventInState(site.stack.runtime, eventId, "completed");
  expect((await site.stack.runtime.store.getEvent(eventId))?.data).toEqual({
    email: "katherine@example.com",
  });

  // Send again opens the form with this event's name and data.
  await page.getByRole("button", { name: "Send again" }).click();
  expect(await name.inputValue()).toBe("signup");
  expect(JSON.parse(await data.inputValue())).toEqual({ email: "katherine@example.com" });
  await dialog.getByRole("button", { name: "Cancel" }).click();
  await dialog.waitFor({ state: "hidden" });
});

test("the server refuses a non-loopback Host and another origin, and serves the page only on loopback", async () => {
  const page = await fetch(dashboard.url);
  expect(page.status).toBe(200);
  expect(await page.text()).toContain('<html lang="en">');
  const { request } = await import("node:http");
  const status = (headers: Record<string, string>, method = "GET", path = "/") =>
    new Promise<number>((resolve, reject) => {
      const req = request(`${dashboard.url}${path}`, { method, headers }, (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      req.on("error", reject);
      req.end();
    });
  expect(await status({ host: "evil.example" })).toBe(403);
  expect(await status({ origin: "https://evil.example" }, "POST", "/awl/api/events/retry")).toBe(403);
});
