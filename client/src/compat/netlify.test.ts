import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, test, vi } from "vitest";
import { retryDelayMs } from "../engine/backoff.ts";
import {
  ErrorDoNotRetry as EngineErrorDoNotRetry,
  RetryAfterError,
  isNonRetryable,
} from "../engine/errors.ts";
import type { WorkloadContext } from "../engine/execute.ts";
import type { StepApi } from "../engine/step.ts";
import { InvalidInputError } from "../engine/validation-error.ts";
import type { FilterableEvent } from "../engine/workload-spec.ts";
import { asyncWorkload } from "../workload/async-workload.ts";
import {
  AsyncWorkloadsClient,
  ErrorDoNotRetry,
  ErrorRetryAfterDelay,
  asyncWorkloadFn,
  netlifyDefaultBackoff,
  workloadFromModule,
  type AsyncWorkloadConfig,
  type AsyncWorkloadEvent,
} from "./netlify.ts";

const fakeStep = (): StepApi => ({
  run: vi.fn(async (_id: string, fn: () => unknown) => fn()) as StepApi["run"],
  sleep: vi.fn(async () => undefined),
  sleepUntil: vi.fn(async () => undefined),
  sendEvent: vi.fn(async () => ({ eventId: "evt_x", status: "accepted" as const })),
  waitForEvent: vi.fn(async () => null),
});

const context = (overrides: Partial<WorkloadContext> = {}): WorkloadContext => ({
  name: "signup",
  data: { plan: "pro" },
  eventId: "evt_1",
  runId: "evt_1.signup",
  attempt: 1,
  priority: 3,
  createdAt: 1_000,
  step: fakeStep(),
  sendEvent: vi.fn(async () => ({ eventId: "evt_2", status: "accepted" as const })),
  ...overrides,
});

const definitionOf = (config: AsyncWorkloadConfig) =>
  workloadFromModule({ default: asyncWorkloadFn(() => undefined), asyncWorkloadConfig: config }).awlWorkload
    .definition;

const filterable = (data: unknown): FilterableEvent => ({ eventId: "e", name: "signup", data, priority: 0 });

/** The delay the engine waits before retrying after 1-based `attempt` failed with `error`. */
const engineDelay = (config: AsyncWorkloadConfig, attempt: number, error: unknown = new Error("x")) =>
  retryDelayMs(error, attempt, definitionOf(config).backoffSchedule, Date.now(), () => 0.5).delayMs;

describe("errors", () => {
  test("ErrorRetryAfterDelay: retryDelay in ms from now, forceDelayTime, error as cause; the engine honours it", () => {
    const cause = new Error("429 from the provider");
    const error = new ErrorRetryAfterDelay({
      message: "rate limited",
      retryDelay: "2m",
      forceDelayTime: true,
      error: cause,
    });
    expect(error).toBeInstanceOf(RetryAfterError);
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({
      message: "rate limited",
      name: "ErrorRetryAfterDelay",
      retryDelay: 120_000,
      forceDelayTime: true,
      cause,
    });
    expect(retryDelayMs(error, 1, undefined, Date.now()).delayMs).toBe(120_000);
    const plain = new ErrorRetryAfterDelay({ message: "x", retryDelay: 5_000 });
    expect(plain).toMatchObject({ retryDelay: 5_000, forceDelayTime: false });
    expect(() => new ErrorRetryAfterDelay({ message: "x", retryDelay: "soon" })).toThrow(/retryDelay/);
  });

  test("ErrorRetryAfterDelay: a number later than a day ago is a time (epoch ms), as on Netlify", () => {
    const now = Date.now();
    const error = new ErrorRetryAfterDelay({ message: "x", retryDelay: now + 60_000, forceDelayTime: true });
    expect(error.retryDelay).toBeGreaterThan(55_000);
    expect(error.retryDelay).toBeLessThanOrEqual(60_000);
    const delay = retryDelayMs(error, 1, undefined, Date.now()).delayMs;
    expect(delay).toBeGreaterThan(55_000);
    expect(delay).toBeLessThanOrEqual(60_000);
  });

  test("ErrorRetryAfterDelay: a time already past leaves the retry to the schedule, even forced", () => {
    const error = new ErrorRetryAfterDelay({
      message: "x",
      retryDelay: Date.now() - 60_000,
      forceDelayTime: true,
    });
    expect(error.retryDelay).toBeLessThan(0);
    expect(engineDelay({ events: ["e"], backoffSchedule: () => 7_000 }, 1, error)).toBe(7_000);
    const notANumber = new ErrorRetryAfterDelay({
      message: "x",
      retryDelay: Number.NaN,
      forceDelayTime: true,
    });
    expect(engineDelay({ events: ["e"], backoffSchedule: () => 7_000 }, 1, notANumber)).toBe(7_000);
  });

  test("ErrorDoNotRetry: constructible without arguments, and the engine's class (dead-letters at once)", () => {
    const bare = new ErrorDoNotRetry();
    expect(bare).toBeInstanceOf(EngineErrorDoNotRetry);
    expect(bare).toBeInstanceOf(ErrorDoNotRetry);
    expect(bare.message).toBe("");
    expect(isNonRetryable(bare)).toBe(true);
    const cause = new Error("404");
    expect(new ErrorDoNotRetry("stop", { cause })).toMatchObject({
      name: "ErrorDoNotRetry",
      message: "stop",
      cause,
    });
    class Permanent extends ErrorDoNotRetry {}
    expect(isNonRetryable(new Permanent("p"))).toBe(true);
  });
});

describe("asyncWorkloadFn with asyncWorkloadConfig", () => {
  test("the handler receives Netlify's event shape, attempt counting from 0, and a request", async () => {
    const received: AsyncWorkloadEvent[] = [];
    const workload = workloadFromModule({
      default: asyncWorkloadFn((event) => void received.push(event)),
      asyncWorkloadConfig: { events: ["Signup"], maxRetries: 2, name: "signup-flow" },
    });
    expect(workload.awlWorkload.definition).toMatchObject({
      events: ["signup"],
      maxRetries: 2,
      name: "signup-flow",
    });

    const ctx = context({ attempt: 2 });
    await workload.awlWorkload.handler(ctx);
    expect(received[0]).toMatchObject({
      eventName: "signup",
      eventData: { plan: "pro" },
      eventId: "evt_1",
      attempt: 1,
      priority: 3,
      runId: "evt_1.signup",
    });
    expect(received[0]?.request).toBeInstanceOf(Request);
    await expect(received[0]?.sendEvent("welcome", { data: { a: 1 }, priority: 4 })).resolves.toEqual({
      sendStatus: "succeeded",
      eventId: "evt_2",
    });
    expect(ctx.sendEvent).toHaveBeenCalledWith("welcome", { a: 1 }, { priority: 4 });
  });

  test("event.sendEvent resolves to sendStatus failed when the send fails, and throws for input no send accepts", async () => {
    let event: AsyncWorkloadEvent | undefined;
    const workload = workloadFromModule({
      default: asyncWorkloadFn((e) => void (event = e)),
      asyncWorkloadConfig: { events: ["signup"] },
    });
    const sendEvent = vi.fn(async () => {
      throw new Error("redis is down");
    });
    await workload.awlWorkload.handler(context({ sendEvent }));
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    await expect(event?.sendEvent("welcome")).resolves.toEqual({
      sendStatus: "failed",
      eventId: expect.any(String),
    });
    error.mockRestore();
    sendEvent.mockImplementation(async () => {
      throw new InvalidInputError([{ path: ["priority"], message: "must be from -50 to 50" }]);
    });
    await expect(event?.sendEvent("welcome", { priority: 99 })).rejects.toBeInstanceOf(InvalidInputError);
  });

  test("step.run is the engine's; step.sleep reads a number later than a day ago as a time, as Netlify does", async () => {
    let event: AsyncWorkloadEvent | undefined;
    const workload = workloadFromModule({
      default: asyncWorkloadFn((e) => void (event = e)),
      asyncWorkloadConfig: { events: ["signup"] },
    });
    const step = fakeStep();
    await workload.awlWorkload.handler(context({ step }));
    await expect(event?.step.run("a", () => 42)).resolves.toBe(42);
    expect(step.run).toHaveBeenCalledWith("a", expect.any(Function));

    const wakeAt = Date.now() + 3_600_000;
    await event?.step.sleep("until", wakeAt);
    expect(step.sleepUntil).toHaveBeenCalledWith("awl:sleep:until", new Date(wakeAt));
    expect(step.sleep).not.toHaveBeenCalled();
    await event?.step.sleep("for", 5_000);
    await event?.step.sleep("text", "7 days");
    await event?.step.sleep("past", -10);
    // Sleeps keep their own ids, as on Netlify (awl:sleep:<reasonId>).
    expect(step.sleep).toHaveBeenNthCalledWith(1, "awl:sleep:for", 5_000);
    expect(step.sleep).toHaveBeenNthCalledWith(2, "awl:sleep:text", "7 days");
    expect(step.sleep).toHaveBeenNthCalledWith(3, "awl:sleep:past", 0);
  });

  test("eventFilter sees Netlify's field names and a request; a filter that throws lets the workload run", () => {
    const seen: unknown[] = [];
    const { eventFilter } = definitionOf({
      events: ["signup"],
      eventFilter: (event) => {
        seen.push(event.request);
        if (event.eventData.plan === "broken") throw new Error("bug in the filter");
        return event.eventData.plan === "pro";
      },
    });
    expect(eventFilter?.(filterable({ plan: "pro" }))).toBe(true);
    expect(eventFilter?.(filterable({ plan: "free" }))).toBe(false);
    expect(seen[0]).toBeInstanceOf(Request);
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(eventFilter?.(filterable({ plan: "broken" }))).toBe(true);
    expect(error).toHaveBeenCalled();
    error.mockRestore();
  });

  test("maxRetries and name as Netlify takes them: negative ignored, fractions up, over 100 capped; any name", () => {
    const warn = vi.spyOn(console, "warn").mockImplementation(() => undefined);
    expect(definitionOf({ events: ["e"], maxRetries: -1 }).maxRetries).toBe(4);
    expect(definitionOf({ events: ["e"], maxRetries: Number.NaN }).maxRetries).toBe(4);
    expect(definitionOf({ events: ["e"], maxRetries: 2.5 }).maxRetries).toBe(3);
    expect(definitionOf({ events: ["e"], maxRetries: 0 }).maxRetries).toBe(0);
    expect(definitionOf({ events: ["e"], maxRetries: 500 }).maxRetries).toBe(100);
    expect(warn).toHaveBeenCalledOnce();
    warn.mockRestore();
    expect(definitionOf({ events: ["e"], name: "Send welcome email!" }).name).toBe("Send-welcome-email");
    expect(definitionOf({ events: ["e"], name: "  " }).name).toBeUndefined();
    expect(definitionOf({ events: ["e"], name: "welcome_v2" }).name).toBe("welcome_v2");
  });

  test("this engine's flow control, schedule, cancelOn and stepTimeout pass through a Netlify-style config", () => {
    const tenant = (event: FilterableEvent) => (event.data as { tenant: string }).tenant;
    const definition = definitionOf({
      events: ["signup"],
      concurrency: [{ limit: 5 }, { limit: 1, key: "data.userId" }],
      throttle: { limit: 10, period: "1s", key: tenant },
      debounce: { period: "5s", key: "data.userId", maxWait: "1m" },
      rateLimit: { limit: 1, period: "24h", key: "data.userId" },
      schedule: { cron: "0 9 * * 1", timezone: "Europe/Paris" },
      cancelOn: [{ event: "Signup.Cancelled", match: "data.userId" }],
      stepTimeout: "30s",
    });
    expect(definition.concurrency).toEqual([{ limit: 5 }, { limit: 1, key: "data.userId" }]);
    expect(definition.throttle).toEqual({ limit: 10, periodMs: 1_000, key: tenant });
    expect(definition.debounce).toEqual({ periodMs: 5_000, maxWaitMs: 60_000, key: "data.userId" });
    expect(definition.rateLimit).toEqual({ limit: 1, periodMs: 86_400_000, key: "data.userId" });
    expect(definition.schedule).toMatchObject({ fields: "0 9 * * 1", timezone: "Europe/Paris" });
    expect(definition.cancelOn).toEqual([{ event: "signup.cancelled", match: "data.userId" }]);
    expect(definition.stepTimeoutMs).toBe(30_000);
    // Checked as asyncWorkload checks them: a bad value fails at import, naming the field.
    expect(() => definitionOf({ events: ["signup"], rateLimit: { limit: 0, period: "1m" } })).toThrow(
      /config\.rateLimit\.limit/,
    );
  });

  test('status "disabled": the workload runs for no event', () => {
    const { eventFilter } = definitionOf({ events: ["signup"], status: "disabled" });
    expect(eventFilter?.(filterable({}))).toBe(false);
  });

  test("backoffSchedule receives the failed attempt counting from 1: attempt => attempt * 1000 waits 1 s, 2 s, ...", () => {
    const backoffSchedule = vi.fn((attempt: number) => attempt * 1000);
    const config = { events: ["signup"], backoffSchedule };
    expect([1, 2, 3].map((attempt) => engineDelay(config, attempt))).toEqual([1000, 2000, 3000]);
    expect(backoffSchedule).toHaveBeenNthCalledWith(1, 1);
  });

  test("without backoffSchedule, Netlify's default: 5 s, 5 s, 20 s, 40 s, 60 s", () => {
    expect([1, 2, 3, 4, 5].map((attempt) => engineDelay({ events: ["signup"] }, attempt))).toEqual([
      5_000, 5_000, 20_000, 40_000, 60_000,
    ]);
    expect(netlifyDefaultBackoff(100_000)).toBe(7 * 24 * 3_600_000);
  });

  test("backoffSchedule results read as Netlify reads them: strings, epoch ms; a throw or no duration falls back to the default", () => {
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    expect(engineDelay({ events: ["e"], backoffSchedule: () => "2m" }, 1)).toBe(120_000);
    const epoch = engineDelay({ events: ["e"], backoffSchedule: () => Date.now() + 30_000 }, 1);
    expect(epoch).toBeGreaterThan(25_000);
    expect(epoch).toBeLessThanOrEqual(30_000);
    const throws = () => {
      throw new Error("bug");
    };
    expect(engineDelay({ events: ["e"], backoffSchedule: throws }, 3)).toBe(20_000);
    expect(engineDelay({ events: ["e"], backoffSchedule: () => -1 }, 4)).toBe(40_000);
    expect(engineDelay({ events: ["e"], backoffSchedule: () => "whenever" }, 1)).toBe(5_000);
    error.mockRestore();
  });

  test("served without its config, the function answers 500 saying what is missing", async () => {
    const response = await asyncWorkloadFn(() => undefined)(
      new Request("http://site/.netlify/functions/w", { method: "POST" }),
    );
    expect(response.status).toBe(500);
    expect(await response.text()).toMatch(/asyncWorkloadConfig/);
  });

  test("a module without asyncWorkloadConfig is an error naming the export", () => {
    expect(() => workloadFromModule({ default: asyncWorkloadFn(() => undefined) })).toThrow(
      /asyncWorkloadConfig/,
    );
  });

  test("a module whose default export is an asyncWorkload is returned as is; anything else is not a workload", () => {
    const native = asyncWorkload(() => undefined, "x");
    expect(workloadFromModule({ default: native })).toBe(native);
    expect(workloadFromModule({ default: () => new Response("hi") })).toBeUndefined();
  });
});

describe("AsyncWorkloadsClient", () => {
  const received: { path: string; body: { events: { name: string; delayUntil?: number }[] } }[] = [];
  let origin = "";
  const server = createServer(async (req: IncomingMessage, res) => {
    let body = "";
    for await (const chunk of req) body += String(chunk);
    received.push({ path: req.url ?? "", body: JSON.parse(body) as (typeof received)[number]["body"] });
    res.writeHead(202, { "content-type": "application/json" });
    res.end(JSON.stringify({ events: [{ eventId: "evt_remote", status: "accepted" }] }));
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  test("a full-URL baseUrl sends to the site's origin", async () => {
    const client = new AsyncWorkloadsClient({
      baseUrl: `${origin}/some/page?from=netlify`,
      apiKey: "k".repeat(40),
    });
    expect(client.baseUrl).toBe(origin);
    await expect(client.send("checkout", { data: { cartId: "c1" } })).resolves.toEqual({
      sendStatus: "succeeded",
      eventId: "evt_remote",
    });
    expect(received.at(-1)?.path).toBe("/awl/api/events");
  });

  test("delayUntil: a number later than a day ago is a time, a smaller one a duration from now", async () => {
    const client = new AsyncWorkloadsClient({ baseUrl: origin, apiKey: "k".repeat(40) });
    const at = Date.now() + 120_000;
    await client.send("later", { delayUntil: at });
    expect(received.at(-1)?.body.events[0]?.delayUntil).toBe(at);
    const before = Date.now();
    await client.send("later", { delayUntil: 60_000 });
    const sent = received.at(-1)?.body.events[0]?.delayUntil ?? 0;
    expect(sent).toBeGreaterThanOrEqual(before + 60_000);
    expect(sent).toBeLessThanOrEqual(Date.now() + 60_000);
    await client.send("now", { delayUntil: 0 });
    expect(received.at(-1)?.body.events[0]?.delayUntil).toBeUndefined();
  });

  test("an unreachable site resolves to sendStatus failed instead of throwing; bad input still throws", async () => {
    const client = new AsyncWorkloadsClient({ baseUrl: "http://127.0.0.1:1", apiKey: "k".repeat(40) });
    const error = vi.spyOn(console, "error").mockImplementation(() => undefined);
    const result = await client.send("checkout", { data: { cartId: "c1" } });
    expect(result).toEqual({ sendStatus: "failed", eventId: expect.stringMatching(/\S/) });
    expect(error).toHaveBeenCalled();
    error.mockRestore();
    await expect(client.send("checkout", { priority: 500 })).rejects.toBeInstanceOf(InvalidInputError);
  });
});
