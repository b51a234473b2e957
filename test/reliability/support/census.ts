/**
 * The count at the end of a fault: for every accepted event, where its runs are. Read straight
 * from Redis (the test's own client), so the count does not depend on the stack under test.
 *
 * lost = accepted events that are neither completed nor dead-lettered: missing (no record), never
 * routed, or still active when the wait ended. An event's own record must agree with its runs
 * (its per-state tally shows no active run once every run has ended), or it is counted inconsistent.
 */
import type { Redis } from "ioredis";
import { engineKeys, type EngineKeys } from "../../../client/src/engine/keys.ts";

export interface Census {
  accepted: number;
  completed: number;
  deadLettered: number;
  /** Events with a run still pending, processing, delayed or sleeping. */
  active: number;
  /** Events with no record at all. */
  missing: number;
  /** Events never routed. */
  unrouted: number;
  lost: number;
  /** Events whose own record disagrees with their runs. */
  inconsistent: number;
  /** Runs in `processing` (each run is one per event in these tests). */
  processing: number;
  runs: number;
  /** Up to three inconsistent events, with their tallies and run states, to explain a failure. */
  examples: string[];
}

/**
 * Every event's record and its runs' states, read in one script: one moment. Read in separate
 * round trips, an event routed between reading its run list and reading its record looked routed
 * with no runs, every one of them ended: counted completed while its run was still pending.
 * ARGV: the key of event "" and of run "" (keys.ts, so the layout is not repeated here), then the
 * event ids. Returns per event: its record (HGETALL, flat), its runs' states ('' if gone).
 */
const SNAPSHOT = `
local out = {}
for i = 3, #ARGV do
  local ev = ARGV[1] .. ARGV[i]
  local states = {}
  for runId in string.gmatch(redis.call('HGET', ev, 'runs') or '', '[^,]+') do
    states[#states + 1] = redis.call('HGET', ARGV[2] .. runId, 'state') or ''
  end
  out[#out + 1] = redis.call('HGETALL', ev)
  out[#out + 1] = states
end
return out`;

async function snapshot(redis: Redis, keys: EngineKeys, eventIds: readonly string[]) {
  const flat = (await redis.eval(SNAPSHOT, 0, keys.event(""), keys.run(""), ...eventIds)) as string[][];
  const events: Record<string, string>[] = [];
  const runIds: string[][] = [];
  const states: (string | null)[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const fields = flat[i]!;
    const event: Record<string, string> = {};
    for (let f = 0; f + 1 < fields.length; f += 2) event[fields[f]!] = fields[f + 1]!;
    events.push(event);
    runIds.push(event.runs ? event.runs.split(",") : []);
    states.push(...flat[i + 1]!.map((state) => state || null));
  }
  return { events, runIds, states };
}

const TERMINAL_STATES = ["completed", "dead-lettered"] as const;
const TERMINAL = new Set<string>(TERMINAL_STATES);

export async function takeCensus(redis: Redis, prefix: string, eventIds: readonly string[]): Promise<Census> {
  const keys = engineKeys(prefix);
  const census: Census = {
    accepted: eventIds.length,
    completed: 0,
    deadLettered: 0,
    active: 0,
    missing: 0,
    unrouted: 0,
    lost: 0,
    inconsistent: 0,
    processing: 0,
    runs: 0,
    examples: [],
  };
  for (let offset = 0; offset < eventIds.length; offset += 500) {
    const chunk = eventIds.slice(offset, offset + 500);
    const { events, runIds, states } = await snapshot(redis, keys, chunk);
    let cursor = 0;
    const ended: Record<string, string>[] = [];
    events.forEach((event, i) => {
      const runs = runIds[i]!;
      const runStates = states.slice(cursor, cursor + runs.length);
      cursor += runs.length;
      census.runs += runs.length;
      census.processing += runStates.filter((state) => state === "processing").length;
      if (!event.id) return void census.missing++;
      if (!event.routedAt) return void census.unrouted++;
      if (!runStates.every((state) => state !== null && TERMINAL.has(state))) return void census.active++;
      if (runStates.includes("dead-lettered")) census.deadLettered++;
      else census.completed++;
      const activeTally = ["pending", "processing", "delayed", "sleeping"].some(
        (state) => Number(event[`n:${state}`] ?? 0) > 0,
      );
      const endedTally = Number(event["n:completed"] ?? 0) + Number(event["n:dead-lettered"] ?? 0);
      ended.push(event);
      if (activeTally || endedTally !== runs.length) {
        census.inconsistent++;
        if (census.examples.length < 3) {
          const tallies = Object.entries(event).filter(([key]) => key.startsWith("n:"));
          census.examples.push(
            `${event.id} ${JSON.stringify(Object.fromEntries(tallies))} runs=${runStates.join(",")}`,
          );
        }
      }
    });
    census.inconsistent += await unindexed(redis, prefix, ended, census.examples);
  }
  census.lost = census.accepted - census.completed - census.deadLettered;
  return census;
}

/**
 * Polls the census until nothing is active any more, or until no event has ended for `timeoutMs`
 * (stalled); returns the last census. A loaded machine is slow, not stuck: the wait gives up on
 * a lack of progress, not at a fixed time (200 overrunning runs once had only 17 ended at 120 s).
 */
export async function waitForSettled(
  take: () => Promise<Census>,
  { timeoutMs = 60_000, intervalMs = 500 } = {},
): Promise<Census> {
  let ended = -1;
  let deadline = 0;
  for (;;) {
    const census = await take();
    if (census.lost === 0) return census;
    if (census.completed + census.deadLettered !== ended) {
      ended = census.completed + census.deadLettered;
      deadline = Date.now() + timeoutMs;
    } else if (Date.now() > deadline) return census;
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** How the attempts of the given events' runs ended, tallied by outcome (completed, continued, lease-expired, ...). */
export async function attemptOutcomes(
  redis: Redis,
  prefix: string,
  eventIds: readonly string[],
): Promise<Record<string, number>> {
  const keys = engineKeys(prefix);
  const tally: Record<string, number> = {};
  for (let offset = 0; offset < eventIds.length; offset += 500) {
    const chunk = eventIds.slice(offset, offset + 500);
    const runs = (await redis.pipeline(chunk.map((id) => ["hget", keys.event(id), "runs"])).exec())!.flatMap(
      ([, value]) => (value ? String(value).split(",") : []),
    );
    const lists = (await redis
      .pipeline(runs.map((runId) => ["lrange", keys.runAttempts(runId), 0, -1]))
      .exec())!;
    for (const [, value] of lists) {
      for (const text of value as string[]) {
        const outcome = (JSON.parse(text) as { outcome: string }).outcome;
        tally[outcome] = (tally[outcome] ?? 0) + 1;
      }
    }
  }
  return tally;
}

/**
 * Ended events whose index entries disagree with their tally: an event is in a terminal state's
 * index, overall and for its name, exactly when its tally counts a run in that state.
 */
async function unindexed(
  redis: Redis,
  prefix: string,
  events: Record<string, string>[],
  examples: string[],
): Promise<number> {
  const keys = engineKeys(prefix);
  const checks = events.flatMap((event) =>
    TERMINAL_STATES.flatMap((state) => {
      const expected = Number(event[`n:${state}`] ?? 0) > 0;
      return [
        { event, expected, key: keys.eventsByState(state) },
        { event, expected, key: keys.eventsByNameAndState(state, event.name!) },
      ];
    }),
  );
  if (checks.length === 0) return 0;
  const scores = (await redis.pipeline(checks.map(({ event, key }) => ["zscore", key, event.id!])).exec())!;
  const wrong = new Set<string>();
  checks.forEach(({ event, expected, key }, i) => {
    if ((scores[i]![1] !== null) === expected) return;
    wrong.add(event.id!);
    if (examples.length < 3) examples.push(`${event.id} ${expected ? "missing from" : "left in"} ${key}`);
  });
  return wrong.size;
}
