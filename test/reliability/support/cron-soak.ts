/**
 * The soak's cron scenario: a workload with `schedule: "* * * * *"` under the real `awl dev` binary
 * (its emulated QStash schedules, kept in Redis), with the site (router and workload) in this
 * process, over five minute boundaries:
 *
 *   B1, B2   on time: the firing reaches the router, and the run starts, within CRON_LATENESS_MS;
 *   B3       awl dev is SIGKILLed while the router answers the firing (the firing's delivery is in
 *            flight, its run's delivery published): the new awl dev delivers the firing again, and
 *            it still makes one event and one run;
 *   B4       awl dev is down from 3 s before the boundary to 5 s after it: the firing missed while
 *            stopped is published once at start;
 *   B5       on time again after the restarts.
 *
 * Each firing must make exactly one event and one run, no other firing may appear, and the on-time
 * firings must be within the lateness documented in docs/workloads.md (Cron triggers).
 */
import { randomBytes } from "node:crypto";
import { serve, type ServerType } from "@hono/node-server";
import { Client } from "@upstash/qstash";
import { startRedisServer } from "@awl/dev/redis-server";
import { createRuntime } from "../../../client/src/engine/runtime.ts";
import type { ScheduledEventData } from "../../../client/src/engine/scheduled-events.ts";
import { engineQStash } from "../../../client/src/transport/qstash-requester.ts";
import { engineRedis } from "../../../client/src/transport/redis-requester.ts";
import { createRouterHandler } from "../../../client/src/workload/router-function.ts";
import { asyncWorkload, handleWorkloadRequest } from "../../../client/src/workload/async-workload.ts";
import { syncSchedules } from "../../../extension/src/build/schedules.ts";
import { startAwlDev } from "./awl-dev.ts";
import { waitFor } from "../../helpers/wait.ts";

/** The lateness docs/workloads.md promises under awl dev: the run's first step within this of the minute. */
export const CRON_LATENESS_MS = 5000;

const MINUTE = 60_000;
const WORKLOAD = "minutely";

type Kind = "on time" | "delivery in flight at a kill" | "missed while stopped";

export interface CronFiring {
  boundary: string;
  kind: Kind;
  /** Deliveries of the firing that reached the router (more than one: delivered again after a kill). */
  deliveries: number;
  /** When the firing first reached the router, after the boundary (ms). */
  routerLatenessMs: number | undefined;
  /** When the run's step started, after the boundary (ms). */
  runLatenessMs: number | undefined;
  events: number;
  runs: number;
}

export interface CronSoakResult {
  firings: CronFiring[];
  /** Firings that are not one of the five planned (a doubled or stray firing). */
  unexpected: string[];
  failures: string[];
}

const sleepUntil = (at: number) => new Promise((r) => setTimeout(r, Math.max(0, at - Date.now())));
const iso = (at: number) => new Date(at).toISOString();

export async function runCronSoak(log: (line: string) => void): Promise<CronSoakResult> {
  const redis = await startRedisServer();
  const dev = await startAwlDev(redis.url);
  let server: ServerType | undefined;
  try {
    const prefix = `cron${randomBytes(3).toString("hex")}:`;
    const runtime = createRuntime({
      redis: engineRedis({ url: dev.env.UPSTASH_REDIS_REST_URL, token: dev.env.UPSTASH_REDIS_REST_TOKEN }),
      qstash: engineQStash({
        baseUrl: dev.env.QSTASH_URL,
        token: dev.env.QSTASH_TOKEN,
        resolvesItself: false,
      }),
      signingKeys: {
        currentSigningKey: dev.env.QSTASH_CURRENT_SIGNING_KEY,
        nextSigningKey: dev.env.QSTASH_NEXT_SIGNING_KEY,
      },
      routerUrl: "http://127.0.0.1:1/router",
      prefix,
      log: () => undefined,
    });

    /** Each execution of the run's step: its firing and when it started. */
    const starts: { scheduledAt: number; runId: string; at: number }[] = [];
    const minutely = asyncWorkload<ScheduledEventData>(
      async ({ data, step, runId }) => {
        const at = Date.now();
        await step.run("record", () => starts.push({ scheduledAt: Date.parse(data.scheduledAt), runId, at }));
      },
      { schedule: "* * * * *", name: WORKLOAD },
    );
    const definition = minutely.awlWorkload.definition;
    const router = createRouterHandler(
      [
        {
          name: WORKLOAD,
          events: definition.events,
          maxRetries: definition.maxRetries,
          schedule: definition.schedule!,
          url: `/workloads/${WORKLOAD}`,
        },
      ],
      runtime,
    );
    /** When each firing reached the router (every delivery, duplicates included). */
    const firings: number[] = [];
    /** Set to a boundary: the router's answer to that boundary's firing waits until awl dev is killed. */
    let killOnFiring: number | undefined;
    let killedOnFiring = false;
    let url = "";
    server = await new Promise<ServerType>((resolve) => {
      const s = serve(
        {
          hostname: "127.0.0.1",
          port: 0,
          fetch: async (request: Request) => {
            const path = new URL(request.url).pathname;
            if (path === "/router") {
              const at = Date.now();
              // A firing's delivery (not the routing of the event it sends, which also comes here).
              const firing = "schedule" in ((await request.clone().json()) as object);
              if (firing) firings.push(at);
              const response = await router(request);
              if (firing && killOnFiring !== undefined && at >= killOnFiring) {
                killOnFiring = undefined;
                await dev.kill();
                killedOnFiring = true;
              }
              return response;
            }
            if (path === `/workloads/${WORKLOAD}`) {
              return handleWorkloadRequest(request, definition, minutely.awlWorkload.handler, runtime);
            }
            return new Response("not found", { status: 404 });
          },
        },
        (info) => {
          url = `http://127.0.0.1:${info.port}`;
          resolve(s);
        },
      );
    });
    runtime.routerUrl = `${url}/router`;
    const qstash = new Client({ baseUrl: dev.env.QSTASH_URL, token: dev.env.QSTASH_TOKEN, retry: false });

    // The schedule, as the extension's build creates it; its first firing is the next minute.
    const created = Date.now();
    await syncSchedules({
      qstash,
      routerUrl: runtime.routerUrl,
      prefix,
      workloads: [{ name: WORKLOAD, schedule: definition.schedule }],
    });
    const b1 = Math.ceil((created + 1) / MINUTE) * MINUTE;
    const boundaries = [0, 1, 2, 3, 4].map((i) => b1 + i * MINUTE);
    const [, , b3, b4, b5] = boundaries as [number, number, number, number, number];
    const kinds = new Map<number, Kind>(
      boundaries.map((b) => [
        b,
        b === b3 ? "delivery in flight at a kill" : b === b4 ? "missed while stopped" : "on time",
      ]),
    );
    log(`cron: schedule created at ${iso(created)}; firings expected at ${boundaries.map(iso).join(", ")}`);

    const ranFor = (boundary: number) => () =>
      Promise.resolve(starts.some((s) => s.scheduledAt === boundary));
    const waitRun = (boundary: number, timeoutMs: number) =>
      waitFor(ranFor(boundary), {
        timeoutMs,
        intervalMs: 50,
        what: `the run of the ${iso(boundary)} firing`,
      });

    // B1, B2: on time.
    await sleepUntil(boundaries[1]!);
    await waitRun(boundaries[1]!, MINUTE);
    log(`cron: ${iso(b1)} and ${iso(boundaries[1]!)} fired`);
    // B3: awl dev dies while the router answers the firing; back 2 s later.
    killOnFiring = b3;
    await waitFor(() => Promise.resolve(killedOnFiring), {
      timeoutMs: b3 - Date.now() + MINUTE,
      intervalMs: 20,
      what: `the ${iso(b3)} firing to reach the router`,
    });
    log(`cron: awl dev SIGKILLed while the router answered the ${iso(b3)} firing; restarting in 2 s`);
    await new Promise((r) => setTimeout(r, 2000));
    await dev.start();
    await waitRun(b3, 30_000);
    // B4: down from 3 s before the boundary to 5 s after it.
    await sleepUntil(b4 - 3000);
    await dev.kill();
    log(`cron: awl dev SIGKILLed at ${iso(Date.now())}, down across ${iso(b4)}`);
    await sleepUntil(b4 + 5000);
    await dev.start();
    log(`cron: awl dev started again at ${iso(Date.now())}`);
    await waitRun(b4, 30_000);
    // B5: on time after the restarts; then wait until awl dev has nothing left to deliver.
    await sleepUntil(b5);
    await waitRun(b5, MINUTE);
    const stats = async () =>
      (await (
        await fetch(`${dev.env.QSTASH_URL}/v2/awl/stats`, {
          headers: { authorization: `Bearer ${dev.env.QSTASH_TOKEN}` },
        })
      ).json()) as { pending: number; inFlight: number };
    await waitFor(
      async () => {
        const s = await stats();
        return s.pending === 0 && s.inFlight === 0;
      },
      { timeoutMs: 30_000, what: "awl dev's QStash to be idle" },
    );

    const events = await runtime.store.listEvents({ name: `schedule:${WORKLOAD}`, limit: 100 });
    const eventsAt = events.events.map((event) =>
      Date.parse((event.data as { scheduledAt: string }).scheduledAt),
    );
    const report: CronFiring[] = boundaries.map((boundary) => {
      const ran = starts.filter((s) => s.scheduledAt === boundary);
      const delivered = firings.filter((at) => at >= boundary - 2000 && at < boundary + MINUTE - 2000);
      return {
        boundary: iso(boundary),
        kind: kinds.get(boundary)!,
        deliveries: delivered.length,
        routerLatenessMs: delivered[0] !== undefined ? delivered[0] - boundary : undefined,
        runLatenessMs: ran[0] !== undefined ? ran[0].at - boundary : undefined,
        events: eventsAt.filter((at) => at === boundary).length,
        runs: new Set(ran.map((s) => s.runId)).size,
      };
    });
    const unexpected = [...new Set([...eventsAt, ...starts.map((s) => s.scheduledAt)])]
      .filter((at) => !kinds.has(at))
      .map(iso);
    const failures: string[] = [];
    for (const firing of report) {
      if (firing.events !== 1 || firing.runs !== 1) {
        failures.push(
          `${firing.boundary} (${firing.kind}): ${firing.events} event(s), ${firing.runs} run(s), not 1`,
        );
      }
      if (
        firing.kind === "on time" &&
        !(firing.runLatenessMs !== undefined && firing.runLatenessMs <= CRON_LATENESS_MS)
      ) {
        failures.push(
          `${firing.boundary}: the run started ${firing.runLatenessMs} ms after the minute, more than ${CRON_LATENESS_MS} ms`,
        );
      }
      if (
        firing.kind === "delivery in flight at a kill" &&
        !(firing.routerLatenessMs !== undefined && firing.routerLatenessMs <= CRON_LATENESS_MS)
      ) {
        failures.push(
          `${firing.boundary}: the firing reached the router ${firing.routerLatenessMs} ms after the minute, more than ${CRON_LATENESS_MS} ms`,
        );
      }
    }
    if (unexpected.length) failures.push(`firings not planned: ${unexpected.join(", ")}`);
    return { firings: report, unexpected, failures };
  } finally {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    await dev.close();
    await redis.close();
  }
}
