/**
 * Load shapes. `closedLoop`: `users` senders, each sending an event and waiting until every run it
 * started is done before sending the next, which measures latency at a given concurrency without
 * letting a fast producer flood a slow consumer. `openLoop`: everything sent as fast as `users`
 * senders can, then waited for.
 */
import type { Tracker } from "./tracker.ts";
import type { Deployment } from "../systems/types.ts";

export interface EventTiming {
  seq: number;
  keys: string[];
  sentAt: number;
  /** When the last of its runs was done (performance.now()). */
  doneAt: number;
}

async function sendAndWait(
  deployment: Deployment,
  tracker: Tracker,
  event: string,
  seq: number,
): Promise<EventTiming> {
  const sentAt = performance.now();
  const keys = await deployment.send(event, seq);
  const done = await Promise.all(keys.map((key) => tracker.whenDone(key)));
  return { seq, keys, sentAt, doneAt: Math.max(...done) };
}

export async function closedLoop(
  deployment: Deployment,
  tracker: Tracker,
  event: string,
  options: { count: number; users: number; firstSeq?: number },
): Promise<{ events: EventTiming[]; elapsedMs: number }> {
  const events: EventTiming[] = [];
  let next = 0;
  const started = performance.now();
  const user = async () => {
    for (let i = next++; i < options.count; i = next++) {
      events.push(await sendAndWait(deployment, tracker, event, (options.firstSeq ?? 0) + i));
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.users, options.count) }, user));
  return { events, elapsedMs: performance.now() - started };
}

export async function openLoop(
  deployment: Deployment,
  tracker: Tracker,
  event: string,
  options: { count: number; users: number; firstSeq?: number },
): Promise<{ events: EventTiming[]; elapsedMs: number }> {
  const started = performance.now();
  const sent: { seq: number; keys: string[]; sentAt: number }[] = [];
  let next = 0;
  const user = async () => {
    for (let i = next++; i < options.count; i = next++) {
      const sentAt = performance.now();
      const seq = (options.firstSeq ?? 0) + i;
      sent.push({ seq, keys: await deployment.send(event, seq), sentAt });
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.users, options.count) }, user));
  const events = await Promise.all(
    sent.map(async (event) => ({
      ...event,
      doneAt: Math.max(...(await Promise.all(event.keys.map((key) => tracker.whenDone(key))))),
    })),
  );
  return { events, elapsedMs: performance.now() - started };
}
