/**
 * The Netlify API stand-in (extension/harness/netlify-api.ts), driven by the SDK's own
 * NetlifyExtensionClient: the calls the extension's endpoints make land where the client sends
 * them, secret values are not returned, and a wrong token is refused.
 */
import { NetlifyExtensionClient } from "@netlify/sdk--extension-api-client";
import { afterAll, beforeAll, expect, test } from "vitest";
import { startNetlifyApiStandIn, type NetlifyApiStandIn } from "../../extension/harness/netlify-api.ts";

let standIn: NetlifyApiStandIn;
const client = (token = "t0k") =>
  new NetlifyExtensionClient<Record<string, unknown>, unknown>(token, "my-ext", {
    netlifyApiUrl: standIn.url,
    jigsawUrl: standIn.jigsawUrl,
  });

beforeAll(async () => {
  standIn = await startNetlifyApiStandIn({
    token: "t0k",
    sites: [{ id: "s1", accountId: "a1", url: "https://example.netlify.app" }],
  });
});
afterAll(() => standIn?.close());

test("environment variables: create, update, list (secret values withheld), delete", async () => {
  const c = client();
  await c.createOrUpdateVariables({
    accountId: "a1",
    siteId: "s1",
    variables: { A: "1", B: "2" },
    scopes: ["functions"],
  });
  await c.createOrUpdateVariable({
    accountId: "a1",
    siteId: "s1",
    key: "S",
    value: "secret!",
    isSecret: true,
  });
  await c.createOrUpdateVariable({
    accountId: "a1",
    siteId: "s1",
    key: "A",
    value: "3",
    scopes: ["functions"],
  });
  const listed = await c.getEnvironmentVariables({ accountId: "a1", siteId: "s1" });
  expect(listed.find((v) => v.key === "A")?.values).toEqual([{ context: "all", value: "3" }]);
  expect(JSON.stringify(listed)).not.toContain("secret!");
  expect(standIn.env("a1", "s1")).toEqual({
    A: { value: "3", isSecret: false, scopes: ["functions"] },
    B: { value: "2", isSecret: false, scopes: ["functions"] },
    S: { value: "secret!", isSecret: true, scopes: ["builds", "functions", "runtime", "post-processing"] },
  });
  await c.deleteEnvironmentVariable({ accountId: "a1", siteId: "s1", key: "B" });
  expect(Object.keys(standIn.env("a1", "s1"))).toEqual(["A", "S"]);
});

test("site and site configuration", async () => {
  const c = client();
  expect(await c.getSite("s1")).toMatchObject({ id: "s1", ssl_url: "https://example.netlify.app" });
  expect(await c.getSiteConfiguration("a1", "s1")).toBeNull();
  await c.upsertSiteConfiguration("a1", "s1", { hello: "world" });
  expect((await c.getSiteConfiguration("a1", "s1"))?.config).toEqual({ hello: "world" });
  expect(standIn.siteConfiguration("a1", "s1", "my-ext")).toEqual({ hello: "world" });
});

test("a wrong token is refused with 401 on both APIs", async () => {
  const c = client("wrong");
  await expect(c.getSite("s1")).rejects.toMatchObject({ status: 401 });
  await expect(c.getSiteConfiguration("a1", "s1")).rejects.toMatchObject({ status: 401 });
  expect(standIn.requests.at(-1)?.path).toMatch(/^\/jigsaw\/team\/a1\//);
});
