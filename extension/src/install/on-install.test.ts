import { expect, test } from "vitest";
import { onInstall, type InstallClient, type InstallationRecord } from "./on-install.ts";

function fakeClient(keys: string[]) {
  const calls: { created: { key: string; value: string; siteId?: string; scopes?: string[] }[] } = {
    created: [],
  };
  const records: { scope: string; config: InstallationRecord }[] = [];
  const client: InstallClient = {
    getEnvironmentVariables: async () => keys.map((key) => ({ key })),
    createOrUpdateVariable: async (args) => {
      calls.created.push(args);
    },
    upsertSiteConfiguration: async (teamId, siteId, config) =>
      records.push({ scope: `${teamId}/${siteId}`, config }),
    upsertTeamConfiguration: async (teamId, config) => records.push({ scope: teamId, config }),
  };
  return { client, calls, records };
}

test("creates the site's API key and records the Upstash variables still missing", async () => {
  const { client, calls, records } = fakeClient(["UPSTASH_REDIS_REST_URL", "UNRELATED"]);
  const response = await onInstall({}, { client, siteId: "site_1", teamId: "team_1" });
  expect(response.statusCode).toBe(200);
  expect(calls.created).toEqual([
    expect.objectContaining({
      accountId: "team_1",
      siteId: "site_1",
      key: "AWL_API_KEY",
      scopes: ["functions"],
    }),
  ]);
  expect(calls.created[0]!.value).toMatch(/^awl_[A-Za-z0-9_-]{43}$/);
  const missing = [
    "UPSTASH_REDIS_REST_TOKEN",
    "QSTASH_TOKEN",
    "QSTASH_CURRENT_SIGNING_KEY",
    "QSTASH_NEXT_SIGNING_KEY",
  ];
  expect(records).toEqual([
    {
      scope: "team_1/site_1",
      config: { apiKeyVariable: "AWL_API_KEY", upstash: { configured: false, missing } },
    },
  ]);
  expect(JSON.parse(response.body)).toEqual({ apiKey: "created", missing });
});

test("keeps an existing key (several may be valid during a rotation) and records a complete setup", async () => {
  const { client, calls, records } = fakeClient([
    "AWL_API_KEY",
    "UPSTASH_REDIS_REST_URL",
    "UPSTASH_REDIS_REST_TOKEN",
    "QSTASH_TOKEN",
    "QSTASH_CURRENT_SIGNING_KEY",
    "QSTASH_NEXT_SIGNING_KEY",
  ]);
  const response = await onInstall({}, { client, siteId: null, teamId: "team_1" });
  expect(calls.created).toEqual([]);
  expect(records).toEqual([
    {
      scope: "team_1",
      config: { apiKeyVariable: "AWL_API_KEY", upstash: { configured: true, missing: [] } },
    },
  ]);
  expect(JSON.parse(response.body)).toEqual({ apiKey: "kept", missing: [] });
});

test("refuses an install without a team", async () => {
  const { client } = fakeClient([]);
  expect((await onInstall({}, { client, siteId: null, teamId: null })).statusCode).toBe(400);
});
