import { expect, test } from "vitest";
import { defineWorkload, type WorkloadOptions } from "@awl/client/internal";
import type { DiscoveredWorkload } from "./discover.ts";
import { planWorkloads, reservedNameProblems } from "./plan.ts";

const workload = (
  functionName: string,
  options: Partial<WorkloadOptions> = {},
  style: DiscoveredWorkload["style"] = "asyncWorkload",
): DiscoveredWorkload => ({
  functionName,
  file: `/site/functions/${functionName}.mts`,
  style,
  definition: defineWorkload({ events: ["checkout"], ...options }),
});

test("plans each workload at its own function, and Netlify-style ones at a generated wrapper", () => {
  const { planned, problems } = planWorkloads([
    workload("checkout"),
    workload("hello", { name: "greeter" }, "asyncWorkloadFn"),
  ]);
  expect(problems).toEqual([]);
  expect(planned).toEqual([
    {
      name: "checkout",
      file: "/site/functions/checkout.mts",
      functionName: "checkout",
      wrapsModule: false,
      url: "/.netlify/functions/checkout",
    },
    {
      name: "greeter",
      file: "/site/functions/hello.mts",
      functionName: "awl-workload-hello",
      wrapsModule: true,
      url: "/.netlify/functions/awl-workload-hello",
    },
  ]);
});

test("a duplicate name names both files", () => {
  const { problems } = planWorkloads([workload("checkout"), workload("other", { name: "Checkout" })]);
  expect(problems).toEqual([
    {
      file: "/site/functions/other.mts",
      message: expect.stringContaining(
        'duplicate workload name "Checkout": /site/functions/checkout.mts uses it too',
      ),
    },
  ]);
});

test("a backoff schedule that does not give a duration for every retry is refused", () => {
  const { problems } = planWorkloads([
    workload("ok", { maxRetries: 3, backoffSchedule: (attempt) => `${attempt * 10}s` }),
    workload("soon", { maxRetries: 3, backoffSchedule: (attempt) => (attempt < 3 ? "1m" : "soon") }),
    workload("throws", {
      backoffSchedule: () => {
        throw new Error("no schedule configured");
      },
    }),
    workload("negative", { backoffSchedule: () => -5 }),
  ]);
  expect(problems).toEqual([
    {
      file: "/site/functions/soon.mts",
      message: expect.stringContaining(
        'config.backoffSchedule returned "soon" for the retry after failed attempt 3',
      ),
    },
    {
      file: "/site/functions/throws.mts",
      message: "config.backoffSchedule threw for the retry after failed attempt 1: no schedule configured",
    },
    {
      file: "/site/functions/negative.mts",
      message: expect.stringContaining("config.backoffSchedule returned -5"),
    },
  ]);
});

test("names that cannot be workload names, or that the engine reserves, are refused", () => {
  const { problems } = planWorkloads([
    workload("order.created"),
    workload("ops", { name: "awl-operations" }),
  ]);
  expect(problems.map((problem) => problem.message)).toEqual([
    expect.stringContaining('the function name "order.created" is not a valid workload name'),
    expect.stringContaining('"awl-operations" is reserved'),
  ]);
});

test("site functions may not shadow what the extension adds", () => {
  const fn = (name: string) => ({ name, file: `/site/functions/${name}.mts` });
  expect(
    reservedNameProblems([fn("awl-router"), fn("awl_api"), fn("awl-workload-x"), fn("checkout")]).map(
      (p) => p.file,
    ),
  ).toEqual([
    "/site/functions/awl-router.mts",
    "/site/functions/awl_api.mts",
    "/site/functions/awl-workload-x.mts",
  ]);
});
