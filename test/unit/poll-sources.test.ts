import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LakeWriter } from '#core/lake/writer.ts';
import { readCursor } from '#core/poll/cursor.ts';
import { DEFAULT_POLL_SETTINGS, MAX_RUN_WARNINGS, pollSource, type PollDeps } from '#core/poll/run.ts';
import { POLL_SOURCES } from '#core/poll/sources.ts';
import type { ZoomApi, ZoomPage, ZoomPageRequest, ZoomRequest } from '#core/ports.ts';
import type { Row } from '#core/schema/types.ts';
import { ZoomBudgetError, ZoomNotFoundError, ZoomPlanError, ZoomRequestError, ZoomScopeError, ZoomServerError } from '#core/zoom/errors.ts';
import type { ZoomPlan } from '#core/zoom/rate-limit.ts';
import { FileStateStore } from '#local/adapters/file-state/store.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';

const NOW = Date.UTC(2026, 10, 26, 12);
const WINDOW = { from: '2026-11-20', to: '2026-11-25' };

/** A Zoom API answering from scripted handlers, recording every call (path, query, category). */
class ScriptedApi implements ZoomApi {
  readonly calls: { path: string; query: Readonly<Record<string, string>>; category: string }[] = [];
  constructor(
    private readonly pages: (request: ZoomPageRequest) => unknown[][],
    private readonly single: (request: ZoomRequest) => unknown = () => {
      throw new Error('no single GET expected');
    },
  ) {}

  async *paginate<T>(request: ZoomPageRequest): AsyncIterable<ZoomPage<T>> {
    this.calls.push({ path: request.path, query: request.query ?? {}, category: request.category });
    let page = 0;
    for (const items of this.pages(request)) yield { items: items as T[], page: ++page, restarts: 0 };
  }

  async get<T>(request: ZoomRequest): Promise<T> {
    this.calls.push({ path: request.path, query: request.query ?? {}, category: request.category });
    return this.single(request) as T;
  }
}

/** Poll deps over `api`, keeping every row the sources add, by table. */
function deps(api: ZoomApi, plan: ZoomPlan = 'business', settings = DEFAULT_POLL_SETTINGS) {
  const clock = new FakeClock(NOW);
  const store = new MemoryObjectStore();
  const rows: Record<string, Row[]> = {};
  const state = new FileStateStore(join(mkdtempSync(join(tmpdir(), 'zl-sources-')), 'state.json'), clock);
  const d: PollDeps = {
    api,
    plan,
    clock,
    owner: 'test',
    leaseSeconds: 60,
    state,
    settings,
    newWriter: () => {
      const writer = new LakeWriter({ store, clock, newId: () => 'id', writerId: 'w' });
      const add = writer.add.bind(writer);
      writer.add = (table, row) => {
        (rows[table] ??= []).push(row);
        return add(table, row);
      };
      return writer;
    },
  };
  return { deps: d, rows, state, store };
}

const activities = POLL_SOURCES.meeting_activities!;
const recordings = POLL_SOURCES.recordings!;

describe('the meeting_activities source', () => {
  const log = (detail: string, time = '2026-11-24 10:00:00:000') => ({
    meeting_number: '982 610 0285',
    activity_time: time,
    operator: 'Ann Adams',
    operator_email: 'ann@example.com',
    activity_category: 'Remote Control',
    activity_detail: detail,
  });

  it('reads each configured activity type in its own Heavy request per window, every page', async () => {
    const api = new ScriptedApi((r) =>
      r.query?.activity_type === 'Remote Control'
        ? [[log('Ann Adams gave remote control to Bob Brown')], [log('Bob Brown requested remote control', '2026-11-24 09:59:58:100')]]
        : [[{ ...log('Bob Brown joined the meeting'), activity_category: 'User joined' }]],
    );
    const { deps: d, rows } = deps(api, 'business', { ...DEFAULT_POLL_SETTINGS, meetingActivityTypes: ['Remote Control', 'User Join'] });
    const run = await pollSource(activities, d, WINDOW);
    expect(run).toMatchObject({ status: 'ok', windows: 1, records: 3, rejected: 0 });
    expect(api.calls).toEqual([
      {
        path: '/report/meeting_activities',
        query: { from: WINDOW.from, to: WINDOW.to, activity_type: 'Remote Control' },
        category: 'Heavy',
      },
      { path: '/report/meeting_activities', query: { from: WINDOW.from, to: WINDOW.to, activity_type: 'User Join' }, category: 'Heavy' },
    ]);
    expect(rows.meeting_activities?.map((r) => [r.meeting_id, r.activity_detail])).toEqual([
      ['9826100285', 'Ann Adams gave remote control to Bob Brown'],
      ['9826100285', 'Bob Brown requested remote control'],
      ['9826100285', 'Bob Brown joined the meeting'],
    ]);
  });

  it('counts an entry without a readable time as rejected and keeps the rest', async () => {
    const api = new ScriptedApi(() => [[log('fine'), { ...log('broken'), activity_time: '24/11/2026' }]]);
    const { deps: d, rows } = deps(api);
    expect(await pollSource(activities, d, WINDOW)).toMatchObject({ status: 'ok', records: 1, rejected: 1 });
    expect(rows.meeting_activities?.map((r) => r.activity_detail)).toEqual(['fine']);
  });

  it('follows its cursor in one-month windows with a day of overlap, as the other reports', async () => {
    const api = new ScriptedApi(() => [[]]);
    const { deps: d, state } = deps(api);
    await pollSource(activities, d);
    expect(api.calls.map((c) => `${c.query.from}..${c.query.to}`)).toEqual(['2026-10-27..2026-11-25', '2026-11-26..2026-11-26']);
    expect((await readCursor(state, 'meeting_activities'))?.windowEnd).toBe('2026-11-26');
    api.calls.length = 0;
    await pollSource(activities, d);
    expect(api.calls.map((c) => `${c.query.from}..${c.query.to}`)).toEqual(['2026-11-26..2026-11-26']);
  });

  it.each(['free', 'pro'] as const)('is off on a %s plan with the reason, without asking Zoom', async (plan) => {
    const api = new ScriptedApi(() => [[log('x')]]);
    const { deps: d, state } = deps(api, plan);
    const run = await pollSource(activities, d);
    expect(run).toMatchObject({ status: 'disabled', windows: 0, records: 0 });
    expect(run.reason).toBe(`meeting_activities needs a Zoom plan of business or enterprise; planTier is ${plan}, so it is off without asking Zoom`);
    expect(api.calls).toEqual([]);
    expect(await readCursor(state, 'meeting_activities')).toBeUndefined();
  });

  it('is disabled, not failed, when Zoom refuses it (the audit trail not enabled for the account)', async () => {
    const api = new ScriptedApi(() => {
      throw new ZoomPlanError('GET /report/meeting_activities: not available on this account', { status: 400, code: 200, endpoint: 'api' });
    });
    const { deps: d } = deps(api);
    expect(await pollSource(activities, d, WINDOW)).toMatchObject({
      status: 'disabled',
      reason: expect.stringContaining('not available') as unknown,
    });
  });

  it('stops with the cursor where it was when the daily budget runs out between activity types', async () => {
    const api = new ScriptedApi((r) => {
      if (r.query?.activity_type === 'User Left') throw new ZoomBudgetError('daily zoom api budget share spent', 1000);
      return [[log('x')]];
    });
    const { deps: d, state } = deps(api, 'enterprise', { ...DEFAULT_POLL_SETTINGS, meetingActivityTypes: ['User Join', 'User Left'] });
    expect(await pollSource(activities, d)).toMatchObject({ status: 'stopped', windows: 0 });
    expect(await readCursor(state, 'meeting_activities')).toBeUndefined();
  });
});

describe('the recordings source with sharing settings', () => {
  const meeting = (uuid: string, files: number) => ({
    uuid,
    id: 81_000_000_001,
    start_time: '2026-11-24T10:00:00Z',
    recording_files: Array.from({ length: files }, (_, i) => ({ id: `${uuid}-f${i}`, file_type: 'MP4' })),
  });
  const listing =
    (live: unknown[], trash: unknown[] = []) =>
    (r: ZoomPageRequest) => [r.query?.trash === 'true' ? trash : live];
  const settingsPath = (uuid: string) => `/meetings/${encodeURIComponent(uuid)}/recordings/settings`;

  it('reads each listed meeting instance once (not per file), as a Light call, and puts it on every file row', async () => {
    const api = new ScriptedApi(listing([meeting('a==', 3), meeting('/b//c==', 2)], [meeting('t==', 1)]), (r) =>
      r.path === settingsPath('a==')
        ? { share_recording: 'publicly', password: '', recording_authentication: false, viewer_download: true, on_demand: false }
        : { share_recording: 'internally', password: 'Zx8!secret', recording_authentication: true, viewer_download: false, on_demand: false },
    );
    const { deps: d, rows } = deps(api);
    const run = await pollSource(recordings, d, WINDOW);
    expect(run).toMatchObject({ status: 'ok', records: 6, rejected: 0 });
    expect(run.warnings).toBeUndefined();
    const settingsCalls = api.calls.filter((c) => c.path.endsWith('/recordings/settings'));
    // The '/' UUID is encoded twice; the trashed recording is not asked about.
    expect(settingsCalls).toEqual([
      { path: settingsPath('a=='), query: {}, category: 'Light' },
      { path: `/meetings/${encodeURIComponent(encodeURIComponent('/b//c=='))}/recordings/settings`, query: {}, category: 'Light' },
    ]);
    const byMeeting = (uuid: string) => rows.recordings!.filter((r) => r.meeting_uuid === uuid);
    expect(byMeeting('a==').map((r) => [r.share_recording, r.recording_has_passcode, r.viewer_download])).toEqual(
      Array.from({ length: 3 }, () => ['publicly', false, true]),
    );
    expect(byMeeting('/b//c==').map((r) => [r.share_recording, r.recording_has_passcode])).toEqual([
      ['internally', true],
      ['internally', true],
    ]);
    expect(byMeeting('t==')).toEqual([expect.objectContaining({ in_trash: true, share_recording: null, recording_has_passcode: null })]);
    expect(JSON.stringify(rows)).not.toContain('Zx8!secret');
  });

  it('asks once for a meeting listed twice (a page-token restart re-reads the listing)', async () => {
    const api = new ScriptedApi(
      (r) => (r.query?.trash === 'true' ? [[]] : [[meeting('a==', 1)], [meeting('a==', 1), meeting('b==', 1)]]),
      () => ({ share_recording: 'none' }),
    );
    const { deps: d } = deps(api);
    expect(await pollSource(recordings, d, WINDOW)).toMatchObject({ status: 'ok', records: 3 });
    expect(api.calls.filter((c) => c.path.endsWith('/settings')).map((c) => c.path)).toEqual([settingsPath('a=='), settingsPath('b==')]);
  });

  it.each([
    [
      'a 404',
      new ZoomNotFoundError('GET /meetings/a%3D%3D/recordings/settings: not found (404 code 3301)', { status: 404, code: 3301, endpoint: 'api' }),
    ],
    [
      'a rejected request',
      new ZoomRequestError('GET /meetings/a%3D%3D/recordings/settings: zoom rejected the request (400 code 3303)', {
        status: 400,
        code: 3303,
        endpoint: 'api',
      }),
    ],
  ])('keeps the rows of a meeting whose settings answer %s, with NULL sharing and a warning naming it', async (_name, refusal) => {
    const api = new ScriptedApi(listing([meeting('a==', 2), meeting('b==', 1)]), (r) => {
      if (r.path === settingsPath('a==')) throw refusal;
      return { share_recording: 'none', password: 'pw' };
    });
    const { deps: d, rows } = deps(api);
    const run = await pollSource(recordings, d, WINDOW);
    expect(run).toMatchObject({ status: 'ok', records: 3, rejected: 0 });
    expect(run.warnings?.count).toBe(1);
    expect(run.warnings?.first[0]).toBe(`recording sharing settings of meeting a== not read, its rows keep NULL sharing columns: ${refusal.message}`);
    expect(rows.recordings!.map((r) => [r.meeting_uuid, r.share_recording])).toEqual([
      ['a==', null],
      ['a==', null],
      ['b==', 'none'],
    ]);
  });

  it.each([
    ['a missing scope', new ZoomScopeError('the app is missing a scope (400 code 4711)', { status: 400, code: 4711, endpoint: 'api' })],
    ['no permission', new ZoomPlanError('not available on this account (400 code 200)', { status: 400, code: 200, endpoint: 'api' })],
    ['a spent budget', new ZoomBudgetError('daily zoom api budget share spent', 1000)],
  ])('after %s asks no more settings in the window, and still writes every row', async (_name, refusal) => {
    const api = new ScriptedApi(listing([meeting('a==', 1), meeting('b==', 1), meeting('c==', 1)]), () => {
      throw refusal;
    });
    const { deps: d, rows, state } = deps(api);
    const run = await pollSource(recordings, d, WINDOW);
    expect(run).toMatchObject({ status: 'ok', records: 3 });
    expect(api.calls.filter((c) => c.path.endsWith('/settings'))).toHaveLength(1);
    expect(run.warnings).toEqual({
      count: 1,
      first: [
        `recording sharing settings not read for the rest of ${WINDOW.from}..${WINDOW.to}, their rows keep NULL sharing columns: ${refusal.message}`,
      ],
    });
    expect(rows.recordings!.every((r) => r.share_recording === null)).toBe(true);
    expect((await readCursor(state, 'recordings'))?.windowEnd).toBe(WINDOW.to);
  });

  it('fails the window on a server error, writing nothing and leaving the cursor, so the next run reads it again', async () => {
    const api = new ScriptedApi(listing([meeting('a==', 1)]), () => {
      throw new ZoomServerError('zoom server error (503)', { status: 503, endpoint: 'api' });
    });
    const { deps: d, store, state } = deps(api);
    await expect(pollSource(recordings, d, WINDOW)).rejects.toThrow('zoom server error');
    expect(await store.list('zoom/recordings/')).toEqual([]);
    expect(await readCursor(state, 'recordings')).toBeUndefined();
  });

  it(`keeps the first ${MAX_RUN_WARNINGS} warnings and counts the rest`, async () => {
    const uuids = Array.from({ length: MAX_RUN_WARNINGS + 3 }, (_, i) => `m${i}==`);
    const api = new ScriptedApi(listing(uuids.map((u) => meeting(u, 1))), (r) => {
      throw new ZoomNotFoundError(`${r.path}: not found`, { status: 404, code: 3301, endpoint: 'api' });
    });
    const { deps: d } = deps(api);
    const run = await pollSource(recordings, d, WINDOW);
    expect(run.warnings?.count).toBe(uuids.length);
    expect(run.warnings?.first.map((w) => w.split(' ')[5])).toEqual(uuids.slice(0, MAX_RUN_WARNINGS));
  });
});
