// QStash schedules through the official client's `schedules` methods, and firing across restarts.
import { describe, expect, it } from "vitest";
import { QstashError } from "@upstash/qstash";
import { eventually, useHarness, type Harness } from "./helpers/qstash-harness.ts";

let h: Harness;
useHarness((harness) => (h = harness));

const MINUTE = 60_000;

describe("schedules API", () => {
  it("creates, lists, gets, pauses, resumes, replaces and deletes a schedule", async () => {
    const { scheduleId } = await h.client.schedules.create({
      destination: h.receiver.url("/weekly"),
      cron: "CRON_TZ=Europe/Paris 0 9 * * 1",
      body: JSON.stringify({ report: "weekly" }),
      headers: { "Upstash-Forward-X-Tenant": "t1" },
      retries: 2,
      label: "reports",
    });
    expect(scheduleId).toMatch(/^scd_/);

    const schedule = await h.client.schedules.get(scheduleId);
    expect(schedule).toMatchObject({
      scheduleId,
      cron: "CRON_TZ=Europe/Paris 0 9 * * 1",
      destination: h.receiver.url("/weekly"),
      method: "POST",
      body: JSON.stringify({ report: "weekly" }),
      retries: 2,
      isPaused: false,
      labels: ["reports"],
      header: { "Content-Type": ["application/json"], "X-Tenant": ["t1"] },
    });
    // 09:00 in Paris on a Monday is 08:00 or 07:00 UTC, depending on daylight saving time.
    const next = new Date(schedule.nextScheduleTime!);
    expect(next.getUTCDay()).toBe(1);
    expect([7, 8]).toContain(next.getUTCHours());
    expect(next.getTime()).toBeGreaterThan(Date.now());

    expect((await h.client.schedules.list()).map((s) => s.scheduleId)).toContain(scheduleId);

    await h.client.schedules.pause({ schedule: scheduleId });
    expect(await h.client.schedules.get(scheduleId)).toMatchObject({ isPaused: true });
    await h.client.schedules.resume({ schedule: scheduleId });
    expect(await h.client.schedules.get(scheduleId)).toMatchObject({ isPaused: false });

    await h.client.schedules.create({
      destination: h.receiver.url("/daily"),
      cron: "30 6 * * *",
      scheduleId,
    });
    const replaced = await h.client.schedules.get(scheduleId);
    expect(replaced).toMatchObject({ cron: "30 6 * * *", destination: h.receiver.url("/daily") });
    expect(replaced.createdAt).toBe(schedule.createdAt);

    await h.client.schedules.delete(scheduleId);
    await expect(h.client.schedules.get(scheduleId)).rejects.toThrow(/schedule not found/);
    await expect(h.client.schedules.pause({ schedule: scheduleId })).rejects.toThrow(QstashError);
    expect((await h.client.schedules.list()).map((s) => s.scheduleId)).not.toContain(scheduleId);
  });

  it("refuses a bad cron expression, time zone or destination, and stores nothing", async () => {
    const before = await h.client.schedules.list();
    for (const cron of ["61 * * * *", "* * * * * *", "CRON_TZ=Mars/Olympus * * * * *", ""]) {
      await expect(h.client.schedules.create({ destination: h.receiver.url("/x"), cron })).rejects.toThrow(
        /Upstash-Cron/,
      );
    }
    await expect(h.client.schedules.create({ destination: "not-a-url", cron: "* * * * *" })).rejects.toThrow(
      /invalid destination url/,
    );
    expect(await h.client.schedules.list()).toEqual(before);
  });
});

describe("firing", () => {
  it(
    "catches up once on a firing missed while stopped, and never fires one twice",
    async () => {
      // Firing on time, at the real minute boundaries, takes minutes: the soak's cron scenario
      // (npm run soak) covers it under the real awl dev. Here the stored next firing is moved into
      // the past while the server is down, which is what a missed boundary leaves behind.
      await eventually(
        "a moment well inside a minute",
        () => MINUTE - (Date.now() % MINUTE) > 15_000,
        MINUTE,
      );
      const { scheduleId } = await h.client.schedules.create({
        destination: h.receiver.url("/tick"),
        cron: "* * * * *",
        body: "tick",
      });
      const nextAt = (await h.client.schedules.get(scheduleId)).nextScheduleTime!;
      expect(nextAt % MINUTE).toBe(0);
      const missedAt = nextAt - MINUTE;
      const key = `${h.prefix}schedules`;
      const setStoredNextAt = async (at: number) => {
        const stored = JSON.parse((await h.connection.redis.hget(key, scheduleId))!) as Record<
          string,
          unknown
        >;
        await h.connection.redis.hset(key, scheduleId, JSON.stringify({ ...stored, nextAt: at }));
      };

      // Down across a firing: it is delivered once, late, when the server is back.
      await h.server.close();
      await setStoredNextAt(missedAt);
      await h.restart();
      const first = await eventually("the missed firing", () => h.receiver.to("/tick")[0]);
      expect(first.headers["upstash-schedule-id"]).toBe(scheduleId);
      expect(first.body).toBe("tick");
      const afterFirst = await eventually("the firing to be recorded", async () => {
        const s = await h.client.schedules.get(scheduleId);
        return s.lastScheduleTime === missedAt ? s : undefined;
      });
      // It goes on from the next boundary; the outage does not replay anything else.
      expect(afterFirst.nextScheduleTime).toBe(nextAt);

      // A server that stopped after publishing a firing but before recording it (the one moment a
      // crash could double it): the firing is published again at start and deduplicated.
      await h.server.close();
      await setStoredNextAt(missedAt);
      await h.restart();
      await eventually("the repeated firing to be recorded again", async () => {
        const s = await h.client.schedules.get(scheduleId);
        return s.nextScheduleTime === nextAt ? s : undefined;
      });
      await h.settled("the repeated firing");
      await h.client.schedules.delete(scheduleId);
      await h.settled("the deletion");
      expect(h.receiver.to("/tick")).toHaveLength(1);
    },
    2 * MINUTE,
  );
});
