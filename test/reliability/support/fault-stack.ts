/**
 * One whole local stack for a fault test, every piece its own process or server: a private
 * redis-server (optionally behind a cuttable TCP proxy), the real `awl dev` binary on it, and the
 * site (host-main.ts) in a child process, optionally behind the delivery proxy. The test process
 * keeps an engine runtime on the same services (to send events and run the reconciler), the
 * ledger of step executions and the census. `close()` stops everything, whatever state it is in.
 */
import { randomBytes } from "node:crypto";
import { Client } from "@upstash/qstash";
import { Redis } from "@upstash/redis";
import { startRedisServer, type RedisServer } from "@awl/dev/redis-server";
import { createRuntime, type Runtime } from "../../../client/src/engine/runtime.ts";
import { sendEvents, type SendInput } from "../../../client/src/engine/send.ts";
import { awlDevEnv, startAwlDev, type AwlDev } from "./awl-dev.ts";
import { takeCensus, waitForSettled, type Census } from "./census.ts";
import { startDeliveryProxy, type DeliveryProxy, type DeliveryProxyOptions } from "./delivery-proxy.ts";
import { startHost, type HostProcess } from "./host.ts";
import { Ledger, type LedgerSummary } from "./ledger.ts";
import { freePort } from "./ports.ts";
import { startReconcilerLoop, type ReconcilerLoop } from "./reconciler-loop.ts";
import { startTcpProxy, type TcpProxy } from "./tcp-proxy.ts";
import { waitFor } from "../../helpers/wait.ts";

/** The reconciler's grace period in these tests (60 s in production). */
export const TEST_OUTBOX_GRACE_MS = 3000;
export const API_KEY = `rel-key-${randomBytes(12).toString("hex")}`;

export interface FaultStackOptions {
  /** Put a cuttable TCP proxy between awl dev and Redis. */
  redisProxy?: boolean;
  /** Put a cuttable TCP proxy in front of awl dev's Redis REST API (what the site and the test use). */
  restProxy?: boolean;
  /** Put the delivery proxy between QStash and the host. */
  deliveryProxy?: Omit<DeliveryProxyOptions, "targetPort">;
  /** Extra environment for the host. */
  hostEnv?: Record<string, string>;
  /**
   * Before the test sends, the site's router publishes its routing table (it routes one event no
   * workload subscribes to), so the test's events are routed at send (one script persists and
   * routes them, their runs are published directly), as a site's are once its router has run; for
   * the table's TTL (60 s by default), then one event goes through the router again.
   */
  routeAtSend?: boolean;
}

export interface FaultStack {
  redis: RedisServer;
  redisProxy?: TcpProxy;
  restProxy?: TcpProxy;
  dev: AwlDev;
  host: HostProcess;
  deliveryProxy?: DeliveryProxy;
  prefix: string;
  /** The engine on the same services, in the test process; its log lines land in `logs`. */
  runtime: Runtime;
  logs: string[];
  /** The environment the host runs with (secrets included, for log checks). */
  hostEnv: Record<string, string>;
  send(inputs: SendInput[]): Promise<string[]>;
  reconciler(): ReconcilerLoop;
  census(eventIds: readonly string[]): Promise<Census>;
  settle(eventIds: readonly string[], timeoutMs?: number): Promise<Census>;
  ledger(): Promise<LedgerSummary>;
  close(): Promise<void>;
}

export async function startFaultStack(options: FaultStackOptions = {}): Promise<FaultStack> {
  const cleanups: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
    cleanups.length = 0;
  };
  try {
    // DEBUG DIGEST: does a request change any state?
    const redis = await startRedisServer({ debugCommand: true });
    cleanups.push(() => redis.close());
    let redisProxy: TcpProxy | undefined;
    if (options.redisProxy) {
      redisProxy = await startTcpProxy(redis.port);
      cleanups.push(() => redisProxy!.close());
    }
    // The ports are chosen first, so awl dev and the site (which only needs their URLs) start together.
    const qstashPort = await freePort();
    const restPort = await freePort();
    const devEnv = awlDevEnv(qstashPort, restPort);
    let restProxy: TcpProxy | undefined;
    if (options.restProxy) {
      restProxy = await startTcpProxy(restPort, "http");
      cleanups.push(() => restProxy!.close());
    }
    const restUrl = restProxy?.url ?? devEnv.UPSTASH_REDIS_REST_URL;

    const prefix = `rel${randomBytes(3).toString("hex")}:`;
    const hostPort = await freePort();
    let deliveryProxy: DeliveryProxy | undefined;
    if (options.deliveryProxy) {
      deliveryProxy = await startDeliveryProxy({ ...options.deliveryProxy, targetPort: hostPort });
      cleanups.push(() => deliveryProxy!.close());
    }
    const siteUrl = deliveryProxy?.url ?? `http://127.0.0.1:${hostPort}`;
    const hostEnv: Record<string, string> = {
      ...devEnv,
      UPSTASH_REDIS_REST_URL: restUrl,
      AWL_PREFIX: prefix,
      AWL_ROUTER_URL: `${siteUrl}/router`,
      AWL_API_KEY: API_KEY,
      AWL_LEASE_MARGIN: "700",
      AWL_TEST_OUTBOX_GRACE_MS: String(TEST_OUTBOX_GRACE_MS),
      LEDGER_REDIS_URL: redis.url,
      PLATFORM_TIMEOUT_MS: "2000",
      ...options.hostEnv,
    };
    const [devStarted, hostStarted] = await Promise.allSettled([
      startAwlDev(redisProxy?.url ?? redis.url, { qstashPort, restPort }),
      startHost(hostEnv, hostPort),
    ]);
    if (devStarted.status === "fulfilled") cleanups.push(() => devStarted.value.close());
    if (hostStarted.status === "fulfilled") cleanups.push(() => hostStarted.value.close());
    if (devStarted.status === "rejected") throw devStarted.reason;
    if (hostStarted.status === "rejected") throw hostStarted.reason;
    const dev = devStarted.value;
    const host = hostStarted.value;

    const logs: string[] = [];
    const runtime = createRuntime({
      redis: new Redis({
        url: restUrl,
        token: dev.env.UPSTASH_REDIS_REST_TOKEN,
        automaticDeserialization: false,
        enableTelemetry: false,
      }),
      qstash: new Client({ baseUrl: dev.env.QSTASH_URL, token: dev.env.QSTASH_TOKEN }),
      signingKeys: {
        currentSigningKey: dev.env.QSTASH_CURRENT_SIGNING_KEY,
        nextSigningKey: dev.env.QSTASH_NEXT_SIGNING_KEY,
      },
      routerUrl: hostEnv.AWL_ROUTER_URL!,
      prefix,
      settings: { outboxGraceMs: TEST_OUTBOX_GRACE_MS, leaseMarginMs: 700 },
      log: (line) => logs.push(line),
    });
    if (options.routeAtSend) {
      const [warm] = await sendEvents(runtime, [{ name: "routing-table-warm-up" }]);
      await waitFor(async () => (await runtime.store.getEvent(warm!.eventId))?.state === "unmatched", {
        what: "the router's first routing (which publishes its routing table)",
      });
    }
    const loops: ReconcilerLoop[] = [];
    cleanups.push(async () => {
      for (const loop of loops) await loop.stop();
    });
    const readLedger = new Ledger(redis.client, prefix);
    const census = (eventIds: readonly string[]) => takeCensus(redis.client, prefix, eventIds);

    return {
      redis,
      redisProxy,
      restProxy,
      dev,
      host,
      deliveryProxy,
      prefix,
      runtime,
      logs,
      hostEnv,
      async send(inputs) {
        // Batches of 100 (the most one send takes), up to 5 at once, so all are in flight together.
        const batches: SendInput[][] = [];
        for (let i = 0; i < inputs.length; i += 100) batches.push(inputs.slice(i, i + 100));
        const ids: string[] = [];
        for (let i = 0; i < batches.length; i += 5) {
          const results = await Promise.all(
            batches.slice(i, i + 5).map((batch) => sendEvents(runtime, batch)),
          );
          ids.push(
            ...results
              .flat()
              .filter((r) => r.status === "accepted")
              .map((r) => r.eventId),
          );
        }
        return ids;
      },
      reconciler() {
        const loop = startReconcilerLoop(runtime);
        loops.push(loop);
        return loop;
      },
      census,
      settle: (eventIds, timeoutMs = 90_000) => waitForSettled(() => census(eventIds), { timeoutMs }),
      ledger: () => readLedger.summary(),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
