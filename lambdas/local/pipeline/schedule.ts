import { CronExpressionParser } from 'cron-parser';

/*
 * The local counterpart of EventBridge Scheduler for `zoomlake run`: when a `rate(...)` or `cron(...)` expression of
 * the config or a detection fires next. Cron fields follow EventBridge (minutes hours day-of-month month day-of-week
 * year, UTC, day-of-week 1-7 = SUN-SAT); cron-parser evaluates them once the year field is dropped and the
 * day-of-week numbers are shifted to its 0-6.
 */

const UNIT_MS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const RATE_UNIT_MS: Readonly<Record<string, number>> = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** A schedule expression or a duration that cannot be used; the message says why. */
export class ScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleError';
  }
}

/** `30s`, `5m`, `1h`, `2d` in milliseconds; at least one second. */
export function parseDuration(text: string): number {
  const match = /^([1-9]\d{0,6})([smhd])$/.exec(text.trim());
  if (!match) throw new ScheduleError(`a duration is a whole number and a unit s, m, h or d (30s, 5m, 1h), got "${text}"`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

/** When a schedule fires next: strictly after `afterMs`, by a fixed interval or a schedule expression. */
export type Schedule = { readonly everyMs: number } | { readonly expression: string };

/** The first time after `afterMs` that `schedule` fires; a rate fires `afterMs` plus its interval. */
export function nextFire(schedule: Schedule, afterMs: number): number {
  if ('everyMs' in schedule) return afterMs + schedule.everyMs;
  const { expression } = schedule;
  const rate = /^rate\(([1-9]\d*) (minute|hour|day)s?\)$/.exec(expression);
  if (rate) return afterMs + Number(rate[1]) * RATE_UNIT_MS[rate[2]!]!;
  const cron = /^cron\((.+)\)$/.exec(expression);
  if (!cron) throw new ScheduleError(`"${expression}" is neither rate(N unit) nor cron(...)`);
  const fields = cron[1]!.trim().split(/\s+/);
  if (fields.length !== 6) throw new ScheduleError(`"${expression}" needs six fields (minutes hours day-of-month month day-of-week year)`);
  const [minutes, hours, dayOfMonth, month, dayOfWeek, year] = fields as [string, string, string, string, string, string];
  if (year !== '*') throw new ScheduleError(`"${expression}": only the year "*" is supported locally; use --poll-every or --detect-every`);
  // EventBridge numbers Sunday 1, cron-parser 0; a number after '#' is an occurrence, not a day.
  const shifted = dayOfWeek.replace(/(^|[,-])(\d)/g, (_all, sep: string, day: string) => `${sep}${Number(day) - 1}`);
  try {
    return CronExpressionParser.parse([minutes, hours, dayOfMonth, month, shifted].join(' '), { currentDate: new Date(afterMs), tz: 'UTC' })
      .next()
      .getTime();
  } catch (error) {
    throw new ScheduleError(
      `"${expression}" is not a cron expression zoomlake can evaluate (${error instanceof Error ? error.message : String(error)})`,
    );
  }
}
