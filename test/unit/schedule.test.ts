import { describe, expect, it } from 'vitest';
import { nextFire, parseDuration, ScheduleError } from '#local/pipeline/schedule.ts';

const at = (iso: string) => Date.parse(iso);

describe('parseDuration', () => {
  it.each([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    [' 15m ', 900_000],
  ])('%s is %d ms', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each(['0s', '5', 'm', '1.5h', '-1m', '10 m', '5w', '', '99999999s'])('refuses "%s" with a message giving the form', (text) => {
    expect(() => parseDuration(text)).toThrow(ScheduleError);
    expect(() => parseDuration(text)).toThrow(/30s, 5m, 1h/);
  });
});

describe('nextFire', () => {
  it.each([
    ['a fixed interval', { everyMs: 30_000 }, '2026-12-06T10:00:00Z', '2026-12-06T10:00:30Z'],
    ['rate(1 hour)', { expression: 'rate(1 hour)' }, '2026-12-06T10:17:00Z', '2026-12-06T11:17:00Z'],
    ['rate(6 hours)', { expression: 'rate(6 hours)' }, '2026-12-06T10:00:00Z', '2026-12-06T16:00:00Z'],
    ['rate(1 day)', { expression: 'rate(1 day)' }, '2026-12-06T10:00:00Z', '2026-12-07T10:00:00Z'],
    ['rate(5 minutes)', { expression: 'rate(5 minutes)' }, '2026-12-06T10:00:00Z', '2026-12-06T10:05:00Z'],
    // The detections' nightly cron, in UTC as EventBridge evaluates it.
    ['cron later the same day', { expression: 'cron(30 1 * * ? *)' }, '2026-12-06T00:10:00Z', '2026-12-06T01:30:00Z'],
    ['cron the next day', { expression: 'cron(30 1 * * ? *)' }, '2026-12-06T01:30:00Z', '2026-12-07T01:30:00Z'],
    // 2026-12-06 is a Sunday; EventBridge numbers days 1 (SUN) to 7 (SAT).
    ['cron on weekdays by name', { expression: 'cron(0 9 ? * MON-FRI *)' }, '2026-12-06T12:00:00Z', '2026-12-07T09:00:00Z'],
    ['cron on day 2 = Monday', { expression: 'cron(0 9 ? * 2 *)' }, '2026-12-06T12:00:00Z', '2026-12-07T09:00:00Z'],
    ['cron on days 6-7 = Friday and Saturday', { expression: 'cron(0 9 ? * 6-7 *)' }, '2026-12-06T12:00:00Z', '2026-12-11T09:00:00Z'],
    ['cron on the first of the month', { expression: 'cron(0 0 1 * ? *)' }, '2026-12-06T12:00:00Z', '2027-01-01T00:00:00Z'],
  ] as const)('%s', (_name, schedule, after, next) => {
    expect(new Date(nextFire(schedule, at(after))).toISOString()).toBe(new Date(at(next)).toISOString());
  });

  it.each([
    ['not an expression', 'every hour', /neither rate/],
    ['five fields', 'cron(30 1 * * ?)', /six fields/],
    ['a fixed year', 'cron(30 1 * * ? 2027)', /only the year "\*"/],
    ['a bad field', 'cron(99 1 * * ? *)', /not a cron expression/],
  ])('refuses %s', (_name, expression, message) => {
    expect(() => nextFire({ expression }, at('2026-12-06T00:00:00Z'))).toThrow(message);
  });
});
