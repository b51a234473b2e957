/**
 * Cron triggers on the real stack: the extension's schedule sync against awl dev's QStash (through
 * the official client), a firing starting the scheduled workload with its schedule:<name> event, and
 * a firing delivered twice making one event. Firing on the minute, in real time, takes minutes: the
 * soak's cron scenario (npm run soak, test/reliability/support/cron-soak.ts) covers it, and
 * test/dev/qstash-schedules.test.ts covers the emulator's catching up and deduplication.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Client } from "@upstash/qstash";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import type { ScheduledEventData } from "../../client/src/engine/scheduled-events.ts";
import { parseCron } from "../../client/src/engine/cron.ts";
import { scheduleIdOf, siteSchedulePrefix, syncSchedules } from "../../extension/src/build/schedules.ts";
import { startHost, startStack, waitFor, type Host, type Stack } from "../helpers/stack.ts";

const fired: { data: ScheduledEventData; name: string; at: number }[] = [];

const yearly = asyncWorkload<ScheduledEventData>(
  async ({ data, name, step }) => {
    await step.run("record", () => fired.push({ data, name, at: Date.now() }));
  },
  { events: "report-now", schedule: { cron: "0 0 1 1 *", timezone: "Europe/Paris" } },
);

let stack: Stack;
let host: Host;
let qstash: Client;

beforeAll(async () => {
  stack = await startStack();
  host = await startHost(stack, { yearly });
  qstash = new Client({ baseUrl: stack.qstash.url, token: stack.qstash.token, retry: false });
});
afterAll(async () => {
  await host?.close();
  await stack?.close();
});

describe("schedule sync (the extension's build)", () => {
  test("creates, leaves unchanged, updates and removes only this site's schedules", async () => {
    const routerUrl = "https://shop.example/.netlify/functions/awl-router";
    const other = await qstash.schedules.create({
      destination: "https://other.example/hook",
      cron: "0 * * * *",
      scheduleId: `${siteSchedulePrefix("https://other.example/r", "awl:")}nightly`,
    });
    const daily = parseCron("0 6 * * *");
    const first = await syncSchedules({
      qstash,
      routerUrl,
      prefix: "shop:",
      workloads: [
        { name: "Daily", schedule: daily },
        { name: "weekly", schedule: parseCron("0 9 * * 1", "Europe/Paris") },
        { name: "plain" },
      ],
    });
    expect(first).toEqual({ created: ["Daily", "weekly"], updated: [], unchanged: [], removed: [] });
    const weekly = await qstash.schedules.get(scheduleIdOf(routerUrl, "shop:", "weekly"));
    expect(weekly).toMatchObject({
      cron: "CRON_TZ=Europe/Paris 0 9 * * 1",
      destination: routerUrl,
      body: JSON.stringify({ schedule: "weekly" }),
    });

    const second = await syncSchedules({
      qstash,
      routerUrl,
      prefix: "shop:",
      workloads: [{ name: "Daily", schedule: parseCron("30 6 * * *") }],
    });
    expect(second).toEqual({ created: [], updated: ["Daily"], unchanged: [], removed: ["weekly"] });
    const third = await syncSchedules({
      qstash,
      routerUrl,
      prefix: "shop:",
      workloads: [{ name: "Daily", schedule: parseCron("30 6 * * *") }],
    });
    expect(third.unchanged).toEqual(["Daily"]);

    const ids = (await qstash.schedules.list()).map((s) => s.scheduleId);
    expect(ids).toContain(other.scheduleId);
    expect(ids).toContain(scheduleIdOf(routerUrl, "shop:", "daily"));
    expect(ids).not.toContain(scheduleIdOf(routerUrl, "shop:", "weekly"));
    await syncSchedules({ qstash, routerUrl, prefix: "shop:", workloads: [] });
    expect((await qstash.schedules.list()).map((s) => s.scheduleId)).toEqual([other.scheduleId]);
    await qstash.schedules.delete(other.scheduleId);
  });
});

describe("a scheduled workload", () => {
  test("a firing delivered twice is one event, and only the scheduled workload runs it", async () => {
    const body = { schedule: "yearly" };
    const first = await qstash.publishJSON({ url: host.runtime.routerUrl, body });
    const second = await qstash.publishJSON({ url: host.runtime.routerUrl, body });
    expect(first.messageId).not.toBe(second.messageId);
    const runs = await waitFor(
      async () => {
        const page = await stack.runtime.store.listEvents({ name: "schedule:yearly", limit: 10 });
        const done = page.events.filter((event) => event.state === "completed");
        return done.length > 0 && stack.qstash.stats().pending === 0 ? page.events : undefined;
      },
      { what: "the yearly firing's event to complete" },
    );
    expect(runs).toHaveLength(1);
    const run = fired.filter((f) => f.name === "schedule:yearly");
    expect(run).toHaveLength(1);
    // The firing is the last one at or before now: 1 January, 00:00 in Paris.
    const scheduledAt = new Date(run[0]!.data.scheduledAt);
    expect(scheduledAt.getUTCMonth() === 11 || scheduledAt.getUTCMonth() === 0).toBe(true);
    expect(run[0]!.data.cron).toBe("CRON_TZ=Europe/Paris 0 0 1 1 *");
  });

  test("a firing for a workload without a schedule is acknowledged and starts nothing", async () => {
    const before = stack.qstash.stats().delivered;
    await qstash.publishJSON({ url: host.runtime.routerUrl, body: { schedule: "gone" } });
    await waitFor(async () => stack.qstash.stats().delivered > before && stack.qstash.stats().pending === 0, {
      what: "the firing to be delivered",
    });
    expect(stack.qstash.stats().deadLettered).toBe(0);
    const page = await stack.runtime.store.listEvents({ name: "schedule:gone", limit: 10 });
    expect(page.events).toHaveLength(0);
  });
});
