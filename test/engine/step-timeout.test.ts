/**
 * Step timeouts over the real stack: a step past its timeout (its own, or the workload's
 * stepTimeout) fails that attempt with a StepTimeoutError at once, not when the lease expires; the
 * attempt is retried like any failure; its signal aborts; a timeout that is not one dead-letters.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { sendEvents } from "../../client/src/engine/send.ts";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { eventInState, startHost, startStack, type Host, type Stack } from "../helpers/stack.ts";

const fast = { backoffSchedule: () => 20 };
const aborted: string[] = [];
/** Never settles unless its signal aborts: only a timeout can end such a step. */
const hang = (signal: AbortSignal, label: string) =>
  new Promise<never>((_, reject) =>
    signal.addEventListener("abort", () => {
      aborted.push(label);
      reject(new Error("aborted"));
    }),
  );

const workloads = {
  "own-timeout": asyncWorkload(
    async ({ step, attempt }) =>
      step.run("call", ({ signal }) => (attempt === 1 ? hang(signal, "own") : "answered"), {
        timeout: "300ms",
      }),
    { events: "timeout-own", ...fast },
  ),
  "default-timeout": asyncWorkload(
    async ({ step, attempt }) => {
      await step.run("quick", () => "fine");
      // The step's own timeout wins over the workload's default.
      await step.run("patient", () => new Promise((resolve) => setTimeout(() => resolve(attempt), 500)), {
        timeout: "5s",
      });
      return step.run("slow", ({ signal }) => (attempt < 3 ? hang(signal, "default") : attempt));
    },
    { events: "timeout-default", stepTimeout: 200, ...fast },
  ),
  "bad-timeout": asyncWorkload(async ({ step }) => step.run("call", () => 1, { timeout: "soon" }), {
    events: "timeout-bad",
    ...fast,
  }),
};

let stack: Stack;
let host: Host;

beforeAll(async () => {
  // A lease far longer than any test: an attempt that ended only at its expiry would time the test out.
  stack = await startStack({ settings: { leaseMarginMs: 600_000 } });
  host = await startHost(stack, workloads);
});

afterAll(async () => {
  await host?.close();
  await stack?.close();
});

async function send(name: string) {
  const [result] = await sendEvents(host.runtime, [{ name, data: {} }]);
  return result!.eventId;
}

test("a step past its timeout fails the attempt with StepTimeoutError, and the retry runs it again", async () => {
  const event = await eventInState(host.runtime, await send("timeout-own"), "completed");
  const run = event.runs[0]!;
  expect(run.attempts.map((a) => a.outcome)).toEqual(["failed", "completed"]);
  const first = run.attempts[0]!;
  expect(first.error).toMatchObject({
    name: "StepTimeoutError",
    message: 'step "call" timed out after 300 ms',
    step: "call",
  });
  expect(first.endedAt - first.startedAt!).toBeLessThan(60_000);
  expect(run.steps.find((s) => s.id === "call")?.result).toBe("answered");
  expect(aborted).toContain("own");
});

test("the workload's stepTimeout applies to every step without its own timeout", async () => {
  const event = await eventInState(host.runtime, await send("timeout-default"), "completed");
  const run = event.runs[0]!;
  expect(run.attempts.map((a) => a.outcome)).toEqual(["failed", "failed", "completed"]);
  for (const attempt of run.attempts.slice(0, 2)) {
    expect(attempt.error).toMatchObject({ name: "StepTimeoutError", step: "slow" });
  }
  const steps = Object.fromEntries(run.steps.map((s) => [s.id, s]));
  expect(steps.patient?.result).toBe(1);
  expect(steps.slow?.result).toBe(3);
  expect(aborted.filter((label) => label === "default")).toHaveLength(2);
});

test("a timeout that is not a duration dead-letters the run, naming the step", async () => {
  const event = await eventInState(host.runtime, await send("timeout-bad"), "dead-lettered");
  expect(event.runs[0]!.lastError).toMatchObject({ name: "InvalidStepError" });
  expect(event.runs[0]!.lastError?.message).toContain('step.run("call") timeout');
});
