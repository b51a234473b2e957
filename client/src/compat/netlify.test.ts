import { describe, expect, test, vi } from "vitest";
import type { WorkloadContext } from "../engine/execute.ts";
import { asyncWorkload } from "../workload/async-workload.ts";
import { RetryAfterError } from "../engine/errors.ts";
import type { StepApi } from "../engine/step.ts";
import {
  ErrorDoNotRetry,
  ErrorRetryAfterDelay,
  asyncWorkloadFn,
  workloadFromModule,
  type AsyncWorkloadEvent,
} from "./netlify.ts";

const context = (overrides: Partial<WorkloadContext> = {}): WorkloadContext => ({
  name: "signup",
  data: { plan: "pro" },
  eventId: "evt_1",
  runId: "evt_1.signup",
  attempt: 1,
  priority: 3,
  createdAt: 1_000,
  step: {} as StepApi,
  sendEvent: vi.fn(async () => ({ eventId: "evt_2", status: "accepted" as const })),
  ...overrides,
});

describe("errors", () => {
  test("ErrorRetryAfterDelay is a RetryAfterError: the engine honours its delay, forced or not", () => {
    const error = new ErrorRetryAfterDelay({
      message: "rate limited",
      retryDelay: "2m",
      forceDelayTime: true,
    });
    expect(error).toBeInstanceOf(RetryAfterError);
    expect(error).toMatchObject({
      message: "rate limited",
      retryAt: "2m",
      force: true,
      name: "ErrorRetryAfterDelay",
    });
    expect(new ErrorRetryAfterDelay({ message: "x", retryDelay: 5_000 }).force).toBe(false);
    expect(() => new ErrorRetryAfterDelay({ message: "x", retryDelay: "soon" })).toThrow(/retryAfter/);
  });

  test("ErrorDoNotRetry is the engine's", () => {
    expect(new ErrorDoNotRetry("stop").name).toBe("ErrorDoNotRetry");
  });
});

describe("asyncWorkloadFn with asyncWorkloadConfig", () => {
  test("the handler receives Netlify's event shape, attempt counting from 0", async () => {
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
      step: ctx.step,
    });
    await expect(received[0]?.sendEvent("welcome", { data: { a: 1 }, priority: 4 })).resolves.toEqual({
      sendStatus: "succeeded",
      eventId: "evt_2",
    });
    expect(ctx.sendEvent).toHaveBeenCalledWith("welcome", { a: 1 }, { priority: 4 });
  });

  test("eventFilter sees Netlify's field names; backoffSchedule gets the 0-based attempt that failed", () => {
    const backoff = vi.fn((attempt: number) => (attempt + 1) * 1000);
    const { definition } = workloadFromModule({
      default: asyncWorkloadFn(() => undefined),
      asyncWorkloadConfig: {
        events: ["signup"],
        eventFilter: (event: { eventName: string; eventData: { plan: string } }) =>
          event.eventData.plan === "pro",
        backoffSchedule: backoff,
      },
    }).awlWorkload;
    const filterable = { eventId: "e", name: "signup", priority: 0 };
    expect(definition.eventFilter?.({ ...filterable, data: { plan: "pro" } })).toBe(true);
    expect(definition.eventFilter?.({ ...filterable, data: { plan: "free" } })).toBe(false);
    expect(definition.backoffSchedule?.(1)).toBe(1000);
    expect(backoff).toHaveBeenCalledWith(0);
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
