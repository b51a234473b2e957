/**
 * The extension's site-configuration surface in real Chromium, as the Netlify app would show it:
 * the harness frames the built UI and initialises it over the SDK's postMessage protocol; the UI
 * calls the real endpoints through the SDK's authenticated fetch and withNetlifySDKContext; they
 * store into the Netlify API stand-in, test credentials against `awl dev`'s Redis REST and QStash
 * (real Redis), and proxy the events views to a local site serving the events API.
 */
import type { Browser, Frame, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startExtensionHarness, type ExtensionHarness } from "../../extension/harness/server.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { ErrorDoNotRetry } from "../../client/src/engine/errors.ts";
import { API_KEY, startApiSite, type ApiSite } from "../api/serve-api.ts";
import { eventInState } from "../helpers/stack.ts";
import { launchChromium, screenshot } from "../helpers/browser.ts";

const workloads = {
  charge: asyncWorkload(async ({ step }) => {
    await step.run("charge", () => {
      throw new ErrorDoNotRetry("card declined");
    });
  }, "checkout"),
};

let site: ApiSite;
let harness: ExtensionHarness;
let browser: Browser;
let page: Page;
let surface: Frame;

/** A text field by its accessible name (the kit names a secret field "<label>. This value is hidden."). */
const field = (name: string) => surface.getByRole("textbox", { name });
const env = () => harness.netlifyApi.env(harness.teamId, harness.siteId);

beforeAll(async () => {
  site = await startApiSite(workloads);
  harness = await startExtensionHarness({ siteUrl: site.api.url, env: { AWL_API_KEY: API_KEY } });
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  await page.goto(harness.harnessUrl);
  surface = page
    .frameLocator("#surface")
    .owner()
    .page()
    .frames()
    .find((f) => f !== page.mainFrame())!;
  await page.waitForSelector("body[data-initialized=true]");
  surface = page.frames().find((f) => f.parentFrame() === page.mainFrame())!;
  await surface.getByRole("heading", { name: "Upstash credentials" }).waitFor();
}, 30_000);

afterAll(async () => {
  await browser?.close();
  await harness?.close();
  await site?.close();
});

async function fillCredentials(overrides: Partial<Record<string, string>> = {}) {
  const { redisRest, qstash } = site.stack;
  const values: Record<string, string> = {
    "Redis REST URL": redisRest.url,
    "Redis REST token": redisRest.token,
    "QStash URL": qstash.url,
    "QStash token": qstash.token,
    "QStash current signing key": qstash.currentSigningKey,
    "QStash next signing key": qstash.nextSigningKey,
    ...overrides,
  };
  for (const [label, value] of Object.entries(values)) await field(label).fill(value);
}

describe("the extension's site configuration surface", () => {
  test("shows Events first, then Configuration, each control named", async () => {
    const headings = await surface.getByRole("heading", { level: 1 }).allTextContents();
    expect(headings).toEqual(["Events", "Configuration"]);
    for (const name of ["Test connection", "Create API key"])
      await expect(surface.getByRole("button", { name }).count()).resolves.toBe(1);
    await expect(surface.getByRole("button", { name: "Save" }).count()).resolves.toBe(2);
    for (const label of ["Redis REST URL", "Redis REST token", "QStash token", "Keep completed events for"])
      await expect(field(label).count()).resolves.toBe(1);
    await expect(surface.getByRole("spinbutton", { name: "Max retries" }).count()).resolves.toBe(1);
    await expect(surface.getByRole("button", { name: "Show Redis REST token" }).count()).resolves.toBe(1);
    await screenshot(page, "extension-configuration");
  });

  test("a wrong Redis token: Save names it under the field and stores nothing", async () => {
    const before = JSON.stringify(env());
    await fillCredentials({ "Redis REST token": "wrong-token" });
    await surface.getByRole("button", { name: "Save" }).first().click();
    const alert = surface.getByRole("alert").filter({ hasText: "Nothing was saved" });
    await alert.waitFor();
    // The field error sits in the token field's description.
    const token = field("Redis REST token");
    const describedBy = await token.getAttribute("aria-describedby");
    const fieldError = surface.locator(`[id="${describedBy}"]`);
    await expect(fieldError.textContent()).resolves.toMatch(/token/i);
    expect(JSON.stringify(env())).toBe(before);
    await screenshot(page, "extension-field-error");
  });

  test("right credentials: Test connection shows both OK, Save stores them, the form shows last 4 only", async () => {
    const { redisRest, qstash } = site.stack;
    await fillCredentials();
    // Keyboard: Test connection is reachable and works from the keyboard.
    await surface.getByRole("button", { name: "Test connection" }).focus();
    await page.keyboard.press("Enter");
    const status = surface.getByRole("group", { name: "Connection test" });
    await status.getByText("Redis: connected").waitFor();
    await status.getByText("QStash: connected").waitFor();

    await surface.getByRole("button", { name: "Save" }).first().click();
    await surface.getByText("Saved. Both services answered").waitFor();
    const stored = env();
    expect(stored.UPSTASH_REDIS_REST_URL?.value).toBe(redisRest.url);
    expect(stored.UPSTASH_REDIS_REST_TOKEN).toMatchObject({ value: redisRest.token, isSecret: true });
    expect(stored.QSTASH_TOKEN).toMatchObject({ value: qstash.token, isSecret: true });
    expect(stored.QSTASH_CURRENT_SIGNING_KEY?.value).toBe(qstash.currentSigningKey);

    await expect(field("Redis REST token").inputValue()).resolves.toBe("");
    await surface.getByText(`Saved value ends in ${redisRest.token.slice(-4)}`).waitFor();
    const html = await surface.content();
    expect(html).not.toContain(redisRest.token.length > 4 ? redisRest.token : "\u0000");
    expect(html).not.toContain(qstash.token);

    // The saved variables reach the site's functions with its next deploy: the page offers it.
    await surface.getByText("Your site's functions use the new settings from its next deploy.").waitFor();
    const builds = harness.netlifyApi.builds(harness.siteId).length;
    await surface.getByRole("button", { name: "Redeploy now" }).click();
    await surface.getByText(/Deploy started \(build build_\d+\)/).waitFor();
    expect(harness.netlifyApi.builds(harness.siteId)).toHaveLength(builds + 1);
  });

  test("API keys: create shows the whole key once, the list shows last 4, revoke asks first", async () => {
    await surface.getByRole("button", { name: "Create API key" }).click();
    const shown = surface.getByLabel("New API key");
    await shown.waitFor();
    const key = (await shown.textContent())!;
    expect(key.length).toBeGreaterThan(16);
    await surface.getByText("it won't be shown again").waitFor();
    expect(env().AWL_API_KEY?.value.split(",")).toContain(key);

    const row = surface.getByLabel(`Key ending in ${key.slice(-4)}`);
    await row.waitFor();
    await expect(row.textContent()).resolves.not.toContain(key);

    // Revoke from the keyboard: the question takes focus, Enter confirms.
    await surface.getByRole("button", { name: `Revoke key ending in ${key.slice(-4)}` }).click();
    const confirm = surface.getByRole("button", { name: `Yes, revoke key ending in ${key.slice(-4)}` });
    await confirm.waitFor();
    await expect(confirm.evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await page.keyboard.press("Enter");
    await row.waitFor({ state: "detached" });
    await expect(shown.count()).resolves.toBe(0);
    expect(env().AWL_API_KEY?.value.split(",")).not.toContain(key);
    expect(env().AWL_API_KEY?.value.split(",")).toContain(API_KEY);
  });

  test("Events shows the site's events through the proxy, dead-lettered with its state", async () => {
    const sent = await site.api.call("POST", "/events", {
      body: { name: "checkout", data: { cartId: "c_1" } },
    });
    const eventId: string = sent.body.eventId;
    await eventInState(site.stack.runtime, eventId, "dead-lettered");
    await surface.getByRole("button", { name: "Refresh" }).first().click();
    const events = surface.getByRole("region", { name: "Events" });
    await events.getByText(eventId).first().waitFor();
    await events.getByText("dead-lettered").first().waitFor();
    await screenshot(page, "extension-events");
  });
});
