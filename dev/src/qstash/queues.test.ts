import { describe, expect, it } from "vitest";
import { QueueGate, type QueueMember } from "./queues.ts";

const member = (order: string): QueueMember & { name: string } => ({ order, ready: false, name: order });

describe("QueueGate", () => {
  it("starts messages in order, `parallelism` at a time, holding a place until it is removed", () => {
    const started: string[] = [];
    const gate = new QueueGate<ReturnType<typeof member>>((m) => started.push(m.name));
    const [a, b, c] = [member("a"), member("b"), member("c")];
    gate.add("q", c);
    gate.add("q", a);
    gate.add("q", b);
    // c is due first, but a comes first in the queue.
    c.ready = true;
    gate.pump("q");
    expect(started).toEqual([]);
    a.ready = true;
    b.ready = true;
    gate.pump("q");
    expect(started).toEqual(["a"]);
    gate.remove("q", a);
    expect(started).toEqual(["a", "b"]);
    gate.remove("q", b);
    expect(started).toEqual(["a", "b", "c"]);
    expect(gate.lag("q")).toBe(1);
  });

  it("lets a successor (the callback) keep the finished message's place", () => {
    const started: string[] = [];
    const gate = new QueueGate<ReturnType<typeof member>>((m) => started.push(m.name));
    const [a, b] = [member("a"), member("b")];
    gate.add("q", a);
    gate.add("q", b);
    a.ready = b.ready = true;
    gate.pump("q");
    const callback = { ...member("a"), name: "a-callback" };
    gate.remove("q", a, callback);
    expect(started).toEqual(["a"]);
    callback.ready = true;
    gate.pump("q");
    expect(started).toEqual(["a", "a-callback"]);
    gate.remove("q", callback);
    expect(started).toEqual(["a", "a-callback", "b"]);
  });

  it("honours parallelism and pause", () => {
    const started: string[] = [];
    const gate = new QueueGate<ReturnType<typeof member>>((m) => started.push(m.name));
    const members = ["a", "b", "c"].map(member);
    for (const m of members) {
      m.ready = true;
      gate.add("q", m);
    }
    gate.configure({ name: "q", parallelism: 2, paused: true, createdAt: 0, updatedAt: 0 });
    expect(started).toEqual([]);
    gate.configure({ name: "q", parallelism: 2, paused: false, createdAt: 0, updatedAt: 0 });
    expect(started).toEqual(["a", "b"]);
  });
});
