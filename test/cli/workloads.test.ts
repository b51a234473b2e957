/**
 * `awl workloads`, and runs held back by flow control in `awl events list/show`, as a user runs
 * them: the real binary against a site serving the events API over HTTP, with workloads using
 * every option the list shows. The workloads come from the manifest the site's router publishes
 * with its first routing; the holds from what the engine records when it parks a run.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import type { EventDetail, EventSummary, RunRecord } from "../../client/src/engine/types.ts";
import type { WorkloadsListing } from "../../client/src/engine/workload-manifest.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { waitFor } from "../helpers/stack.ts";
import { startSite, type Site } from "./awl.ts";

/** The one `tenants` run allowed in a step at once stays there until the test lets it go. */
let release: () => void = () => undefined;
const gate = new Promise<void>((resolve) => (release = resolve));

let site: Site;
beforeAll(async () => {
  site = await startSite({
    tenants: asyncWorkload(
      async ({ step }) => {
        await step.run("work", () => gate.then(() => "done"));
      },
      {
        events: ["order.placed", "order.updated"],
        eventFilter: (event) => event.data !== null,
        maxRetries: 2,
        concurrency: [{ limit: 1, key: "data.tenantId" }, { limit: 10 }],
        cancelOn: [{ event: "order.cancelled", match: "data.orderId" }],
        stepTimeout: "30s",
      },
    ),
    paced: asyncWorkload(async () => "sent", {
      events: ["email.send"],
      throttle: { limit: 1, period: "1h", key: "data.tenantId" },
    }),
    digest: asyncWorkload(async () => "digested", {
      events: ["activity"],
      debounce: { period: "1h", maxWait: "2h", key: (event) => (event.data as { userId: string }).userId },
    }),
    nightly: asyncWorkload(async () => "reported", {
      schedule: { cron: "0 9 * * 1", timezone: "Europe/Paris" },
    }),
  });
});
afterAll(async () => {
  release();
  await site?.close();
});

async function send(name: string, data: unknown): Promise<string> {
  const { status, body } = await site.api.call("POST", "/events", { body: { name, data } });
  expect(status).toBe(202);
  return body.eventId as string;
}

/** The event's run of `workload` once `ready` says it is where the test wants it. */
async function runOf(eventId: string, ready: (run: RunRecord) => boolean): Promise<RunRecord> {
  return waitFor(
    async () => {
      const { body } = await site.api.call("GET", `/events/${eventId}`);
      const run = (body as EventDetail | undefined)?.runs?.[0];
      return run && ready(run) ? run : undefined;
    },
    { what: `a run of ${eventId}` },
  );
}

test("awl workloads lists every workload with its events, limits, schedule and its next firing", async () => {
  const before = await site.awl(["workloads"]);
  expect(before).toMatchObject({ code: 0, stdout: expect.stringContaining("No workloads published yet") });

  // The router publishes the manifest with the first event it routes.
  await send("email.send", { tenantId: "warm-up" });
  const listing = await waitFor(
    async () => {
      const result = await site.awl(["workloads", "--json"]);
      const parsed = JSON.parse(result.stdout) as WorkloadsListing;
      return parsed.publishedAt !== null ? parsed : undefined;
    },
    { what: "the router to publish its workloads" },
  );
  const byName = Object.fromEntries(listing.workloads.map((workload) => [workload.name, workload]));
  expect(Object.keys(byName).sort()).toEqual(["digest", "nightly", "paced", "tenants"]);
  expect(byName.tenants).toMatchObject({
    events: ["order.placed", "order.updated"],
    eventFilter: true,
    maxRetries: 2,
    concurrency: [{ limit: 1, key: "data.tenantId" }, { limit: 10 }],
    cancelOn: [{ event: "order.cancelled", match: "data.orderId" }],
    stepTimeoutMs: 30_000,
  });
  expect(byName.paced).toMatchObject({ throttle: { limit: 1, periodMs: 3_600_000, key: "data.tenantId" } });
  expect(byName.digest).toMatchObject({
    debounce: { periodMs: 3_600_000, maxWaitMs: 7_200_000, keyFunction: true },
  });
  expect(byName.nightly).toMatchObject({
    events: [],
    schedule: { cron: "0 9 * * 1", timezone: "Europe/Paris", event: "schedule:nightly" },
  });
  // The next firing is a Monday, 09:00 in Paris, within the coming week.
  const next = byName.nightly!.nextFiringAt!;
  expect(next).toBeGreaterThan(Date.now());
  expect(next - Date.now()).toBeLessThanOrEqual(7 * 86_400_000);
  const paris = new Intl.DateTimeFormat("en-GB", {
    timeZone: "Europe/Paris",
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
  }).format(new Date(next));
  expect(paris).toBe("Mon 09:00");

  const table = await site.awl(["workloads"]);
  expect(table.code).toBe(0);
  expect(table.stdout).toMatch(/^tenants\n\s+events\s+order\.placed, order\.updated\s+\(eventFilter\)$/m);
  expect(table.stdout).toMatch(/concurrency\s+1 at once per data\.tenantId; 10 at once$/m);
  expect(table.stdout).toMatch(/throttle\s+1 per 1 h per data\.tenantId$/m);
  expect(table.stdout).toMatch(/debounce\s+1 h of quiet, at most 2 h per key function$/m);
  expect(table.stdout).toMatch(/schedule\s+0 9 \* \* 1 Europe\/Paris; next /m);
  expect(table.stdout).toMatch(/cancelOn\s+order\.cancelled \(match data\.orderId\)$/m);
  expect(table.stdout).toMatch(/stepTimeout\s+30 s$/m);
});

test("a throttled run shows its key and start time in list and show; list --held finds it", async () => {
  const first = await send("email.send", { tenantId: "t-1" });
  const second = await send("email.send", { tenantId: "t-1" });
  await runOf(first, (run) => run.state === "completed");
  const held = await runOf(second, (run) => run.held !== undefined);
  expect(held.held).toMatchObject({ by: "throttle", key: "t-1" });
  expect(held.held!.until).toBeGreaterThan(Date.now() + 3_000_000);

  const shown = await site.awl(["events", "show", second]);
  expect(shown.stdout).toMatch(/attempt 1 throttled \(key "t-1"\): start reserved at /);
  // About an hour after the first start: "in 1 h" when shown within half a second of it.
  expect(shown.stdout).toMatch(/held: throttled \(key "t-1"\): starts at .* \(in (5\d min|1 h\))/);

  // An event waiting to be routed is pending too, but nothing holds it back.
  const now = Date.now();
  const unrouted = `evt_unrouted${now}`;
  await site.stack.runtime.store.enqueue(
    [{ id: unrouted, name: "email.send", data: "{}", priority: 0, createdAt: now }],
    now,
  );
  const pending = JSON.parse(
    (await site.awl(["events", "list", "--state", "pending", "--json"])).stdout,
  ) as EventSummary[];
  expect(pending.map((event) => event.id)).toEqual(expect.arrayContaining([unrouted, second]));

  const list = await site.awl(["events", "list", "--held", "--all", "--json"]);
  const events = JSON.parse(list.stdout) as EventSummary[];
  expect(events.map((event) => event.id)).toContain(second);
  expect(events.map((event) => event.id)).not.toContain(first);
  expect(events.map((event) => event.id)).not.toContain(unrouted);
  expect(events.find((event) => event.id === second)?.held).toEqual([
    expect.objectContaining({ runId: `${second}.paced`, by: "throttle", key: "t-1" }),
  ]);
  const table = await site.awl(["events", "list", "--held"]);
  expect(table.stdout).toMatch(
    new RegExp(`${second}\\s+email\\.send\\s+pending\\s+.*1 pending: throttled \\(key "t-1"\\): starts at `),
  );

  const refused = await site.awl(["events", "list", "--held", "--state", "completed"]);
  expect(refused).toMatchObject({ code: 2, stderr: expect.stringContaining("held runs are pending") });
});

test("a debounced run shows its deadline, and the run that superseded it", async () => {
  const first = await send("activity", { userId: "u-1" });
  await runOf(first, (run) => run.held !== undefined);
  const second = await send("activity", { userId: "u-1" });
  await runOf(second, (run) => run.held !== undefined);

  const run = await runOf(first, (r) => r.held?.supersededBy !== undefined);
  expect(run.held).toMatchObject({ by: "debounce", key: "u-1", supersededBy: `${second}.digest` });
  const shown = await site.awl(["events", "show", first]);
  expect(shown.stdout).toMatch(/attempt 1 debounced \(key "u-1"\): due at /);
  expect(shown.stdout).toContain(`held: debounced (key "u-1"): superseded by ${second}.digest`);
  const latest = await site.awl(["events", "show", second]);
  expect(latest.stdout).toMatch(
    /held: debounced \(key "u-1"\): runs at .* unless a later event with the same key comes/,
  );
});

test("runs waiting for a concurrency slot show the limit, the key and their place in line", async () => {
  const running = await send("order.placed", { tenantId: "acme", orderId: 1 });
  await runOf(running, (run) => run.state === "processing");
  const second = await send("order.placed", { tenantId: "acme", orderId: 2 });
  await runOf(second, (run) => run.held !== undefined);
  const third = await send("order.placed", { tenantId: "acme", orderId: 3 });
  const waiting = await runOf(third, (run) => run.held !== undefined);
  expect(waiting.held).toMatchObject({
    by: "concurrency",
    limits: [
      { limit: 1, key: "acme", running: 1, place: 2 },
      { limit: 10, running: 1 },
    ],
  });
  const shown = await site.awl(["events", "show", second]);
  expect(shown.stdout).toContain('held: waiting for a slot (limit 1, key "acme", 1st in line)');
  const table = await site.awl(["events", "list", "--held", "--name", "order.placed"]);
  expect(table.stdout).toMatch(
    new RegExp(
      `${third}\\s+order\\.placed\\s+pending\\s+.*waiting for a slot \\(limit 1, key "acme"; limit 10\\)`,
    ),
  );

  release();
  await runOf(third, (run) => run.state === "completed");
  const done = await site.awl(["events", "show", third]);
  expect(done.stdout).toContain('attempt 1 parked waiting for a slot (limit 1, key "acme"; limit 10)');
  expect(done.stdout).toMatch(/completed at /);
});
