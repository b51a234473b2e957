/**
 * The engine's Lua scripts and their TypeScript wrappers agree, and reach Redis from wherever the
 * code runs:
 * - generated.ts matches the .lua files, lib.lua's STATES is keys.ts's EVENT_STATES, and each
 *   script's binding block is what its header says (else: npm run generate:lua);
 * - a script's body reads its arguments only through that block, and destructures each list of
 *   groups by the header's field names, in order;
 * - every script has a wrapper beside it defining that script, and every EngineStore call passes
 *   exactly the arguments the script's header names (a missing or unknown field fails the call);
 * - a bundle of the engine (as esbuild, the Netlify SDK or zip-it-and-ship-it make one, far from the
 *   .lua files) still finds every script.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Redis } from "@upstash/redis";
import { build } from "esbuild";
import { afterAll, describe, expect, test } from "vitest";
import {
  GENERATED_MODULE,
  LUA_LIB,
  isLibraryFile,
  libraryText,
  renderLuaLib,
  renderLuaSources,
  renderScript,
} from "../../../../../scripts/generate-lua-sources.ts";
import {
  EVENT_STATES,
  FINAL_RUN_STATES,
  ROUTING_TABLE_FILTERED,
  RUN_STATES,
  engineKeys,
} from "../../keys.ts";
import { DEFAULT_SETTINGS } from "../../settings.ts";
import { EngineStore } from "../index.ts";
import type { Script } from "./define.ts";
import { SCRIPT_ARGV, SCRIPT_NAMES, type ScriptName } from "./generated.ts";
import { BINDING_END, BINDING_START, parseHeader } from "./header.ts";
import { encodeArgv, loadScript } from "./run.ts";

const here = new URL("./", import.meta.url);
const lua = (name: string) => readFileSync(new URL(`${name}.lua`, here), "utf8");
const luaFiles = readdirSync(here)
  .filter((file) => file.endsWith(".lua") && !isLibraryFile(file))
  .map((file) => file.slice(0, -".lua".length))
  .sort();
const outDir = mkdtempSync(join(tmpdir(), "awl-bundled-scripts-"));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

test("generated.ts is up to date with the .lua files (else: npm run generate:lua)", async () => {
  expect(readFileSync(GENERATED_MODULE, "utf8")).toBe(await renderLuaSources());
});

test("the script names are the .lua files' (the library's, lib.lua and lib-*.lua, aside)", () => {
  expect([...SCRIPT_NAMES]).toEqual(luaFiles);
});

// The stats script answers a count per state in lib.lua's STATES order and its wrapper labels them
// in EVENT_STATES order: two entries swapped in either would mislabel every count.
test("lib.lua's STATES is keys.ts's EVENT_STATES, in order (else: npm run generate:lua)", () => {
  const lib = readFileSync(LUA_LIB, "utf8");
  expect(lib).toBe(renderLuaLib(lib));
  const luaStates = [.../^local STATES = \{(.*)\}/m.exec(lib)![1]!.matchAll(/'([^']*)'/g)].map((m) => m[1]);
  expect(luaStates).toEqual([...EVENT_STATES]);
});

// A run in a state missing from FINAL_STATES would be delivered again; one missing from
// ACTIVE_STATES would let its event expire while it still runs.
test("lib.lua's final and active run states are keys.ts's FINAL_RUN_STATES and the rest of RUN_STATES", () => {
  const lib = readFileSync(LUA_LIB, "utf8");
  const listed = (line: RegExp) => [...line.exec(lib)![1]!.matchAll(/'([^']*)'/g)].map((m) => m[1]);
  expect(listed(/^local FINAL_STATES = \{(.*)\}/m)).toEqual([...FINAL_RUN_STATES]);
  const final: readonly string[] = FINAL_RUN_STATES;
  expect(listed(/^local ACTIVE_STATES = \{(.*)\}/m)).toEqual(RUN_STATES.filter((s) => !final.includes(s)));
});

// The router writes its routing table from TypeScript values; the send script reads it in Lua.
test("lib.lua reads the routing table at keys.ts's key, with keys.ts's marker for a filtered name", () => {
  const lib = readFileSync(LUA_LIB, "utf8");
  expect(/^local ROUTES_FILTERED = '([^']*)'$/m.exec(lib)?.[1]).toBe(ROUTING_TABLE_FILTERED);
  const luaKeys = [...lib.matchAll(/k\('routes'\)/g)];
  expect(luaKeys.length).toBeGreaterThan(0);
  expect(engineKeys("P:").routingTable).toBe("P:routes");
});

test("every script is the library followed by its own file", () => {
  expect(luaFiles.length).toBeGreaterThan(0);
  expect(libraryText()).toContain(lua("lib"));
  for (const name of SCRIPT_NAMES) expect(loadScript(name).source).toBe(`${libraryText()}\n${lua(name)}`);
});

describe.each(luaFiles)("%s.lua", (name) => {
  const source = lua(name);
  const header = parseHeader(source, name);
  const body = source.slice(source.indexOf(BINDING_END) + BINDING_END.length);

  test("opens with a header stating its KEYS, ARGV and reply", () => {
    expect(header.keys).not.toBe("");
    expect(header.reply).not.toBe("");
    expect(SCRIPT_ARGV[name as ScriptName]).toEqual(header.argv);
  });

  test("binds its arguments as its header states them (else: npm run generate:lua)", () => {
    expect(source).toContain(BINDING_START);
    expect(source).toBe(renderScript(name, source));
  });

  test("reads its arguments only by name, and each group by the header's field names", () => {
    expect(body).not.toMatch(/\bARGV\b/);
    for (const spec of header.argv) {
      if (spec.kind === "scalar") {
        if (
          spec.name !== "prefix" &&
          !header.argv.some((list) => list.kind === "list" && list.count === spec.name)
        ) {
          expect(body, `${spec.name} is never read`).toMatch(new RegExp(`\\b${spec.name}\\b`));
        }
        continue;
      }
      expect(body, `${spec.name} is never read`).toMatch(new RegExp(`\\b${spec.name}_item\\(`));
      if (!spec.fields) continue;
      const reads = [...body.matchAll(new RegExp(`local ([\\w, ]+) = ${spec.name}_item\\(`, "g"))];
      expect(reads.length, `${spec.name}_item is destructured`).toBeGreaterThan(0);
      for (const read of reads) expect(read[1]!.split(/,\s*/)).toEqual(spec.fields);
    }
  });

  test("has a typed wrapper beside it that defines it", async () => {
    const wrapper = (await import(/* @vite-ignore */ new URL(`${name}.ts`, here).href)) as Record<
      string,
      unknown
    >;
    const scripts = Object.values(wrapper).filter(
      (value): value is Script<ScriptName, unknown> =>
        typeof value === "object" && value !== null && "run" in value && "decode" in value,
    );
    expect(scripts.map((script) => script.name)).toEqual([name]);
  });
});

test("the header grammar refuses what it cannot lay out", () => {
  const header = (argv: string) => `-- KEYS: none\n-- ARGV: ${argv}\n-- Reply: 1\nreturn 1`;
  expect(() => parseHeader(header("runId, prefix"))).toThrow(/first argument must be prefix/);
  expect(() => parseHeader(header("prefix, ...ids, more"))).toThrow(/only the last item/);
  expect(() => parseHeader(header("prefix, ids[count]"))).toThrow(/not an earlier scalar/);
  expect(() => parseHeader(header("prefix, ...ids, ids"))).toThrow();
  expect(() => parseHeader(header("prefix, a, a"))).toThrow(/appears twice/);
  expect(() => parseHeader("-- KEYS: none\n-- Reply: 1\nreturn 1")).toThrow(/ARGV/);
});

test("an arguments object is laid out in its header's order, counts filled in", () => {
  expect(
    encodeArgv("delete-in-states", {
      prefix: "p:",
      ttlCompleted: 1,
      ttlDead: 2,
      states: ["completed", "dead-lettered"],
      eventIds: ["e1", "e2", "e3"],
    }),
  ).toEqual(["p:", "1", "2", "2", "completed", "dead-lettered", "e1", "e2", "e3"]);
  expect(
    encodeArgv("route", {
      prefix: "p:",
      eventId: "e",
      now: 5,
      outboxAt: 6,
      ttlCompleted: 7,
      tableDigest: "",
      tableEntries: "",
      tableTtlMs: 8,
      manifest: "",
      targets: [{ workload: "w", url: "u", maxRetries: 3 }],
    }),
  ).toEqual(["p:", "e", "5", "6", "7", "", "", "8", "", "1", "w", "u", "3"]);
});

test("an arguments object that disagrees with its header sends nothing", () => {
  const claim = {
    prefix: "p:",
    runId: "r",
    now: 1,
    leaseUntil: 2,
    outboxAt: 3,
    earlyToleranceMs: 4,
    ttlCompleted: 5,
    ttlDead: 6,
    claimToken: "t",
    failureEventId: "",
    failureEventName: "",
    failureOutboxAt: 7,
  };
  expect(encodeArgv("claim", claim)).toHaveLength(12);
  const missing: Partial<typeof claim> = { ...claim };
  delete missing.claimToken;
  expect(() => encodeArgv("claim", missing as typeof claim)).toThrow(
    /claimToken must be a string or a number/,
  );
  expect(() => encodeArgv("claim", { ...claim, extra: 1 } as typeof claim)).toThrow(
    /names no argument extra/,
  );
  expect(() => encodeArgv("claim", { ...claim, now: undefined } as unknown as typeof claim)).toThrow(
    /now must be/,
  );
  expect(() =>
    encodeArgv("route", {
      prefix: "p:",
      eventId: "e",
      now: 5,
      outboxAt: 6,
      ttlCompleted: 7,
      tableDigest: "",
      tableEntries: "",
      tableTtlMs: 8,
      manifest: "",
      targets: [{ name: "w", url: "u", maxRetries: 3 }] as never,
    }),
  ).toThrow(/names no field name in targets/);
});

/**
 * Every EngineStore call against a Redis that records each script's ARGV: each call must send
 * exactly its script's header's arguments (encodeArgv throws otherwise), and answer what the script
 * would.
 */
test("every EngineStore call passes its script exactly the arguments its header names", async () => {
  const byName = new Map(SCRIPT_NAMES.map((name) => [loadScript(name).sha, name]));
  const replies: Record<ScriptName, unknown> = {
    enqueue: ["e1", "accepted", "1", ["r1", "u1", "0"]],
    route: ["r1", "u1", "0"],
    "routing-table": 1,
    claim: ["busy"],
    checkpoint: 1,
    finish: 1,
    cancel: ["r1", "cancelled"],
    wait: ["waiting", "5000"],
    retry: ["r1", "u1", "2"],
    rerun: ["rerun", "u1", "5", "1", ["b"], ["a"]],
    "fail-delivery": ["delayed", "3", "u1", "2"],
    delete: 1,
    "delete-runs": [1, 0],
    "delete-in-states": [2, 1],
    stats: [...EVENT_STATES.map(() => 0)],
    reconcile: ["run", "r1", "u1", "2"],
    page: [0, "+inf", 0],
    "slots-acquire": "wait",
    "slots-release": ["r2", "u2", "4"],
    "throttle-take": ["wait", "2000", "r2", "u2", "4", "1500"],
    "rate-limit": 0,
    "debounce-take": ["wait", "3000"],
  };
  const sent = new Map<ScriptName, string[]>();
  const redis = {
    evalsha: async (sha: string, keys: string[], argv: string[]) => {
      const name = byName.get(sha)!;
      expect(keys).toEqual([]);
      sent.set(name, argv);
      return replies[name];
    },
    hget: async () => "1",
  } as unknown as Redis;
  const store = new EngineStore(redis, "p:", { ...DEFAULT_SETTINGS });
  const now = 1_000;
  const event = { id: "e1", name: "Signup", data: "{}", priority: 0, createdAt: now };
  expect(await store.enqueue([event], now)).toEqual([
    { id: "e1", status: "accepted", routed: true, runs: [{ runId: "r1", url: "u1", generation: 0 }] },
  ]);
  expect(await store.publishRoutingTable({ digest: "d", entries: { signup: "[]" } })).toBe(true);
  expect(await store.route("e1", [{ name: "w", url: "u1", maxRetries: 2 }], now)).toEqual([
    { runId: "r1", url: "u1", generation: 0 },
  ]);
  expect(await store.claim("r1", now, now + 10, "token")).toEqual({ status: "busy" });
  expect(await store.checkpoint("r1", 1, "s", "{}")).toBe(true);
  const outcome = { kind: "sleeping" as const, now, nextAt: now + 5, steps: [{ id: "nap", record: "{}" }] };
  expect(await store.finish("r1", 1, outcome)).toBe(true);
  expect(await store.cancelRuns(["r1"], { by: "test", at: now }, now)).toEqual([
    { runId: "r1", status: "cancelled" },
  ]);
  const wait = {
    stepId: "w",
    now,
    eventName: "Paid",
    path: "data.id",
    value: '"a"',
    timeoutAt: 5000,
    expression: "",
    condition: "",
  };
  expect(await store.waitForEvent("r1", 1, wait)).toEqual({ status: "waiting", timeoutAt: 5000 });
  expect(await store.retryRuns(["r1"], now)).toEqual([{ runId: "r1", url: "u1", generation: 2 }]);
  expect(await store.rerunRun("r1", "b", "test", now)).toEqual({
    status: "rerun",
    url: "u1",
    generation: 5,
    series: 1,
    runAgain: ["b"],
    kept: ["a"],
  });
  const error = { name: "Error", message: "gone" };
  expect(await store.failDelivery("r1", 1, error, now, () => 10)).toEqual({
    status: "delayed",
    generation: 3,
    url: "u1",
    attempt: 2,
    nextAt: now + 10,
  });
  expect(await store.deleteEvents(["e1"])).toBe(1);
  expect(await store.deleteRuns(["r1"])).toEqual({ runs: 1, events: 0 });
  expect(await store.deleteRunsInStates(["e1"], ["completed"])).toEqual({ runs: 2, events: 1 });
  expect((await store.stats()).states.pending).toBe(0);
  expect(await store.dueEntries(now, 10)).toEqual([{ kind: "run", id: "r1", target: "u1", generation: 2 }]);
  expect(await store.listEvents({ limit: 10 })).toEqual({ events: [], cursor: null });
  expect(await store.acquireSlots("r1", now, now + 10, now, ["w:0:t1", 2])).toBe("wait");
  expect(await store.releaseSlots("r1", true, now, now + 10, ["w:0:t1", 2])).toEqual([
    { runId: "r2", url: "u2", generation: 4 },
  ]);
  expect(await store.takeThrottle("w:t1", "r1", now, 100, now, 1_000, "take")).toEqual({
    kind: "wait",
    at: 2_000,
    calls: [{ target: { runId: "r2", url: "u2", generation: 4 }, at: 1_500 }],
  });
  expect(await store.takeRateLimit("w:t1", "r1", now, 60_000, 10)).toBe("skip");
  expect(await store.takeDebounce("w:k", "r1", now, now, 500, 0)).toEqual({ kind: "wait", dueAt: 3_000 });
  // Every script was called, each with as many values as its header lays out for these inputs.
  expect([...sent.keys()].sort()).toEqual([...SCRIPT_NAMES].sort());
  expect(sent.get("finish")).toHaveLength(14 + 2);
  expect(sent.get("enqueue")).toHaveLength(4 + 11);
  expect(sent.get("claim")![8]).toBe("token");
});

test("a bundle of the engine, away from the .lua files, still loads every script", async () => {
  const outfile = join(outDir, "scripts.mjs");
  await build({
    entryPoints: [new URL("./run.ts", import.meta.url).pathname],
    bundle: true,
    platform: "node",
    format: "esm",
    outfile,
    logLevel: "silent",
  });
  const bundled = (await import(pathToFileURL(outfile).href)) as typeof import("./run.ts");
  for (const name of SCRIPT_NAMES) {
    expect(bundled.loadScript(name).source).toBe(`${libraryText()}\n${lua(name)}`);
  }
});
