import { describe, expect, test } from "vitest";
import { isInternalEvent, isOperationsRun } from "./internal-events.ts";

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
});
