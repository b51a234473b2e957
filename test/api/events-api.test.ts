/**
 * The events API over real HTTP, on the local stack (`awl dev`'s Redis REST and QStash servers,
 * real Redis), with a host serving the router and a workload: sending, listing, inspecting,
 * deleting, reconciling; authentication; and bad input that must change nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { asyncWorkload } from "../../client/src/workload/async-workload.ts";
import { ErrorDoNotRetry } from "../../client/src/engine/errors.ts";
import { waitFor } from "../helpers/stack.ts";
import {
  API_KEY,
  PREVIOUS_API_KEY,
  serveApi,
  startApiSite,
  type ApiBody,
  type ApiSite,
} from "./serve-api.ts";

const workloads = {
  greet: asyncWorkload(async ({ step, data }) => {
    await step.run("greet", () => `hello ${(data as { who?: string }).who ?? "world"}`);
  }, "greet"),
  // Two workloads on one event: one completes, one is dead-lettered (for deleting single runs).
  welcome: asyncWorkload(async ({ step }) => {
    await step.run("send-welcome", () => "sent");
  }, "signup"),
  audit: asyncWorkload(async ({ step }) => {
    await step.run("audit", () => {
      throw new ErrorDoNotRetry("audit log is read-only");
    });
  }, "signup"),
};

let site: ApiSite;

beforeAll(async () => {
  site = await startApiSite(workloads);
});
afterAll(() => site?.close());

/** Every event stored under a name (the store's own view, not the API's). */
const stored = async (name: string) =>
  (await site.stack.runtime.store.listEvents({ name, limit: 100 })).events;

/** The event as GET /events/:id shows it, once it is in `state`. */
const inState = (eventId: string, state: string) =>
  waitFor(
    async () => {
      const { status, body } = await site.api.call("GET", `/events/${eventId}`);
      return status === 200 && body.state === state ? body : undefined;
    },
    { what: `${eventId} to be ${state}` },
  );
const completed = (eventId: string) => inState(eventId, "completed");

describe("POST /events", () => {
  test("one event: 202 with its id; it runs, and GET /events/:id shows its run with steps and attempts", async () => {
    const response = await site.api.call("POST", "/events", {
      body: { name: "greet", data: { who: "Ada" }, priority: 7 },
    });
    expect(response.status).toBe(202);
    expect(response.body).toEqual({ eventId: expect.stringMatching(/^evt_/), status: "accepted" });

    const event = await completed(response.body.eventId);
    expect(event).toMatchObject({ name: "greet", data: { who: "Ada" }, priority: 7, state: "completed" });
    expect(event.runs).toHaveLength(1);
    const [run] = event.runs;
    expect(run).toMatchObject({ workload: "greet", state: "completed", attempt: 1 });
    expect(run.steps).toEqual([
      // size: the stored result's JSON, "hello Ada" with its quotes, in bytes.
      expect.objectContaining({ id: "greet", status: "completed", result: "hello Ada", size: 11 }),
    ]);
    expect(run.attempts).toEqual([expect.objectContaining({ attempt: 1, outcome: "completed" })]);
  });

  test("an array, or { events: [...] }: 202 with one result per event, in order", async () => {
    const array = await site.api.call("POST", "/events", {
      body: [{ name: "batch-a" }, { name: "batch-b", data: 2 }],
    });
    expect(array.status).toBe(202);
    expect(array.body.events).toEqual([
      { eventId: expect.any(String), status: "accepted" },
      { eventId: expect.any(String), status: "accepted" },
    ]);
    const wrapped = await site.api.call("POST", "/events", { body: { events: [{ name: "batch-c" }] } });
    expect(wrapped.status).toBe(202);
    expect(wrapped.body.events).toHaveLength(1);
    for (const name of ["batch-a", "batch-b", "batch-c"]) expect(await stored(name)).toHaveLength(1);
  });

  test("a repeated idempotencyKey returns the first event's id and stores one event", async () => {
    const body = { name: "idempotent", data: { n: 1 }, idempotencyKey: "order-42" };
    const first = await site.api.call("POST", "/events", { body });
    const second = await site.api.call("POST", "/events", { body: { ...body, data: { n: 2 } } });
    expect(first.body.status).toBe("accepted");
    expect(second.status).toBe(202);
    expect(second.body).toEqual({ eventId: first.body.eventId, status: "duplicate" });
    const events = await stored("idempotent");
    expect(events.map((event) => event.data)).toEqual([{ n: 1 }]);
  });

  test("an idempotency key is scoped to its event name (matched without case)", async () => {
    const send = (name: string) =>
      site.api.call("POST", "/events", { body: { name, idempotencyKey: "user-7" } });
    const signup = await send("idem-signup");
    const welcome = await send("idem-welcome");
    expect(signup.body.status).toBe("accepted");
    expect(welcome.body.status).toBe("accepted");
    expect(welcome.body.eventId).not.toBe(signup.body.eventId);
    expect((await send("IDEM-SIGNUP")).body).toEqual({ eventId: signup.body.eventId, status: "duplicate" });
    expect(await stored("idem-welcome")).toHaveLength(1);
  });

  test("a key whose event was deleted is free again", async () => {
    const body = { name: "idem-deleted", idempotencyKey: "order-43" };
    const first = await site.api.call("POST", "/events", { body });
    const deleted = await site.api.call("DELETE", "/events", { body: { eventIds: [first.body.eventId] } });
    expect(deleted.body).toMatchObject({ deleted: 1 });
    const again = await site.api.call("POST", "/events", { body });
    expect(again.body.status).toBe("accepted");
    expect(again.body.eventId).not.toBe(first.body.eventId);
    expect((await site.api.call("GET", `/events/${again.body.eventId}`)).status).toBe(200);
  });

  test("keys such as __proto__ inside data are kept as data, and pollute nothing", async () => {
    const response = await site.api.call("POST", "/events", {
      body: '{"name":"proto-data","data":{"__proto__":{"polluted":true}}}',
    });
    expect(response.status).toBe(202);
    const [event] = await stored("proto-data");
    expect(Object.keys(event?.data as object)).toEqual(["__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe("bad input: 400 or 413 naming the field, and nothing stored", () => {
  const now = Date.now();
  const cases: {
    what: string;
    body: unknown;
    status?: number;
    path?: (string | number)[];
    message?: RegExp;
  }[] = [
    { what: "malformed JSON", body: '{"name": "bad-input",}', message: /not valid JSON/ },
    {
      what: "an unknown event field",
      body: { name: "bad-input", colour: "red" },
      path: ["colour"],
      message: /not a known field/,
    },
    { what: "a name with a space", body: { name: "bad input" }, path: ["name"] },
    { what: "a missing name", body: { data: { name: "bad-input" } }, path: ["name"], message: /is required/ },
    {
      what: "data over 512 KB",
      body: { name: "bad-input", data: "x".repeat(600 * 1024) },
      path: ["data"],
      message: /512 KB/,
    },
    {
      what: "priority 51",
      body: { name: "bad-input", priority: 51 },
      path: ["priority"],
      message: /-50 and 50/,
    },
    {
      what: "delayUntil in the past",
      body: { name: "bad-input", delayUntil: now - 60_000 },
      path: ["delayUntil"],
      message: /in the past/,
    },
    {
      what: "delayUntil over a year ahead",
      body: { name: "bad-input", delayUntil: new Date(now + 400 * 86_400_000).toISOString() },
      path: ["delayUntil"],
      message: /more than a year/,
    },
    {
      what: "a body over 1 MB",
      body: { name: "bad-input", data: "x".repeat(1100 * 1024) },
      status: 413,
      message: /1 MB/,
    },
    {
      what: "one bad event in a batch (the good one is not stored either)",
      body: { events: [{ name: "bad-input" }, { name: "bad input" }] },
      path: ["events", 1, "name"],
    },
    {
      what: "a __proto__ key at the top level",
      body: '{"name":"bad-input","__proto__":{"polluted":true}}',
      path: ["__proto__"],
    },
  ];

  for (const { what, body, status = 400, path, message } of cases) {
    test(what, async () => {
      const response = await site.api.call("POST", "/events", { body });
      expect(response.status).toBe(status);
      if (message) expect(response.body.error).toMatch(message);
      if (path) expect(response.body.issues.map((issue: ApiBody) => issue.path)).toContainEqual(path);
      expect(await stored("bad-input")).toEqual([]);
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  }
});

describe("authentication", () => {
  test("no key, a wrong key: 401, and nothing changes", async () => {
    const noKey = await site.api.call("POST", "/events", { body: { name: "unauthenticated" }, key: null });
    expect(noKey.status).toBe(401);
    expect(noKey.body.error).toMatch(/no API key/);
    const wrongKey = await site.api.call("POST", "/events", {
      body: { name: "unauthenticated" },
      key: "not-a-key",
    });
    expect(wrongKey).toMatchObject({ status: 401, body: { error: "API key not accepted" } });
    expect(await stored("unauthenticated")).toEqual([]);
  });

  test("during a rotation both keys work; once the old key is rotated out it is refused", async () => {
    const sent = await site.api.call("POST", "/events", {
      body: { name: "rotation" },
      key: PREVIOUS_API_KEY,
    });
    expect(sent.status).toBe(202);
    const rotated = await serveApi(site.host.runtime, [API_KEY]);
    try {
      const refused = await rotated.call("DELETE", "/events", {
        body: { eventIds: [sent.body.eventId] },
        key: PREVIOUS_API_KEY,
      });
      expect(refused.status).toBe(401);
      expect(await stored("rotation")).toHaveLength(1);
      expect((await rotated.call("GET", `/events/${sent.body.eventId}`)).status).toBe(200);
    } finally {
      await rotated.close();
    }
  });
});

describe("GET /events", () => {
  test("pages through 25 events with limit 10: none missed, none repeated, stable while new events arrive", async () => {
    const sent = await site.api.call("POST", "/events", {
      body: Array.from({ length: 25 }, (_, i) => ({ name: "paged", data: i })),
    });
    const ids = new Set<string>(sent.body.events.map((event: ApiBody) => event.eventId));
    expect(ids.size).toBe(25);

    const seen: string[] = [];
    const sizes: number[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?name=paged&limit=10${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
      const page = await site.api.call("GET", `/events${query}`);
      expect(page.status).toBe(200);
      sizes.push(page.body.events.length);
      seen.push(...page.body.events.map((event: ApiBody) => event.id));
      cursor = page.body.cursor;
      // New events arriving mid-listing are newer than the cursor: they do not shift the pages.
      if (sizes.length === 1)
        await site.api.call("POST", "/events", { body: [{ name: "paged" }, { name: "paged" }] });
    } while (cursor);

    expect(sizes).toEqual([10, 10, 5]);
    expect(new Set(seen).size).toBe(25);
    expect(new Set(seen)).toEqual(ids);
  });

  test("filters by state", async () => {
    const { body } = await site.api.call("POST", "/events", {
      body: { name: "greet", data: { who: "state filter" } },
    });
    await completed(body.eventId);
    const page = await site.api.call("GET", "/events?state=completed&name=greet&limit=100");
    expect(page.body.events.map((event: ApiBody) => event.id)).toContain(body.eventId);
    expect(page.body.events.every((event: ApiBody) => event.state === "completed")).toBe(true);
    const deadLettered = await site.api.call("GET", "/events?state=dead-lettered&name=greet");
    expect(deadLettered.body).toEqual({ events: [], cursor: null });
  });
});

describe("GET /events, state and name together", () => {
  test("pages hold only the matching events (from the name's own index of the state), and an expired event's entries are dropped on the way", async () => {
    const needle = `needle-${Date.now()}`;
    const noise = `noise-${Date.now()}`;
    // Interleaved: 4 needles among 24 other unmatched events.
    const body = Array.from({ length: 28 }, (_, i) => ({ name: i % 7 === 3 ? needle : noise, data: i }));
    const sent = await site.api.call("POST", "/events", { body });
    const ids = sent.body.events.map((event: ApiBody) => event.eventId as string);
    const needles = ids.filter((_: string, i: number) => i % 7 === 3);
    for (const id of ids) await inState(id, "unmatched");
    // One needle expires (its retention ran out): its hash is gone, its index entries are not.
    const keys = site.stack.runtime.store.keys;
    await site.stack.redis.del(keys.event(needles[1]));

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `?state=unmatched&name=${needle}&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const page = await site.api.call("GET", `/events${query}`);
      expect(page.status).toBe(200);
      seen.push(...page.body.events.map((event: ApiBody) => event.id));
      cursor = page.body.cursor;
    } while (cursor);
    expect(seen.sort()).toEqual([needles[0], needles[2], needles[3]].sort());
    expect(
      await site.stack.redis.zscore(keys.eventsByNameAndState("unmatched", needle), needles[1]),
    ).toBeNull();
    await site.api.call("DELETE", "/events", { body: { eventIds: ids } });
  });
});

describe("GET /events/:id", () => {
  test("an unknown id is 404; an id that could not be an id is 400", async () => {
    expect((await site.api.call("GET", "/events/evt_doesnotexist")).status).toBe(404);
    const bad = await site.api.call("GET", "/events/not%20an%20id");
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toEqual(["id"]);
  });
});

describe("DELETE /events", () => {
  test("by id: removes the event and its runs", async () => {
    const { body } = await site.api.call("POST", "/events", {
      body: { name: "greet", data: { who: "to delete" } },
    });
    const event = await completed(body.eventId);
    const runId = event.runs[0].id as string;
    const response = await site.api.call("DELETE", "/events", { body: { eventIds: [body.eventId] } });
    expect(response).toMatchObject({ status: 200, body: { deleted: 1 } });
    expect((await site.api.call("GET", `/events/${body.eventId}`)).status).toBe(404);
    const keys = site.stack.runtime.store.keys;
    expect(
      await site.stack.redis.exists(keys.run(runId), keys.runSteps(runId), keys.runAttempts(runId)),
    ).toBe(0);
  });

  test("by state: deletes every run in that state (a one-run event goes with it), and no other", async () => {
    const unmatched = await site.api.call("POST", "/events", { body: { name: "keep-me" } });
    const { body } = await site.api.call("POST", "/events", {
      body: { name: "greet", data: { who: "by state" } },
    });
    await completed(body.eventId);
    const response = await site.api.call("DELETE", "/events", { body: { states: ["completed"] } });
    expect(response.status).toBe(200);
    expect(response.body.deleted).toBeGreaterThanOrEqual(1);
    expect((await site.api.call("GET", `/events/${body.eventId}`)).status).toBe(404);
    expect((await site.api.call("GET", `/events/${unmatched.body.eventId}`)).status).toBe(200);
  });

  test("by state and name: removes only that name's events in that state", async () => {
    const named = await site.api.call("POST", "/events", { body: { name: "greet", data: { who: "named" } } });
    const other = await site.api.call("POST", "/events", { body: { name: "keep-me-too" } });
    await completed(named.body.eventId);
    const response = await site.api.call("DELETE", "/events", {
      body: { states: ["completed"], eventNames: ["greet"] },
    });
    expect(response.body.deleted).toBeGreaterThanOrEqual(1);
    expect((await site.api.call("GET", `/events/${named.body.eventId}`)).status).toBe(404);
    expect((await site.api.call("GET", `/events/${other.body.eventId}`)).status).toBe(200);
    const namesWithoutStates = await site.api.call("DELETE", "/events", { body: { eventNames: ["greet"] } });
    expect(namesWithoutStates.status).toBe(400);
  });

  test("a bad state is refused with 400 naming it, and nothing is deleted", async () => {
    const before = await site.stack.runtime.store.listEvents({ limit: 100 });
    const response = await site.api.call("DELETE", "/events", { body: { states: ["finished"] } });
    expect(response.status).toBe(400);
    expect(response.body.issues[0].path).toEqual(["states", 0]);
    expect(await site.stack.runtime.store.listEvents({ limit: 100 })).toEqual(before);
  });
});

/** A signup event once its welcome run has completed and its audit run is dead-lettered. */
async function signupWithDeadLetteredAudit() {
  const { body } = await site.api.call("POST", "/events", { body: { name: "signup" } });
  const eventId = body.eventId as string;
  const event = await waitFor(
    async () => {
      const { body: detail } = await site.api.call("GET", `/events/${eventId}`);
      const states = (detail.runs ?? []).map((run: { state: string }) => run.state).sort();
      return states.join() === "completed,dead-lettered" ? detail : undefined;
    },
    { what: `${eventId} to have a completed and a dead-lettered run` },
  );
  const runOf = (workload: string) =>
    event.runs.find((run: { workload: string }) => run.workload === workload).id as string;
  return { eventId, audit: runOf("audit"), welcome: runOf("welcome") };
}

describe("DELETE /events: single runs", () => {
  test("deletes one run: the event keeps its other run, leaves the dead-lettered index, and takes the completed retention; its last run takes it with it", async () => {
    const { eventId, audit, welcome } = await signupWithDeadLetteredAudit();
    const { keys, redis } = { keys: site.stack.runtime.store.keys, redis: site.stack.redis };
    const inDeadLettered = () => redis.zscore(keys.eventsByState("dead-lettered"), eventId);
    expect(await inDeadLettered()).not.toBeNull();

    const first = await site.api.call("DELETE", "/events", { body: { runIds: [audit] } });
    expect(first).toMatchObject({ status: 200, body: { deleted: 0, deletedRuns: 1 } });
    const after = await site.api.call("GET", `/events/${eventId}`);
    expect(after.body).toMatchObject({ state: "completed", runs: [{ workload: "welcome" }] });
    expect(after.body.runs).toHaveLength(1);
    expect(await inDeadLettered()).toBeNull();
    expect(await redis.exists(keys.run(audit), keys.runSteps(audit), keys.runAttempts(audit))).toBe(0);
    // Only completed runs are left, so the event now expires as a completed one (7 days, not 30).
    const ttl = await redis.pttl(keys.event(eventId));
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(site.stack.runtime.store.settings.completedRetentionMs);

    const again = await site.api.call("DELETE", "/events", { body: { runIds: [audit] } });
    expect(again.body).toEqual({ deleted: 0, deletedRuns: 0 });
    const last = await site.api.call("DELETE", "/events", { body: { runIds: [welcome] } });
    expect(last.body).toEqual({ deleted: 1, deletedRuns: 1 });
    expect((await site.api.call("GET", `/events/${eventId}`)).status).toBe(404);
    expect(await redis.zscore(keys.allEvents, eventId)).toBeNull();
    expect(await redis.sismember(keys.eventNames, "signup")).toBe(0);
  });

  test("by state and name: deletes the dead-lettered runs of signups and keeps their completed runs", async () => {
    const { eventId, audit, welcome } = await signupWithDeadLetteredAudit();
    const response = await site.api.call("DELETE", "/events", {
      body: { states: ["dead-lettered"], eventNames: ["signup"] },
    });
    expect(response.body).toEqual({ deleted: 0, deletedRuns: 1 });
    const after = await site.api.call("GET", `/events/${eventId}`);
    expect(after.body.runs.map((run: { id: string }) => run.id)).toEqual([welcome]);
    expect(after.body.state).toBe("completed");
    const keys = site.stack.runtime.store.keys;
    expect(await site.stack.redis.exists(keys.run(audit))).toBe(0);
    await site.api.call("DELETE", "/events", { body: { eventIds: [eventId] } });
  });

  test("by state: an event not routed yet (delayed) has no runs and is deleted whole", async () => {
    const { body } = await site.api.call("POST", "/events", { body: { name: "greet", delayUntil: "1h" } });
    expect((await site.api.call("GET", `/events/${body.eventId}`)).body.state).toBe("delayed");
    const response = await site.api.call("DELETE", "/events", { body: { states: ["delayed"] } });
    expect(response.body).toMatchObject({ deleted: 1, deletedRuns: 0 });
    expect((await site.api.call("GET", `/events/${body.eventId}`)).status).toBe(404);
  });

  test("a bad run id, or run ids with event ids, is refused with 400 naming it, and nothing is deleted", async () => {
    const before = await site.stack.runtime.store.listEvents({ limit: 100 });
    const bad = await site.api.call("DELETE", "/events", { body: { runIds: ["no spaces allowed"] } });
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toEqual(["runIds", 0]);
    const both = await site.api.call("DELETE", "/events", {
      body: { runIds: ["evt_1.greet"], eventIds: ["evt_1"] },
    });
    expect(both.status).toBe(400);
    expect(JSON.stringify(both.body)).toContain("give one of runIds, eventIds or states");
    expect(await site.stack.runtime.store.listEvents({ limit: 100 })).toEqual(before);
  });
});

describe("unmatched events", () => {
  test("an event no workload subscribes to is listed, counted (under its name as sent) and deleted as unmatched", async () => {
    const name = `Typo-${Date.now()}`;
    const { body } = await site.api.call("POST", "/events", { body: { name } });
    await inState(body.eventId, "unmatched");
    const listed = await site.api.call("GET", `/events?state=unmatched&name=${name.toLowerCase()}`);
    expect(listed.body.events.map((event: { id: string }) => event.id)).toEqual([body.eventId]);
    const stats = await site.api.call("GET", "/stats");
    expect(stats.body.names).toContainEqual({ name, total: 1, states: { unmatched: 1 } });
    const removed = await site.api.call("DELETE", "/events", {
      body: { states: ["unmatched"], eventNames: [name] },
    });
    expect(removed.body).toEqual({ deleted: 1, deletedRuns: 0 });
    expect((await site.api.call("GET", `/events/${body.eventId}`)).status).toBe(404);
    const keys = site.stack.runtime.store.keys;
    expect(await site.stack.redis.zscore(keys.eventsByState("unmatched"), body.eventId)).toBeNull();
  });
});

describe("GET /stats", () => {
  test("counts events per state and per name, and forgets events that are gone", async () => {
    const name = `count-${Date.now()}`;
    const sent = await site.api.call("POST", "/events", {
      body: [{ name: "greet", data: {} }, { name }, { name }],
    });
    const greetId = sent.body.events[0].eventId as string;
    await completed(greetId);
    // No workload listens to `name`: once routed, its events are unmatched.
    for (const { eventId } of sent.body.events.slice(1) as { eventId: string }[]) {
      await inState(eventId, "unmatched");
    }
    const { status, body } = await site.api.call("GET", "/stats");
    expect(status).toBe(200);
    expect(Object.keys(body.states)).toEqual([
      "pending",
      "processing",
      "delayed",
      "sleeping",
      "completed",
      "dead-lettered",
      "cancelled",
      "skipped",
      "unmatched",
    ]);
    expect(body.states.completed).toBeGreaterThanOrEqual(1);
    expect(body.states.unmatched).toBeGreaterThanOrEqual(2);
    expect(body.names).toContainEqual({ name, total: 2, states: { unmatched: 2 } });
    const greet = body.names.find((entry: { name: string }) => entry.name === "greet");
    expect(greet.states.completed).toBeGreaterThanOrEqual(1);

    // An event that expired (retention) leaves its index entries behind; the counts drop it.
    await site.stack.redis.del(site.stack.runtime.store.keys.event(greetId));
    const after = await site.api.call("GET", "/stats");
    expect(after.body.states.completed).toBe(body.states.completed - 1);
    await site.api.call("DELETE", "/events", {
      body: { eventIds: sent.body.events.map((e: ApiBody) => e.eventId) },
    });
    const deleted = await site.api.call("GET", "/stats");
    expect(deleted.body.names.map((entry: { name: string }) => entry.name)).not.toContain(name);
  });
});

describe("POST /reconcile", () => {
  test("runs the reconciler and reports what it republished", async () => {
    const response = await site.api.call("POST", "/reconcile");
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ events: expect.any(Number), runs: expect.any(Number) });
  });
});
