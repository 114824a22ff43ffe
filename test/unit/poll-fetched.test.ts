import { describe, expect, it } from 'vitest';
import { LakeWriter } from '#core/lake/writer.ts';
import { commitCursor, readCursor } from '#core/poll/cursor.ts';
import { listingFingerprint, readFetched, REPORT_SETTLE_MS, reportsSettled } from '#core/poll/fetched.ts';
import { readBacklog } from '#core/poll/risk.ts';
import { DEFAULT_POLL_SETTINGS, pollSource, type PollDeps } from '#core/poll/run.ts';
import { POLL_SOURCES } from '#core/poll/sources.ts';
import type { ZoomApi, ZoomPage, ZoomPageRequest } from '#core/ports.ts';
import type { Row } from '#core/schema/types.ts';
import { ZoomBudgetError } from '#core/zoom/errors.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';
import { MemoryStateStore } from '../support/memory-state-store.ts';

const HOUR = 3_600_000;
const DAY = '2026-11-25';
const at = (day: string, hh: number, mm = 0) => Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)) - 1, Number(day.slice(8, 10)), hh, mm);

/** A past meeting as the fake account holds it. */
interface FakeMeeting {
  readonly uuid: string;
  readonly start: number;
  readonly end: number;
  /** Join sessions in its reports. @default 2 */
  readonly sessions?: number;
}

/**
 * Zoom's dashboard listing and per-meeting participant reports over a few meetings: a meeting is listed (under its
 * start day) only once it has ended, as Zoom lists past meetings. Per-meeting calls are recorded and counted against
 * `budget`, past which they fail as a spent share does.
 */
class FakeZoom implements ZoomApi {
  /** Per-meeting calls, as `report:<uuid>` or `dashboard:<uuid>`. */
  readonly fetched: string[] = [];
  readonly listings: string[] = [];
  budget = Number.POSITIVE_INFINITY;
  constructor(
    public meetings: FakeMeeting[],
    private readonly clock: FakeClock,
  ) {}

  async *paginate<T>(request: ZoomPageRequest): AsyncIterable<ZoomPage<T>> {
    const q = request.query ?? {};
    if (request.path === '/metrics/meetings') {
      this.listings.push(`${q.from}..${q.to}`);
      const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
      const listed = this.meetings.filter((m) => day(m.start) >= q.from! && day(m.start) <= q.to! && m.end <= this.clock.now());
      const items = listed.map((m) => ({
        uuid: m.uuid,
        id: 81_000,
        topic: 'Weekly sync',
        email: 'ann@example.com',
        start_time: new Date(m.start).toISOString(),
        end_time: new Date(m.end).toISOString(),
        participants: m.sessions ?? 2,
      }));
      yield { items: items as T[], page: 1, restarts: 0 };
      return;
    }
    const per = /^\/(report|metrics)\/meetings\/([^/]+)\/participants$/.exec(request.path);
    if (!per) throw new Error(`unexpected ${request.path}`);
    const uuid = decodeURIComponent(per[2]!);
    if (this.fetched.length >= this.budget) throw new ZoomBudgetError('daily zoom api budget share spent', 1000);
    this.fetched.push(`${per[1] === 'report' ? 'report' : 'dashboard'}:${uuid}`);
    const m = this.meetings.find((x) => x.uuid === uuid)!;
    const sessions = Array.from({ length: m.sessions ?? 2 }, (_, i) => ({
      id: `u${i}`,
      user_id: String(i),
      user_email: `p${i}@example.com`,
      email: `p${i}@example.com`,
      join_time: new Date(m.start + i * 60_000).toISOString(),
      leave_time: new Date(m.end).toISOString(),
    }));
    yield { items: sessions as T[], page: 1, restarts: 0 };
  }

  async get<T>(): Promise<T> {
    throw new Error('not used');
  }
}

/** Poll deps at `now`, keeping the rows written (after a flush) by table; the cursor starts at the day before `now`. */
async function setup(meetings: FakeMeeting[], now: number) {
  const clock = new FakeClock(now);
  const state = new MemoryStateStore(clock);
  const api = new FakeZoom(meetings, clock);
  const store = new MemoryObjectStore();
  const written: Record<string, Row[]> = {};
  let failFlush = false;
  const d: PollDeps = {
    api,
    plan: 'business',
    clock,
    owner: 'test',
    leaseSeconds: 60,
    state,
    settings: DEFAULT_POLL_SETTINGS,
    newWriter: () => {
      const writer = new LakeWriter({ store, clock, newId: () => 'id', writerId: 'w' });
      const pending: [string, Row][] = [];
      const add = writer.add.bind(writer);
      const flush = writer.flush.bind(writer);
      writer.add = (table, row) => {
        pending.push([table, row]);
        return add(table, row);
      };
      writer.flush = async () => {
        if (failFlush) throw new Error('s3 down');
        const files = await flush();
        for (const [table, row] of pending) (written[table] ??= []).push(row);
        return files;
      };
      return writer;
    },
  };
  const yesterday = new Date(now - 86_400_000).toISOString().slice(0, 10);
  for (const name of ['meetings', 'participant_details']) await commitCursor(state, name, await readCursor(state, name), yesterday, now - 86_400_000);
  return {
    api,
    clock,
    deps: d,
    state,
    written,
    failFlushes: (fail: boolean) => {
      failFlush = fail;
    },
  };
}

const SOURCES = [
  { source: 'meetings', call: 'report', table: 'meeting_participants' },
  { source: 'participant_details', call: 'dashboard', table: 'participant_details' },
] as const;

/** Three meetings of DAY, ended by 12:00. */
const MORNING: FakeMeeting[] = [
  { uuid: 'm1', start: at(DAY, 9), end: at(DAY, 10) },
  { uuid: 'm2', start: at(DAY, 10), end: at(DAY, 10, 30) },
  { uuid: 'm3', start: at(DAY, 11), end: at(DAY, 11, 10) },
];

describe.each(SOURCES)('the $source source fetches each meeting instance once', ({ source, call, table }) => {
  const run = (d: PollDeps) => pollSource(POLL_SOURCES[source]!, d);

  it('a second run over the same window lists it again but asks about no meeting it has', async () => {
    const { api, clock, deps, written } = await setup(MORNING, at(DAY, 12));
    expect(await run(deps)).toMatchObject({ status: 'ok' });
    expect(api.fetched.sort()).toEqual([`${call}:m1`, `${call}:m2`, `${call}:m3`]);
    clock.advance(HOUR);
    expect(await run(deps)).toMatchObject({ status: 'ok', records: 0 });
    expect(api.fetched).toHaveLength(3);
    // Both runs read today's listing (the first from its cursor at yesterday): that is how new and changed meetings are found.
    expect(api.listings).toEqual([`2026-11-24..${DAY}`, `${DAY}..${DAY}`]);
    expect(written[table]).toHaveLength(6);
  });

  it.each([
    {
      name: 'a meeting that ends after the first run is fetched by a later one',
      change: (ms: FakeMeeting[]) => [...ms, { uuid: 'm4', start: at(DAY, 11, 30), end: at(DAY, 12, 5) }],
      then: ['m4'],
    },
    {
      name: 'a meeting whose listing changes (a late report adds a session) is fetched again',
      change: (ms: FakeMeeting[]) => ms.map((m) => (m.uuid === 'm2' ? { ...m, sessions: 3 } : m)),
      then: ['m2'],
    },
    { name: 'an unchanged account asks about nothing', change: (ms: FakeMeeting[]) => ms, then: [] },
  ])('$name', async ({ change, then }) => {
    const { api, clock, deps } = await setup(MORNING, at(DAY, 12));
    await run(deps);
    api.fetched.length = 0;
    api.meetings = change(api.meetings);
    clock.advance(HOUR);
    expect(await run(deps)).toMatchObject({ status: 'ok' });
    expect(api.fetched).toEqual(then.map((u) => `${call}:${u}`));
  });

  it('leaves a meeting whose reports may still be arriving to a later scheduled run, and fetches it once then', async () => {
    const fresh = { uuid: 'fresh', start: at(DAY, 11, 20), end: at(DAY, 11, 50) };
    const { api, clock, deps } = await setup([...MORNING, fresh], at(DAY, 12));
    await run(deps);
    expect(api.fetched).not.toContain(`${call}:fresh`);
    clock.advance(HOUR);
    await run(deps);
    clock.advance(HOUR);
    await run(deps);
    expect(api.fetched.filter((f) => f === `${call}:fresh`)).toHaveLength(1);
  });

  it('reads yesterday again in the first hours of a day: a meeting that ran past midnight is found', async () => {
    const yesterday = '2026-11-24';
    const late = { uuid: 'late', start: at(yesterday, 23, 30), end: at(DAY, 0, 40) };
    // The cursor is at today already: only the late hours bring yesterday back.
    const { api, deps, state } = await setup([late], at(DAY, 2));
    await commitCursor(state, source, await readCursor(state, source), DAY, at(DAY, 1));
    await run(deps);
    expect(api.listings).toEqual([`${yesterday}..${DAY}`]);
    expect(api.fetched).toEqual([`${call}:late`]);
  });

  it('a spent budget stops the run keeping what it fetched; the next run fetches only the rest', async () => {
    const { api, clock, deps, state, written } = await setup(MORNING, at(DAY, 12));
    api.budget = 1;
    const first = await run(deps);
    expect(first).toMatchObject({ status: 'stopped', skipped: 2 });
    expect(first.reason).toContain('budget');
    expect(written[table]).toHaveLength(2);
    expect([...(await readFetched(state, source, [DAY])).keys()]).toEqual([api.fetched[0]!.split(':')[1]]);
    api.budget = Number.POSITIVE_INFINITY;
    clock.advance(HOUR);
    expect(await run(deps)).toMatchObject({ status: 'ok' });
    expect(api.fetched.sort()).toEqual([`${call}:m1`, `${call}:m2`, `${call}:m3`]);
    expect(written[table]).toHaveLength(6);
  });

  it('marks nothing when the rows could not be written: the next run fetches them again', async () => {
    const { api, clock, deps, state, failFlushes } = await setup(MORNING, at(DAY, 12));
    failFlushes(true);
    await expect(run(deps)).rejects.toThrow('s3 down');
    expect((await readFetched(state, source, [DAY])).size).toBe(0);
    failFlushes(false);
    clock.advance(HOUR);
    await run(deps);
    expect(api.fetched.filter((f) => f === `${call}:m1`)).toHaveLength(2);
  });

  it('a backfill reads its range whole, meetings already fetched too', async () => {
    const { api, deps } = await setup(MORNING, at(DAY, 12));
    await run(deps);
    await pollSource(POLL_SOURCES[source]!, deps, { from: DAY, to: DAY });
    expect(api.fetched.filter((f) => f === `${call}:m1`)).toHaveLength(2);
  });

  it('a backfill fetches a meeting still settling but leaves it unmarked for the scheduled runs', async () => {
    const fresh = { uuid: 'fresh', start: at(DAY, 11, 20), end: at(DAY, 11, 50) };
    const { api, clock, deps, state } = await setup([fresh], at(DAY, 12));
    await pollSource(POLL_SOURCES[source]!, deps, { from: DAY, to: DAY });
    expect(api.fetched).toEqual([`${call}:fresh`]);
    expect((await readFetched(state, source, [DAY])).size).toBe(0);
    clock.advance(HOUR);
    await run(deps);
    expect(api.fetched).toEqual([`${call}:fresh`, `${call}:fresh`]);
    expect([...(await readFetched(state, source, [DAY])).keys()]).toEqual(['fresh']);
  });
});

describe.each(SOURCES)('the $source source under a spent budget', ({ source, call }) => {
  it('commits its window and keeps the rest in its backlog, fetched later without listing their day again', async () => {
    const { api, clock, deps, state } = await setup(MORNING, at(DAY, 12));
    api.budget = 1;
    expect(await pollSource(POLL_SOURCES[source]!, deps)).toMatchObject({ status: 'stopped', skipped: 2, budget: { backlog: 2 } });
    expect((await readCursor(state, source))?.windowEnd).toBe(DAY);
    expect((await readBacklog(state, source)).map((b) => b.uuid).sort()).toHaveLength(2);
    // The next day the budget is still spent (the window moves on); the day after, the window no longer holds DAY.
    clock.set(at('2026-11-26', 12));
    expect(await pollSource(POLL_SOURCES[source]!, deps)).toMatchObject({ status: 'stopped', budget: { backlog: 2 } });
    api.budget = Number.POSITIVE_INFINITY;
    clock.set(at('2026-11-27', 12));
    expect(await pollSource(POLL_SOURCES[source]!, deps)).toMatchObject({ status: 'ok', skipped: 0, budget: { backlog: 0 } });
    expect(api.listings.at(-1)).toBe('2026-11-26..2026-11-27');
    expect(api.fetched.sort()).toEqual([`${call}:m1`, `${call}:m2`, `${call}:m3`]);
    expect(await readBacklog(state, source)).toEqual([]);
  });
});

describe('fetch marks', () => {
  it.each([
    ['ended an hour ago', { end_time: '2026-11-25T11:00:00Z' }, true],
    ['ended just now', { end_time: '2026-11-25T11:59:00Z' }, false],
    ['ended exactly the settle time ago', { end_time: new Date(at(DAY, 12) - REPORT_SETTLE_MS).toISOString() }, true],
    ['without an end time', {}, true],
  ])('a meeting %s has settled reports: %s', (_name, item, settled) => {
    expect(reportsSettled(item, at(DAY, 12))).toBe(settled);
  });

  it('fingerprints a listing item whatever the order of its keys, and tells changed items apart', () => {
    const a = { uuid: 'x', participants: 2, custom_keys: [{ key: 'k', value: 'v' }] };
    expect(listingFingerprint({ participants: 2, custom_keys: [{ value: 'v', key: 'k' }], uuid: 'x' })).toBe(listingFingerprint(a));
    expect(listingFingerprint({ ...a, participants: 3 })).not.toBe(listingFingerprint(a));
  });
});
