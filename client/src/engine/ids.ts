/**
 * What an event id looks like, in one place. The engine makes every event id (newEventId, for
 * engine/send.ts and the run-failed events): `evt_`, the time in base 36 and 16 hex digits. A run
 * id is `<eventId>.<workload>`, so an event id never holds a "."; the dashboard (a pasted id) and the extension's proxy (`events/<id>`) accept
 * exactly this pattern, through `@awl/client/api-client`. Free of dependencies, for the browser.
 */

export const EVENT_ID_PREFIX = "evt_";

/** An event id: letters, digits and _ : - (never "."), 1 to 128 characters. */
export const EVENT_ID_PATTERN = /^[A-Za-z0-9_:-]{1,128}$/;

/** A run's id: its event's and its workload's (route.lua builds the same). */
export function runIdOf(eventId: string, workload: string): string {
  return `${eventId}.${workload}`;
}

/** A new event's id: `evt_`, the time in base 36 and 16 random hex digits. */
export function newEventId(now: number): string {
  const random = Array.from(globalThis.crypto.getRandomValues(new Uint8Array(8)), (byte) =>
    byte.toString(16).padStart(2, "0"),
  ).join("");
  return `${EVENT_ID_PREFIX}${now.toString(36)}${random}`;
}
