/**
 * The code's shape, enforced by `npm test`: no import cycles in the packages' sources, and inside
 * client/src imports only point down its layers (definitions → engine → store → transport; see
 * client/ARCHITECTURE.md). The same check runs as `npm run check:cycles` (and in `npm run lint`).
 */
import { describe, expect, test } from "vitest";
import {
  clientLayer,
  findCycles,
  importGraph,
  upwardImports,
  type ImportGraph,
} from "../../scripts/import-graph.ts";

describe("architecture", () => {
  const graph = importGraph();

  test("the sources are read (the check is not vacuous)", () => {
    expect(graph.get("client/src/engine/execute.ts")).toContain("client/src/engine/step.ts");
    expect(graph.size).toBeGreaterThan(100);
  });

  test("no import cycles in client, cli, dashboard or extension", () => {
    expect(findCycles(graph)).toEqual([]);
  });

  test("inside client/src, imports point down the layers", () => {
    expect(upwardImports(graph)).toEqual([]);
  });

  test("the checks catch a cycle and an upward import", () => {
    const broken: ImportGraph = new Map([
      ["client/src/engine/execute.ts", ["client/src/workload/definition.ts"]],
      ["client/src/workload/definition.ts", ["client/src/engine/execute.ts"]],
    ]);
    expect(findCycles(broken)).toEqual([
      ["client/src/engine/execute.ts", "client/src/workload/definition.ts", "client/src/engine/execute.ts"],
    ]);
    expect(upwardImports(broken)).toEqual([
      "client/src/engine/execute.ts → client/src/workload/definition.ts (engine imports definitions)",
    ]);
  });

  test("each folder of client/src has its layer", () => {
    expect(clientLayer("client/src/index.ts")).toBe("entry");
    expect(clientLayer("client/src/api/events-api.ts")).toBe("surface");
    expect(clientLayer("client/src/workload/async-workload.ts")).toBe("definitions");
    expect(clientLayer("client/src/engine/execute.ts")).toBe("engine");
    expect(clientLayer("client/src/engine/keys.ts")).toBe("store");
    expect(clientLayer("client/src/engine/store/index.ts")).toBe("store");
    expect(clientLayer("client/src/transport/publish.ts")).toBe("transport");
    expect(clientLayer("cli/src/index.ts")).toBeUndefined();
  });
});
