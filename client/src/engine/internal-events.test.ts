import { describe, expect, test } from "vitest";
import {
  failureHandlerName,
  isFailureHandlerRun,
  isInternalEvent,
  isOperationsRun,
} from "./internal-events.ts";

describe("internal events", () => {
  test("every name starting with awl: is internal, whatever its case", () => {
    expect(isInternalEvent("awl:retry-failed-events")).toBe(true);
    expect(isInternalEvent("AWL:Delete-Events")).toBe(true);
    expect(isInternalEvent("awlx:thing")).toBe(false);
    expect(isInternalEvent("checkout")).toBe(false);
  });

  test("only the operations workload's runs are executed by the router", () => {
    expect(isOperationsRun("evt_1.awl-operations")).toBe(true);
    expect(isOperationsRun("evt_1.checkout")).toBe(false);
  });

  test("an onFailure handler's runs are named after their workload, never a site workload's name", () => {
    expect(failureHandlerName("checkout")).toBe("checkout:on-failure");
    expect(isFailureHandlerRun("evt_1.checkout:on-failure")).toBe(true);
    expect(isFailureHandlerRun("evt_1.checkout")).toBe(false);
    expect(isOperationsRun("evt_1.checkout:on-failure")).toBe(false);
  });
});
