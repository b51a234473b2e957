import { expect, test } from "vitest";
import { check } from "@awl/client/internal";
import { InvalidInputError } from "@awl/client";
import { keyId, listApiKeys } from "./api-keys.ts";
import { isForwarded } from "./events-proxy.ts";
import { defaultsSchema, parseDuration, upstashCredentialsSchema } from "./schemas.ts";

const good = {
  redisRestUrl: "https://eu1-x.upstash.io/",
  redisRestToken: " tok ",
  qstashToken: "q",
  qstashCurrentSigningKey: "sig_a",
  qstashNextSigningKey: "sig_b",
};

const paths = (run: () => unknown) => {
  try {
    run();
  } catch (error) {
    return (error as InvalidInputError).issues.map((issue) => issue.path.join("."));
  }
  return [];
};

test("credentials: trimmed, default QStash URL, http allowed for awl dev", () => {
  expect(check(upstashCredentialsSchema, good)).toEqual({
    ...good,
    redisRestUrl: "https://eu1-x.upstash.io",
    redisRestToken: "tok",
    qstashUrl: "https://qstash.upstash.io",
  });
  expect(check(upstashCredentialsSchema, { ...good, qstashUrl: "http://127.0.0.1:8080" }).qstashUrl).toBe(
    "http://127.0.0.1:8080",
  );
});

test("credentials: each bad field is named", () => {
  expect(
    paths(() =>
      check(upstashCredentialsSchema, {
        ...good,
        redisRestUrl: "javascript:alert(1)",
        redisRestToken: "   ",
        qstashToken: "x".repeat(1001),
        qstashNextSigningKey: undefined,
        other: true,
      }),
    ).sort(),
  ).toEqual(["other", "qstashNextSigningKey", "qstashToken", "redisRestToken", "redisRestUrl"]);
});

test("defaults: positive ms durations, whole retries 0–100", () => {
  expect(parseDuration("7 days")).toBe(7 * 86_400_000);
  expect(parseDuration("12h")).toBe(43_200_000);
  for (const bad of ["soon", "0s", "-5m", ""]) expect(parseDuration(bad), bad).toBeUndefined();
  expect(
    check(defaultsSchema, { retentionCompleted: "1d", retentionDeadLettered: "30 days", maxRetries: 0 }),
  ).toEqual({
    retentionCompleted: "1d",
    retentionDeadLettered: "30 days",
    maxRetries: 0,
  });
  expect(
    paths(() =>
      check(defaultsSchema, { retentionCompleted: "0", retentionDeadLettered: "x", maxRetries: 101 }),
    ),
  ).toEqual(["retentionCompleted", "retentionDeadLettered", "maxRetries"]);
});

test("key ids: 12 hex characters of sha256, stable, listing shows id and last4 only", () => {
  expect(keyId("awl_abc")).toMatch(/^[0-9a-f]{12}$/);
  expect(keyId("awl_abc")).toBe(keyId("awl_abc"));
  expect(keyId("awl_abc")).not.toBe(keyId("awl_abd"));
  expect(listApiKeys(" awl_one1234 , awl_two5678,")).toEqual([
    { id: keyId("awl_one1234"), last4: "1234" },
    { id: keyId("awl_two5678"), last4: "5678" },
  ]);
  expect(listApiKeys(undefined)).toEqual([]);
});

test("the events proxy forwards only the allow-listed paths", () => {
  for (const path of ["stats", "events", "events/retry", "events/evt_abc123"])
    expect(isForwarded(path), path).toBe(true);
  for (const path of ["reconcile", "events/a/b", "../settings", "events/", "", "stats/x"]) {
    expect(isForwarded(path), path).toBe(false);
  }
});
