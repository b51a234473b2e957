/**
 * Option parsers shared by the commands, so every command refuses bad values the same way: a
 * commander InvalidArgumentError, which the program turns into a usage error (exit 2).
 */
import { InvalidArgumentError } from "commander";
import ms from "ms";
import { EVENT_STATES, isSiteUrl } from "@awl/client/api-client";
import type { EventState } from "@awl/client";

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
