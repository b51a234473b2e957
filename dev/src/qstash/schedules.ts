/**
 * QStash schedules (`/v2/schedules`): a publish request kept with a cron expression (`Upstash-Cron`,
 * five fields, UTC unless prefixed with `CRON_TZ=<zone>`), published as an ordinary message at every
 * firing, with `Upstash-Schedule-Id` among its headers. Create (also to replace one by its id), list,
 * get, delete, pause and resume, as the official client's `schedules` methods call them.
 *
 * Each schedule is kept in Redis with its next firing time. A firing publishes the message with a
 * deduplication key naming the schedule and that time, and only then moves the next firing on, so
 * a server that stops between the two publishes that firing again at start and the deduplication
 * drops the copy: no firing is doubled. A firing whose time passed while the server was down is
 * published once at start (late), and the schedule goes on from the next time after that: no firing
 * is missed, and a long outage does not replay every firing it spanned.
 */
import { randomBytes } from "node:crypto";
import { CronError, nextFiring, parseCron, type CronSchedule } from "@awl/client/internal";
import { QStashError } from "./errors.ts";
import { decodeBody, encodeBody, type HeaderMap } from "./message.ts";
import { acceptPublish, type AcceptedMessage } from "./publish-request.ts";
import { Scheduler } from "./scheduler.ts";
import type { StoredSchedule, Store } from "./store.ts";

/** How long to wait before firing again when the firing could not be published or recorded. */
const FIRE_RETRY_MS = 1000;

export interface ScheduleRequest {
  destination: string;
  headers: HeaderMap;
  body: Buffer;
  callerIp?: string;
  now: number;
}

/** Headers of the create request that configure the schedule itself, not the message it publishes. */
const SCHEDULE_HEADERS = new Set(["upstash-cron", "upstash-schedule-id"]);

const SCHEDULE_ID = /^[A-Za-z0-9_.-]{1,128}$/;

function newScheduleId(): string {
  return `scd_${randomBytes(12).toString("hex")}`;
}

function cronOf(raw: string): CronSchedule {
  try {
    return parseCron(raw);
  } catch (error) {
    throw new QStashError(400, `invalid Upstash-Cron header: ${(error as CronError).message}`);
  }
}

/** The message a schedule publishes, built from the stored request as a publish would build it. */
function messageOf(schedule: StoredSchedule, now: number): AcceptedMessage {
  const headers = new Map(Object.entries(schedule.headers));
  const accepted = acceptPublish({
    destination: schedule.destination,
    headers,
    body: decodeBody(schedule),
    ...(schedule.callerIp !== undefined ? { callerIp: schedule.callerIp } : {}),
    now,
  });
  accepted.message.headers["Upstash-Schedule-Id"] = schedule.scheduleId;
  return accepted;
}

/** The view `GET /v2/schedules[/id]` answers (the client's `Schedule` type). */
export function scheduleView(schedule: StoredSchedule): Record<string, unknown> {
  const { message } = messageOf(schedule, schedule.createdAt);
  const delay = Math.max(0, message.notBefore - schedule.createdAt);
  return {
    scheduleId: schedule.scheduleId,
    cron: schedule.cron,
    createdAt: schedule.createdAt,
    destination: message.url,
    method: message.method,
    header: Object.fromEntries(Object.entries(message.headers).map(([name, value]) => [name, [value]])),
    ...(message.body !== undefined ? { body: message.body } : {}),
    ...(message.bodyBase64 !== undefined ? { bodyBase64: message.bodyBase64 } : {}),
    retries: message.maxRetries,
    ...(delay > 0 ? { delay: Math.round(delay / 1000) } : {}),
    ...(message.callback ? { callback: message.callback.url } : {}),
    ...(message.failureCallback ? { failureCallback: message.failureCallback.url } : {}),
    ...(message.callerIp !== undefined ? { callerIp: message.callerIp } : {}),
    isPaused: schedule.isPaused,
    ...(message.queueName !== undefined ? { queueName: message.queueName } : {}),
    ...(message.flowControl
      ? {
          flowControlKey: message.flowControl.key,
          ...(message.flowControl.parallelism !== undefined
            ? { parallelism: message.flowControl.parallelism }
            : {}),
          ...(message.flowControl.rate !== undefined ? { rate: message.flowControl.rate } : {}),
          period: message.flowControl.period,
        }
      : {}),
    ...(message.retryDelay !== undefined ? { retryDelayExpression: message.retryDelay } : {}),
    ...(message.labels?.length ? { label: message.labels[0], labels: message.labels } : {}),
    ...(schedule.lastFiredAt !== undefined ? { lastScheduleTime: schedule.lastFiredAt } : {}),
    ...(schedule.isPaused ? {} : { nextScheduleTime: schedule.nextAt }),
  };
}

export class Schedules {
  readonly #store: Store;
  readonly #publish: (accepted: AcceptedMessage[]) => Promise<unknown>;
  readonly #log: (line: string) => void;
  readonly #schedules = new Map<string, StoredSchedule>();
  readonly #clock = new Scheduler((id) => void this.#fire(id));

  constructor(options: {
    store: Store;
    publish: (accepted: AcceptedMessage[]) => Promise<unknown>;
    log: (line: string) => void;
  }) {
    this.#store = options.store;
    this.#publish = options.publish;
    this.#log = options.log;
  }

  /** Loads the schedules; a firing that came due while no server ran fires now. */
  async start(): Promise<void> {
    for (const schedule of await this.#store.scheduleList()) {
      this.#schedules.set(schedule.scheduleId, schedule);
      if (!schedule.isPaused) this.#clock.schedule(schedule.scheduleId, schedule.nextAt);
    }
  }

  stop(): void {
    this.#clock.stop();
  }

  /** Creates a schedule, or replaces the one with the `Upstash-Schedule-Id` given (keeping its creation time). */
  async create(request: ScheduleRequest): Promise<{ scheduleId: string }> {
    const rawCron = request.headers.get("upstash-cron");
    if (rawCron === undefined || rawCron.trim() === "") {
      throw new QStashError(400, "invalid request: Upstash-Cron header is required");
    }
    const cron = cronOf(rawCron);
    const requestedId = request.headers.get("upstash-schedule-id")?.trim();
    if (requestedId !== undefined && !SCHEDULE_ID.test(requestedId)) {
      throw new QStashError(
        400,
        "invalid Upstash-Schedule-Id header: use at most 128 letters, digits, '_', '-' and '.'",
      );
    }
    const scheduleId = requestedId || newScheduleId();
    const headers = Object.fromEntries(
      [...request.headers].filter(([name]) => !SCHEDULE_HEADERS.has(name) && name !== "authorization"),
    );
    const earlier = this.#schedules.get(scheduleId);
    const schedule: StoredSchedule = {
      scheduleId,
      cron: rawCron.trim(),
      destination: request.destination,
      headers,
      ...encodeBody(request.body),
      createdAt: earlier?.createdAt ?? request.now,
      isPaused: false,
      nextAt: nextFiring(cron, request.now),
      ...(request.callerIp !== undefined ? { callerIp: request.callerIp } : {}),
    };
    messageOf(schedule, request.now); // the same 400 a publish of this request would get
    await this.#store.scheduleSave(schedule);
    this.#schedules.set(scheduleId, schedule);
    this.#clock.schedule(scheduleId, schedule.nextAt);
    return { scheduleId };
  }

  list(): Record<string, unknown>[] {
    return [...this.#schedules.values()].sort((a, b) => a.createdAt - b.createdAt).map(scheduleView);
  }

  get(scheduleId: string): Record<string, unknown> {
    return scheduleView(this.#existing(scheduleId));
  }

  async delete(scheduleId: string): Promise<void> {
    this.#existing(scheduleId);
    await this.#store.scheduleDelete(scheduleId);
    this.#schedules.delete(scheduleId);
    this.#clock.unschedule(scheduleId);
  }

  /** Pausing stops its firings; resuming goes on from the next time after now (no catching up). */
  async setPaused(scheduleId: string, paused: boolean, now: number): Promise<void> {
    const schedule = this.#existing(scheduleId);
    if (schedule.isPaused === paused) return;
    const updated: StoredSchedule = {
      ...schedule,
      isPaused: paused,
      ...(paused ? {} : { nextAt: nextFiring(cronOf(schedule.cron), now) }),
    };
    await this.#store.scheduleSave(updated);
    this.#schedules.set(scheduleId, updated);
    if (paused) this.#clock.unschedule(scheduleId);
    else this.#clock.schedule(scheduleId, updated.nextAt);
  }

  #existing(scheduleId: string): StoredSchedule {
    const schedule = this.#schedules.get(scheduleId);
    if (!schedule) throw new QStashError(404, "schedule not found");
    return schedule;
  }

  async #fire(scheduleId: string): Promise<void> {
    const schedule = this.#schedules.get(scheduleId);
    if (!schedule || schedule.isPaused) return;
    const firedAt = schedule.nextAt;
    const now = Date.now();
    try {
      const accepted = messageOf(schedule, now);
      accepted.deduplicationKey = `schedule:${scheduleId}:${firedAt}`;
      await this.#publish([accepted]);
      // Replaced, paused or deleted while publishing: that change already set what comes next.
      if (this.#schedules.get(scheduleId) !== schedule) return;
      const next: StoredSchedule = {
        ...schedule,
        lastFiredAt: firedAt,
        nextAt: nextFiring(cronOf(schedule.cron), Math.max(firedAt, now)),
      };
      await this.#store.scheduleSave(next);
      this.#schedules.set(scheduleId, next);
      this.#clock.schedule(scheduleId, next.nextAt);
    } catch (error) {
      this.#log(
        `schedule ${scheduleId}: firing of ${new Date(firedAt).toISOString()} failed, trying again: ${(error as Error).message}`,
      );
      if (this.#schedules.get(scheduleId) === schedule) this.#clock.schedule(scheduleId, now + FIRE_RETRY_MS);
    }
  }
}
