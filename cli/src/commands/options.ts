/**
 * Option parsers shared by the commands, so every command refuses bad values the same way: a
 * commander InvalidArgumentError, which the program turns into a usage error (exit 2).
 */
import { userInfo } from "node:os";
import { InvalidArgumentError } from "commander";
import ms from "ms";
import { EVENT_STATES, isSiteUrl } from "@awl/client/api-client";
import type { EventState } from "@awl/client";
import {
  isTimerGranularity,
  TIMER_GRANULARITIES,
  type ModeledLatency,
  type TimerGranularity,
} from "@awl/dev/env";

/** Who a command acts as, recorded in a run's history (cancel, re-run) unless --by says otherwise. */
export function cliActor(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return "cli:unknown";
  }
}

export function parsePort(value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 0 || port > 65535) {
    throw new InvalidArgumentError(`"${value}" is not a port number (0-65535)`);
  }
  return port;
}

/** A whole number, negative allowed (priorities); the API checks the range and names it. */
export function parseInteger(value: string): number {
  if (!/^[+-]?\d+$/.test(value)) throw new InvalidArgumentError(`"${value}" is not a whole number`);
  return Number(value);
}

export function parsePositiveInteger(value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) {
    throw new InvalidArgumentError(`"${value}" is not a whole number of at least 1`);
  }
  return Number(value);
}

/**
 * A duration from now ("10s", "7 days") or an ISO date, passed on as written: the API resolves it
 * against its own clock and checks that it is neither past nor over a year ahead.
 */
export function parseDelayUntil(value: string): string {
  // ms() throws on an empty string and answers undefined for anything else it cannot read.
  const asDuration = value.trim() ? (ms(value as ms.StringValue) as number | undefined) : undefined;
  if (typeof asDuration === "number" && asDuration >= 0) return value;
  if (/^\d{4}-\d{2}-\d{2}/.test(value) && !Number.isNaN(Date.parse(value))) return value;
  throw new InvalidArgumentError(
    `"${value}" is neither a duration (such as 10s, 5m, "2 days") nor an ISO date (such as 2030-01-31T09:00:00Z)`,
  );
}

export function parseSiteUrl(value: string): string {
  if (!isSiteUrl(value)) {
    throw new InvalidArgumentError(`"${value}" is not an http(s) URL (such as http://localhost:8888)`);
  }
  return value;
}

export function parseState(value: string): EventState {
  const state = EVENT_STATES.find((known) => known === value);
  if (!state)
    throw new InvalidArgumentError(`"${value}" is not a state: use one of ${EVENT_STATES.join(", ")}`);
  return state;
}

/** For repeatable options: `--state a --state b` becomes ["a", "b"], each value checked by `parse`. */
export function collect<T>(parse: (value: string) => T): (value: string, previous: T[] | undefined) => T[] {
  return (value, previous) => [...(previous ?? []), parse(value)];
}

/** `awl dev --granularity`: when the QStash server lets a timed message go. */
export function parseGranularity(value: string): TimerGranularity {
  if (!isTimerGranularity(value)) {
    throw new InvalidArgumentError(
      `"${value}" is not a timer granularity: use one of ${TIMER_GRANULARITIES.join(", ")}`,
    );
  }
  return value;
}

/** The links `awl dev --latency` can model, by the name the option gives them. */
const LATENCY_LINKS = { redis: "redisMs", qstash: "qstashMs" } as const satisfies Record<
  string,
  keyof ModeledLatency
>;

/**
 * `awl dev --latency redis=2ms,qstash=20ms`: a round trip per link, each a duration as `ms` reads
 * it (a bare number is milliseconds). Every link named once; anything else is refused by name.
 */
export function parseLatency(value: string): ModeledLatency {
  const links = Object.keys(LATENCY_LINKS).join(", ");
  const latency: ModeledLatency = {};
  for (const part of value.split(",")) {
    const match = /^\s*([^=\s]+)\s*=\s*(.+?)\s*$/.exec(part);
    if (!match) {
      throw new InvalidArgumentError(
        `"${part}" is not link=duration (such as redis=2ms,qstash=20ms; links: ${links})`,
      );
    }
    const [, link, duration] = match as unknown as [string, string, string];
    const field = (LATENCY_LINKS as Record<string, keyof ModeledLatency>)[link];
    if (field === undefined) throw new InvalidArgumentError(`"${link}" is not a link: use ${links}`);
    if (latency[field] !== undefined) throw new InvalidArgumentError(`${link} is given twice`);
    const roundTripMs = ms(duration as ms.StringValue) as number | undefined;
    if (typeof roundTripMs !== "number" || !Number.isFinite(roundTripMs) || roundTripMs < 0) {
      throw new InvalidArgumentError(`${link}: "${duration}" is not a duration (such as 2ms or 0.5s)`);
    }
    latency[field] = roundTripMs;
  }
  return latency;
}
