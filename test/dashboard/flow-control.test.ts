/**
 * Flow control in the local dashboard, in real Chromium against a real local stack: a throttled
 * run is listed under "Held by flow control" with its key and start time, its page says what holds
 * it and the attempt that parked it, and the Workloads view lists the site's workloads with their
 * throttle, concurrency, debounce and schedule (its next firing), as the router published them.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import type { Browser, Page } from "playwright-core";
import { startDashboardServer, type DashboardServer } from "@awl/dev";
import { AsyncWorkloadsClient } from "../../client/src/client/async-workloads-client.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { startApiSite, type ApiSite } from "../api/serve-api.ts";
import { launchChromium, screenshot } from "../helpers/browser.ts";
import { waitFor } from "../helpers/stack.ts";

let site: ApiSite;
let dashboard: DashboardServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  site = await startApiSite({
    paced: asyncWorkload(async () => "sent", {
      events: ["email.send"],
      throttle: { limit: 1, period: "1h", key: "data.tenantId" },
      concurrency: { limit: 3 },
    }),
    digest: asyncWorkload(async () => "digested", {
      events: ["activity"],
      debounce: { period: "10m", key: "data.userId" },
    }),
    nightly: asyncWorkload(async () => "reported", { schedule: "0 3 * * *" }),
  });
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

test("a throttled run is listed as held, with its key and start time, and its page says why", async () => {
  const client = new AsyncWorkloadsClient({ runtime: site.host.runtime });
  const first = await client.send("email.send", { tenantId: "t-1" });
  const second = await client.send("email.send", { tenantId: "t-1" });
  await waitFor(async () => (await site.host.runtime.store.getEvent(second.eventId))?.runs[0]?.held, {
    what: "the second run to be throttled",
  });

  await page.goto(`${dashboard.url}/#/`);
  await page.getByLabel("Held by flow control").check();
  const held = page.locator(`[data-held="${second.eventId}.paced"]`);
  await expect
    .poll(() => held.textContent())
    .toMatch(/paced throttled \(key "t-1"\): starts at .* \(in 5\d min\)/);
  expect(page.url()).toContain("#/?held=1");
  expect(await page.locator(`a:text-is("${first.eventId}")`).count()).toBe(0);
  await screenshot(page, "dashboard-held");

  await page.getByRole("link", { name: second.eventId }).click();
  await expect
    .poll(() => page.locator("[data-run] [data-held]").textContent())
    .toMatch(/^throttled \(key "t-1"\): starts at /);
  expect(await page.locator("[data-run] [data-parked]").textContent()).toMatch(
    /^Throttled \(key "t-1"\): start reserved at \d{4}-/,
  );
});

test("the Workloads view lists each workload with its flow control and its schedule's next firing", async () => {
  await page.goto(`${dashboard.url}/#/`);
  await page.getByRole("link", { name: "Workloads" }).click();
  expect(page.url()).toContain("#/workloads");
  const paced = page.locator('tr[data-workload="paced"]');
  await expect
    .poll(() => paced.locator("[data-flow-control]").innerText())
    .toBe("concurrency: 3 at once\nthrottle: 1 per 1 h per data.tenantId");
  expect(await page.locator('tr[data-workload="digest"] [data-flow-control]').innerText()).toBe(
    "debounce: 10 min of quiet per data.userId",
  );
  const schedule = await page.locator('tr[data-workload="nightly"] [data-schedule]').innerText();
  expect(schedule).toMatch(/^0 3 \* \* \* UTC\nnext \d{4}-\d\d-\d\d \d\d:00:00 \(in /);
  await screenshot(page, "dashboard-workloads");
});
