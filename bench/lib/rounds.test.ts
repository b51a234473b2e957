import { describe, expect, it } from "vitest";
import { rotation } from "./rounds.ts";

describe("rotation", () => {
  it("starts each round with the next system, so every system takes each place in turn", () => {
    const systems = ["awl", "upstash-workflow", "restate", "bullmq"];
    expect(rotation(systems, 0)).toEqual(["awl", "upstash-workflow", "restate", "bullmq"]);
    expect(rotation(systems, 1)).toEqual(["upstash-workflow", "restate", "bullmq", "awl"]);
    expect(rotation(systems, 5)).toEqual(["upstash-workflow", "restate", "bullmq", "awl"]);
    expect(rotation([], 2)).toEqual([]);
  });
});
