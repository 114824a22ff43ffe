import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConditionFailedError } from '#core/errors.ts';
import {
  acquireLease,
  backfillWindows,
  commitCursor,
  MEETING_WINDOWS,
  planWindows,
  readCursor,
  releaseLease,
  REPORT_WINDOWS,
} from '#core/poll/cursor.ts';
import { FileStateStore } from '#local/adapters/file-state/store.ts';
import { FakeClock } from '../fakes/fake-clock.ts';

const NOW = Date.UTC(2026, 10, 26, 15, 30);
const store = (clock = new FakeClock(NOW)) => ({
  clock,
  state: new FileStateStore(join(mkdtempSync(join(tmpdir(), 'zl-cursor-')), 'state.json'), clock),
});

describe('planWindows', () => {
  it.each([
    [
      'no cursor: the initial lookback through today',
      undefined,
      [
        { from: '2026-10-27', to: '2026-11-25' },
        { from: '2026-11-26', to: '2026-11-26' },
      ],
    ],
    ['a cursor of yesterday: yesterday again (overlap) and today', '2026-11-25', [{ from: '2026-11-25', to: '2026-11-26' }]],
    ['a cursor of today: today again', '2026-11-26', [{ from: '2026-11-26', to: '2026-11-26' }]],
    ['a cursor ten days back: one window from that day', '2026-11-16', [{ from: '2026-11-16', to: '2026-11-26' }]],
    [
      'a cursor a year back: floored at six months',
      '2025-11-01',
      [
        { from: '2026-05-31', to: '2026-06-29' },
        { from: '2026-06-30', to: '2026-07-29' },
        { from: '2026-07-30', to: '2026-08-28' },
        { from: '2026-08-29', to: '2026-09-27' },
        { from: '2026-09-28', to: '2026-10-27' },
        { from: '2026-10-28', to: '2026-11-26' },
      ],
    ],
    ['a cursor in the future (clock skew): today only', '2026-12-01', [{ from: '2026-11-26', to: '2026-11-26' }]],
  ])('%s', (_name, cursor, windows) => {
    expect(planWindows(cursor, NOW)).toEqual(windows);
  });

  it.each([
    ['meeting listings at 02:00, cursor at today: yesterday again (late hours)', MEETING_WINDOWS, 2, '2026-11-26', '2026-11-25'],
    ['meeting listings at 05:59: still yesterday', MEETING_WINDOWS, 5.99, '2026-11-26', '2026-11-25'],
    ['meeting listings at 06:00: today only', MEETING_WINDOWS, 6, '2026-11-26', '2026-11-26'],
    ['meeting listings, cursor three days back: from the cursor', MEETING_WINDOWS, 2, '2026-11-23', '2026-11-23'],
    ['event reports at 02:00, cursor at today: today only (no late hours)', REPORT_WINDOWS, 2, '2026-11-26', '2026-11-26'],
  ])('%s', (_name, policy, hour, cursor, from) => {
    expect(planWindows(cursor, Date.UTC(2026, 10, 26) + hour * 3_600_000, policy)).toEqual([{ from, to: '2026-11-26' }]);
  });

  it('never leaves a day between two runs uncovered', () => {
    let cursor: string | undefined;
    const covered = new Set<string>();
    for (let day = 0; day < 40; day++) {
      const now = NOW + day * 86_400_000;
      const windows = planWindows(cursor, now);
      for (const w of windows)
        for (let d = Date.parse(`${w.from}T00:00:00Z`); d <= Date.parse(`${w.to}T00:00:00Z`); d += 86_400_000)
          covered.add(new Date(d).toISOString().slice(0, 10));
      cursor = windows.at(-1)!.to;
    }
    // Every day from the first run's through the last run's (run 39) was read at least once.
    for (let d = Date.parse('2026-11-26T00:00:00Z'); d <= Date.parse('2026-11-26T00:00:00Z') + 39 * 86_400_000; d += 86_400_000) {
      expect(covered.has(new Date(d).toISOString().slice(0, 10))).toBe(true);
    }
  });

  it('keeps each window within one month', () => {
    for (const w of planWindows('2026-06-01', NOW))
      expect((Date.parse(w.to) - Date.parse(w.from)) / 86_400_000).toBeLessThan(REPORT_WINDOWS.maxWindowDays);
  });

  it('refuses a policy without overlap', () => {
    expect(() => planWindows(undefined, NOW, { ...REPORT_WINDOWS, overlapDays: 0 })).toThrow('overlapDays must be at least 1');
  });
});

describe('backfillWindows', () => {
  it.each([
    [
      'a two-month range in month-long windows',
      '2026-08-01',
      '2026-09-30',
      [
        { from: '2026-08-01', to: '2026-08-30' },
        { from: '2026-08-31', to: '2026-09-29' },
        { from: '2026-09-30', to: '2026-09-30' },
      ],
    ],
    ['a range reaching past today, cut at today', '2026-11-20', '2026-12-31', [{ from: '2026-11-20', to: '2026-11-26' }]],
    ['a range older than six months, floored', '2026-01-01', '2026-06-05', [{ from: '2026-05-31', to: '2026-06-05' }]],
  ])('%s', (_name, from, to, windows) => {
    expect(backfillWindows(from, to, NOW)).toEqual(windows);
  });

  it('rejects an empty range', () => {
    expect(() => backfillWindows('2026-02-02', '2026-02-01', NOW)).toThrow('backfill range is empty');
  });
});

describe('cursor', () => {
  it('starts empty, commits, and only moves forward', async () => {
    const { state } = store();
    expect(await readCursor(state, 'activities')).toBeUndefined();
    const first = await commitCursor(state, 'activities', undefined, '2026-11-20', NOW);
    const second = await commitCursor(state, 'activities', first, '2026-11-25', NOW);
    expect(await commitCursor(state, 'activities', second, '2026-11-21', NOW)).toEqual(second);
    expect(await readCursor(state, 'activities')).toEqual({ windowEnd: '2026-11-25', version: 2 });
  });

  it('refuses a commit from a run that read an older version', async () => {
    const { state } = store();
    const first = await commitCursor(state, 'users', undefined, '2026-11-20', NOW);
    await commitCursor(state, 'users', first, '2026-11-22', NOW);
    await expect(commitCursor(state, 'users', first, '2026-11-23', NOW)).rejects.toThrow(ConditionFailedError);
    await expect(commitCursor(state, 'users', undefined, '2026-11-23', NOW)).rejects.toThrow(ConditionFailedError);
  });

  it('keeps sources apart', async () => {
    const { state } = store();
    await commitCursor(state, 'activities', undefined, '2026-11-20', NOW);
    expect(await readCursor(state, 'operation_logs')).toBeUndefined();
  });
});

describe('lease', () => {
  it('lets one run in at a time, and the next in after release', async () => {
    const { state } = store();
    const lease = await acquireLease(state, 'activities', 'run-1', NOW, 900);
    expect(lease).toBeDefined();
    expect(await acquireLease(state, 'activities', 'run-2', NOW, 900)).toBeUndefined();
    await releaseLease(state, lease!);
    expect(await acquireLease(state, 'activities', 'run-2', NOW, 900)).toMatchObject({ owner: 'run-2' });
  });

  it('expires by itself when a run crashed holding it', async () => {
    const { clock, state } = store();
    await acquireLease(state, 'activities', 'crashed', clock.now(), 900);
    clock.advance(901_000);
    expect(await acquireLease(state, 'activities', 'next', clock.now(), 900)).toMatchObject({ owner: 'next' });
  });

  it('does not release a lease another run took over after expiry', async () => {
    const { clock, state } = store();
    const old = (await acquireLease(state, 'activities', 'slow', clock.now(), 60))!;
    clock.advance(61_000);
    await acquireLease(state, 'activities', 'new', clock.now(), 60);
    await releaseLease(state, old);
    expect(await acquireLease(state, 'activities', 'third', clock.now(), 60)).toBeUndefined();
  });
});
