/**
 * Fault: a publish that fails after the event was persisted, produced for real (no mock): the
 * sender's QStash client points at a loopback port where nothing listens, so every send persists
 * its events and outbox entries and then fails to publish. Nothing runs until the reconciler,
 * with the right QStash URL, finds the outbox entries and publishes them.
 * Then the same for every publish the site itself makes: a site whose QSTASH_URL is a closed port
 * can route nothing and publish no next delivery (wakes, retries, continuations); the reconciler
 * alone carries 200 events through.
 */
import { afterEach, expect, test, vi } from "vitest";
import { Client } from "@upstash/qstash";
import { createRuntime } from "../../client/src/engine/runtime.ts";
import { sendEvents } from "../../client/src/engine/send.ts";
import { startFaultStack, TEST_OUTBOX_GRACE_MS, type FaultStack } from "./support/fault-stack.ts";
import { freePort } from "./support/ports.ts";
import { report } from "./support/report.ts";
import { EVENTS, scaled } from "./support/scale.ts";

let stack: FaultStack | undefined;

afterEach(async () => {
  await stack?.close();
  stack = undefined;
}, 60_000);

test(
  "the send's publish fails after the events were persisted; the reconciler publishes them",
  async () => {
    stack = await startFaultStack({ hostEnv: { AWL_LEASE_MARGIN: "30s" } });
    const closed = `http://127.0.0.1:${await freePort()}`;
    const logs: string[] = [];
    // The QStash client logs each of its own retries; keep them (and check them for the token).
    const clientLines: string[] = [];
    const keep = (...args: unknown[]) => void clientLines.push(args.map(String).join(" "));
    const warn = vi.spyOn(console, "warn").mockImplementation(keep);
    const error = vi.spyOn(console, "error").mockImplementation(keep);
    const broken = createRuntime({
      redis: stack.runtime.store.redis,
      qstash: new Client({ baseUrl: closed, token: stack.dev.env.QSTASH_TOKEN }),
      signingKeys: { currentSigningKey: "unused", nextSigningKey: "unused" },
      routerUrl: stack.runtime.routerUrl,
      prefix: stack.prefix,
      settings: stack.runtime.store.settings,
      log: (line) => logs.push(line),
    });
    // Batches of 100 at once: each waits out the QStash client's own retries (about 4 s), then gives up.
    const batches = await Promise.all(
      Array.from({ length: EVENTS / 100 }, () =>
        sendEvents(
          broken,
          Array.from({ length: 100 }, () => ({ name: "chain", data: { steps: 3 } })),
        ),
      ),
    ).finally(() => {
      warn.mockRestore();
      error.mockRestore();
    });
    const ids = batches
      .flat()
      .filter((r) => r.status === "accepted")
      .map((r) => r.eventId);
    expect(ids).toHaveLength(EVENTS);
    expect(clientLines.length).toBeGreaterThan(0);
    expect(clientLines.filter((line) => line.includes(stack!.dev.env.QSTASH_TOKEN))).toEqual([]);
    expect(logs.filter((line) => line.includes("the reconciler will publish them"))).toHaveLength(
      EVENTS / 100,
    );
    // Once every outbox entry is due (the grace period is over, read from Redis rather than waited
    // out), still nothing has run: the events are persisted, unpublished, and only the reconciler
    // (not started yet) can carry them.
    const outbox = `${stack.prefix}outbox`;
    const deadline = Date.now() + scaled(TEST_OUTBOX_GRACE_MS * 20);
    while ((await stack.redis.client.zcount(outbox, "-inf", Date.now())) < EVENTS) {
      if (Date.now() > deadline) throw new Error("the outbox entries never came due");
      await new Promise((r) => setTimeout(r, 50));
    }
    const stranded = await stack.census(ids);
    expect(stranded.unrouted).toBe(EVENTS);
    expect(await stack.redis.client.zcard(`${stack.prefix}outbox`)).toBe(EVENTS);

    const reconciler = stack.reconciler();
    const census = await stack.settle(ids, scaled(90_000));
    await reconciler.stop();
    const ledger = await stack.ledger();
    report("publish-fails-after-persist", {
      inFlight: stranded.unrouted,
      publishFailuresLogged: logs.length,
      accepted: census.accepted,
      completed: census.completed,
      deadLettered: census.deadLettered,
      lost: census.lost,
      inconsistent: census.inconsistent,
      republishedByReconciler: reconciler.totals().events,
      reRuns: ledger.reRuns,
      completedStepsRunAgain: ledger.completedStepsRunAgain,
    });
    expect(reconciler.totals().events).toBeGreaterThanOrEqual(EVENTS);
    expect(census.lost).toBe(0);
    expect(census.completed).toBe(EVENTS);
    expect(census.inconsistent, census.examples.join("\n")).toBe(0);
    expect(ledger.completedStepsRunAgain).toBe(0);
    expect(ledger.reRuns).toBe(0);
  },
  scaled(150_000),
);

test(
  "every publish the site makes fails (router fan-out, wakes, retries); the reconciler carries the runs",
  async () => {
    const closed = `http://127.0.0.1:${await freePort()}`;
    stack = await startFaultStack({ hostEnv: { QSTASH_URL: closed, AWL_LEASE_MARGIN: "30s" } });
    const reconciler = stack.reconciler();
    const ids = await stack.send(
      Array.from({ length: EVENTS }, (_, i) => ({
        name: "chain",
        data: {
          steps: 3,
          ...(i % 2 === 0 ? { sleepMs: 500 } : {}),
          ...(i % 3 === 0 ? { failFirstAttempt: true } : {}),
        },
      })),
    );
    expect(ids).toHaveLength(EVENTS);
    const census = await stack.settle(ids, scaled(120_000));
    await reconciler.stop();
    const ledger = await stack.ledger();
    const failedPublishes = stack.host.output().match(/publishing .* failed|routing .* failed/g)?.length ?? 0;
    report("site-publishes-fail", {
      inFlight: EVENTS,
      failedPublishesLoggedBySite: failedPublishes,
      accepted: census.accepted,
      completed: census.completed,
      deadLettered: census.deadLettered,
      lost: census.lost,
      inconsistent: census.inconsistent,
      republishedByReconciler: reconciler.totals().runs,
      reRuns: ledger.reRuns,
      completedStepsRunAgain: ledger.completedStepsRunAgain,
    });
    expect(failedPublishes).toBeGreaterThan(0);
    expect(census.lost).toBe(0);
    expect(census.completed + census.deadLettered).toBe(EVENTS);
    expect(census.inconsistent, census.examples.join("\n")).toBe(0);
    expect(ledger.completedStepsRunAgain).toBe(0);
  },
  scaled(180_000),
);
