/**
 * Restate: one service per workload with one handler, served by Restate's Node SDK over HTTP/2
 * (the SDK's default: bidirectional streaming) and driven by a private restate-server
 * (bench/lib/restate-server.ts, fsync on as shipped). A step is `ctx.run` (its result is
 * journaled before the handler goes on), a sleep is `ctx.sleep` (a durable timer in the server).
 * Restate has no events: sending one calls every subscribed service through the ingress, a
 * request-response call whose answer comes once the run has finished and its result is stored,
 * which is when the run counts as done. The SDK's logging is off, as the other systems' is.
 */
import "../lib/node22.ts";
import http2 from "node:http2";
import type { AddressInfo } from "node:net";
import * as restate from "@restatedev/restate-sdk";
import { stepResult, eventData, type System } from "./types.ts";

/** The header that carries the benchmark's key of a run to its handler. */
const RUN_KEY = "x-bench-run";

let deployments = 0;

export const restateSystem: System = {
  id: "restate",
  label: "Restate",
  async deploy(specs, env) {
    const { tracker } = env;
    const server = env.restate;
    if (!server)
      throw new Error("the Restate system needs the lab's Restate server (Lab.start({ restate: true }))");
    const deployment = (deployments += 1);
    const serviceName = (name: string) => `${name}_d${deployment}`;
    const services = specs.map((spec) =>
      restate.service({
        name: serviceName(spec.name),
        handlers: {
          run: async (ctx: restate.Context, _data: ReturnType<typeof eventData>) => {
            const key = ctx.request().headers.get(RUN_KEY) ?? "";
            if (spec.sleepMs) {
              await ctx.run("before", () => stepResult(-1));
              tracker.sleepStarted(key);
              await ctx.sleep(spec.sleepMs, "nap");
              tracker.woke(key);
            }
            for (let i = 0; i < spec.steps; i++) await ctx.run(`step-${i}`, () => stepResult(i));
            return "done";
          },
        },
      }),
    );
    const endpoint = http2.createServer(restate.createEndpointHandler({ services, logger: () => undefined }));
    // The server keeps its HTTP/2 sessions open: closing the endpoint ends them.
    const sessions = new Set<http2.ServerHttp2Session>();
    endpoint.on("session", (session: http2.ServerHttp2Session) => {
      sessions.add(session);
      session.once("close", () => sessions.delete(session));
    });
    await new Promise<void>((resolve) => endpoint.listen(0, "127.0.0.1", resolve));
    const port = (endpoint.address() as AddressInfo).port;
    env.wire.label("on", port, "deliveries");
    env.wire.label("to", server.ingressPort, "ingress");
    const deploymentId = await server.register(`http://127.0.0.1:${port}`);

    const call = async (service: string, key: string, body: string) => {
      try {
        const response = await fetch(`${server.ingressUrl}/${service}/run`, {
          method: "POST",
          headers: { "content-type": "application/json", [RUN_KEY]: key },
          body,
        });
        const text = await response.text();
        if (!response.ok) throw new Error(`Restate answered ${response.status}: ${text}`);
        tracker.done(key);
      } catch (error) {
        tracker.fail(key, error instanceof Error ? error : new Error(String(error)));
      }
    };
    return {
      async send(event, seq) {
        const targets = specs.filter((spec) => spec.event === event);
        const body = JSON.stringify(eventData(seq));
        const keys = targets.map((spec) => `restate-${deployment}-${seq}-${spec.name}`);
        // The calls answer when the runs are done; the tracker hears of it.
        targets.forEach((spec, index) => void call(serviceName(spec.name), keys[index]!, body));
        return keys;
      },
      qstashPublished: async () => 0,
      async close() {
        await server.unregister(deploymentId);
        const closed = new Promise<void>((resolve) => endpoint.close(() => resolve()));
        for (const session of sessions) session.destroy();
        await closed;
      },
    };
  },
};
