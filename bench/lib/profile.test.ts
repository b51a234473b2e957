import { describe, expect, it } from "vitest";
import { bucketOf, summarizeProfile, type CpuProfile } from "./profile.ts";

describe("bucketOf", () => {
  it("names packages, project folders and Node internals", () => {
    expect(bucketOf("file:///w/node_modules/@upstash/redis/chunk.mjs")).toBe("@upstash/redis");
    expect(bucketOf("file:///w/node_modules/ioredis/built/Redis.js")).toBe("ioredis");
    expect(bucketOf("file:///w/main/client/src/engine/execute.ts")).toBe("client/src/engine");
    expect(bucketOf("file:///w/main/client/src/engine/store/scripts/claim.ts")).toBe(
      "client/src/engine/store",
    );
    expect(bucketOf("file:///w/main/client/src/transport/redis.ts")).toBe("client/src/transport");
    expect(bucketOf("file:///w/main/dev/src/qstash/engine.ts")).toBe("dev/src/qstash");
    expect(bucketOf("file:///w/main/dev/src/index.ts")).toBe("dev/src");
    expect(bucketOf("file:///w/main/bench/systems/awl.ts")).toBe("bench/systems");
    expect(bucketOf("node:internal/deps/undici/undici")).toBe("node:undici (fetch)");
    expect(bucketOf("", "(garbage collector)")).toBe("(gc)");
  });
});

describe("summarizeProfile", () => {
  // root -> engine (1) -> undici (2); samples: engine 1×, undici 3×, idle 2×.
  const profile: CpuProfile = {
    nodes: [
      { id: 0, callFrame: { functionName: "(root)", url: "", lineNumber: 0 }, children: [1, 3] },
      {
        id: 1,
        callFrame: { functionName: "run", url: "file:///m/client/src/engine/x.ts", lineNumber: 1 },
        children: [2],
      },
      { id: 2, callFrame: { functionName: "fetch", url: "node:internal/deps/undici/undici", lineNumber: 1 } },
      { id: 3, callFrame: { functionName: "(idle)", url: "", lineNumber: 0 } },
    ],
    samples: [1, 2, 2, 2, 3, 3],
    timeDeltas: [1000, 1000, 1000, 1000, 1000, 1000],
    startTime: 0,
    endTime: 6000,
  };

  it("sums self time by bucket, leaving idle out", () => {
    expect(summarizeProfile(profile)).toEqual([
      { where: "node:undici (fetch)", selfMs: 3, share: 75 },
      { where: "client/src/engine", selfMs: 1, share: 25 },
    ]);
  });

  it("charges Node internals to the caller outside them", () => {
    expect(summarizeProfile(profile, "caller")).toEqual([
      { where: "client/src/engine (via node:undici (fetch))", selfMs: 3, share: 75 },
      { where: "client/src/engine", selfMs: 1, share: 25 },
    ]);
  });
});
