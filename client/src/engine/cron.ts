/**
 * Cron expressions as QStash schedules read them, in one place: five fields (minute, hour, day of
 * month, month, day of week), evaluated in UTC unless prefixed with `CRON_TZ=<IANA zone> `. The
 * workload config, the extension's schedule sync and `awl dev`'s schedules API all parse with this,
 * so a schedule `awl dev` accepts is one QStash accepts and fires at the same times.
 * Parsing itself is cron-parser's.
 */
import { CronExpressionParser } from "cron-parser";

export interface CronSchedule {
  /** The five fields, as written. */
  fields: string;
  /** An IANA time zone, or "UTC". */
  timezone: string;
  /** The expression QStash takes (`Upstash-Cron`): the fields, prefixed with `CRON_TZ=` unless UTC. */
  expression: string;
}

export class CronError extends Error {
  override name = "CronError";
}

const TZ_PREFIX = /^CRON_TZ=(\S+)\s+/;

function checkTimezone(timezone: string): void {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
  } catch {
    throw new CronError(
      `unknown time zone ${JSON.stringify(timezone)} (expected an IANA zone such as "Europe/Paris")`,
    );
  }
}

/** Parses `"0 9 * * 1"` or `"CRON_TZ=Europe/Paris 0 9 * * 1"`; `timezone` applies when the expression has none. */
export function parseCron(input: string, timezone?: string): CronSchedule {
  if (typeof input !== "string") throw new CronError("a cron expression must be a string");
  const trimmed = input.trim();
  const prefixed = TZ_PREFIX.exec(trimmed);
  if (prefixed && timezone !== undefined && prefixed[1] !== timezone) {
    throw new CronError(`the expression says CRON_TZ=${prefixed[1]} but the time zone given is ${timezone}`);
  }
  const zone = prefixed?.[1] ?? timezone ?? "UTC";
  const fields = (prefixed ? trimmed.slice(prefixed[0].length) : trimmed).trim().split(/\s+/).join(" ");
  const count = fields === "" ? 0 : fields.split(" ").length;
  if (count !== 5) {
    throw new CronError(
      `${JSON.stringify(input)} has ${count} field${count === 1 ? "" : "s"}; expected 5 (minute hour day-of-month month day-of-week)`,
    );
  }
  checkTimezone(zone);
  try {
    CronExpressionParser.parse(fields, { tz: zone, strict: false });
  } catch (error) {
    throw new CronError(`${JSON.stringify(input)} is not a cron expression: ${(error as Error).message}`);
  }
  const utc = zone === "UTC" || zone === "Etc/UTC";
  return { fields, timezone: zone, expression: utc ? fields : `CRON_TZ=${zone} ${fields}` };
}

/** The first time the schedule fires strictly after `after` (epoch ms). */
export function nextFiring(schedule: CronSchedule, after: number): number {
  const expression = CronExpressionParser.parse(schedule.fields, {
    tz: schedule.timezone,
    currentDate: new Date(after),
  });
  return expression.next().getTime();
}

/** The last time the schedule fired at or before `at` (epoch ms). */
export function previousFiring(schedule: CronSchedule, at: number): number {
  const expression = CronExpressionParser.parse(schedule.fields, {
    tz: schedule.timezone,
    currentDate: new Date(at + 1),
  });
  return expression.prev().getTime();
}
