import { describe, expect, test } from "vitest";
import { parseCron } from "@awl/client/internal";
import { syncSiteSchedules } from "./schedule-hook.ts";

const scheduled = [{ name: "weekly", schedule: parseCron("0 9 * * 1") }, { name: "plain" }];

describe("when the build syncs schedules", () => {
  test("without QStash credentials it says which schedules were not synced, and syncs nothing", async () => {
    const lines: string[] = [];
    const report = await syncSiteSchedules(scheduled, { URL: "https://shop.example" }, (line) =>
      lines.push(line),
    );
    expect(report).toBeUndefined();
    expect(lines).toEqual([
      "Async Workloads: QSTASH_TOKEN is not set, so the schedules of 1 workload(s) were not synced",
    ]);
  });

  test("a site without scheduled workloads and without credentials says nothing", async () => {
    const lines: string[] = [];
    await syncSiteSchedules([{ name: "plain" }], {}, (line) => lines.push(line));
    expect(lines).toEqual([]);
  });

  test("a QStash that cannot be reached is reported and does not fail the build", async () => {
    const lines: string[] = [];
    const env = { QSTASH_TOKEN: "t", QSTASH_URL: "http://127.0.0.1:1", URL: "https://shop.example" };
    const report = await syncSiteSchedules(scheduled, env, (line) => lines.push(line));
    expect(report).toBeUndefined();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Async Workloads: could not sync schedules with QStash: /);
  });
});
