import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LakeWriter } from '#core/lake/writer.ts';
import { readCursor } from '#core/poll/cursor.ts';
import {
  boundBacklog,
  candidateOf,
  compileRisk,
  listingSignals,
  MAX_BACKLOG,
  participantSignals,
  rankCandidates,
  readBacklog,
  riskClass,
  riskScore,
  type DetailCandidate,
  type RiskSettings,
} from '#core/poll/risk.ts';
import { DEFAULT_POLL_SETTINGS, pollSource, type PollDeps } from '#core/poll/run.ts';
import { POLL_SOURCES } from '#core/poll/sources.ts';
import type { ZoomApi, ZoomPage, ZoomPageRequest } from '#core/ports.ts';
import { ZoomBudgetError, ZoomRateLimitError, ZoomTooOldError } from '#core/zoom/errors.ts';
import { FileStateStore } from '#local/adapters/file-state/store.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';

const SETTINGS: RiskSettings = {
  internalDomains: ['example.com'],
  sensitiveMeetingPatterns: ['board', 'm&a|merger'],
  watchedUsers: ['ceo@example.com'],
};
const rules = compileRisk(SETTINGS);

describe('risk scoring', () => {
  it.each([
    ['a routine meeting', { topic: 'Weekly sync', email: 'ann@example.com' }, []],
    ['a sensitive topic, any case', { topic: 'BOARD prep', email: 'ann@example.com' }, ['sensitive_topic']],
    ['a watched host (dashboard email)', { topic: 'Sync', email: 'CEO@example.com' }, ['watched_host']],
    ['a watched host (report user_email)', { topic: 'Sync', user_email: 'ceo@example.com' }, ['watched_host']],
    ['outsiders in the report counts', { topic: 'Sync', participants_count: 5, participants_count_my_account: 3 }, ['external']],
    ['dial-in callers', { topic: 'Sync', has_pstn: true }, ['unauthenticated']],
    [
      'everything at once',
      { topic: 'Merger talks', email: 'ceo@example.com', participants_count: 3, participants_count_my_account: 2, has_pstn: true },
      ['external', 'unauthenticated', 'sensitive_topic', 'watched_host'],
    ],
  ])('reads the listing of %s', (_name, item, signals) => {
    expect(listingSignals(item, rules)).toEqual(signals);
  });

  it.each([
    [
      'members only',
      [
        { id: 'u1', user_email: 'ann@example.com' },
        { participant_user_id: 'u2', user_email: 'bob@eu.example.com' },
      ],
      [],
    ],
    ['an outside email, signed in elsewhere', [{ id: 'x9', user_email: 'dana@partner.com' }], ['external']],
    ['a guest without email or user id', [{ id: '', user_email: '' }], ['unauthenticated']],
    ['both', [{ user_email: 'dana@partner.com' }], ['external', 'unauthenticated']],
  ])('reads report participants: %s', (_name, participants, signals) => {
    expect(participantSignals(participants, rules)).toEqual(signals);
  });

  it('judges no email external when no internal domain is configured', () => {
    const open = compileRisk({ ...SETTINGS, internalDomains: [] });
    expect(participantSignals([{ id: 'x', user_email: 'dana@partner.com' }], open)).toEqual([]);
  });

  it('names a bad pattern', () => {
    expect(() => compileRisk({ ...SETTINGS, sensitiveMeetingPatterns: ['(unclosed'] })).toThrow(
      'sensitiveMeetingPatterns.0: "(unclosed" is not a valid regular expression (Unterminated group)',
    );
  });

  it('classes and ranks: outsiders over topics, then oldest day, then uuid', () => {
    const c = (uuid: string, day: string, signals: DetailCandidate['signals']): DetailCandidate => ({
      uuid,
      meetingId: null,
      day,
      signals,
      fromBacklog: false,
    });
    const ranked = rankCandidates([
      c('a', '2026-01-02', []),
      c('b', '2026-01-02', ['sensitive_topic']),
      c('c', '2026-01-03', ['external']),
      c('d', '2026-01-01', ['external']),
      c('e', '2026-01-05', ['external', 'watched_host']),
    ]);
    expect(ranked.map((x) => x.uuid)).toEqual(['e', 'd', 'c', 'b', 'a']);
    expect([riskClass([]), riskClass(['external']), riskClass(['external', 'sensitive_topic'])]).toEqual(['routine', 'elevated', 'high']);
    expect(riskScore(['external'])).toBeGreaterThan(riskScore(['sensitive_topic']));
  });

  it('bounds the backlog by dropping the lowest-ranked', () => {
    const many = Array.from(
      { length: MAX_BACKLOG + 3 },
      (_, i): DetailCandidate => ({
        uuid: `m${String(i).padStart(5, '0')}`,
        meetingId: null,
        day: '2026-01-01',
        signals: i < 3 ? [] : ['external'],
        fromBacklog: false,
      }),
    );
    const { kept, dropped } = boundBacklog(many);
    expect(kept).toHaveLength(MAX_BACKLOG);
    expect(dropped.map((d) => d.uuid).sort()).toEqual(['m00000', 'm00001', 'm00002']);
  });

  it('takes a listing item without a start time on the window day, and refuses one without a uuid', () => {
    expect(candidateOf({ uuid: 'u==', id: 8123 }, rules, '2026-01-09')).toMatchObject({ uuid: 'u==', meetingId: '8123', day: '2026-01-09' });
    expect(candidateOf({ id: 8123 }, rules, '2026-01-09')).toBeUndefined();
  });
});

const NOW = Date.UTC(2026, 10, 26, 12);
const DAY = '2026-11-25';

interface FakeMeeting {
  readonly uuid: string;
  readonly topic: string;
  readonly email?: string;
  readonly has_pstn?: boolean;
  readonly day?: string;
}

/**
 * A dashboard with `meetings` for every window and one participant per meeting; detail calls beyond `budget` fail the
 * way a spent share does. Report participants (for the meetings source) come from `report`.
 */
class FakeDashboard implements ZoomApi {
  readonly details: string[] = [];
  budget = Number.POSITIVE_INFINITY;
  daily429 = false;
  tooOld = new Set<string>();
  constructor(
    public meetings: FakeMeeting[],
    private readonly report: Record<string, unknown[]> = {},
  ) {}

  async *paginate<T>(request: ZoomPageRequest): AsyncIterable<ZoomPage<T>> {
    if (request.path === '/metrics/meetings') {
      const items = this.meetings.map((m) => ({
        uuid: m.uuid,
        id: 81_000 + this.meetings.indexOf(m),
        topic: m.topic,
        email: m.email ?? 'ann@example.com',
        start_time: `${m.day ?? DAY}T10:00:00Z`,
        has_pstn: m.has_pstn ?? false,
      }));
      yield { items: items as T[], page: 1, restarts: 0 };
      return;
    }
    const detail = /^\/metrics\/meetings\/([^/]+)\/participants$/.exec(request.path);
    if (detail) {
      const uuid = decodeURIComponent(detail[1] ?? '');
      if (this.tooOld.has(uuid)) throw new ZoomTooOldError('Can not access meeting a year ago.', { status: 400, code: 12702, endpoint: 'api' });
      if (this.details.length >= this.budget) {
        if (this.daily429) throw new ZoomRateLimitError('daily limit reached', true, 1000, { status: 429, code: 429, endpoint: 'api' });
        throw new ZoomBudgetError('daily zoom api budget share spent', 1000);
      }
      this.details.push(uuid);
      yield { items: [{ user_id: `p-${uuid}`, join_time: `${DAY}T10:01:00Z`, email: 'ann@example.com' }] as T[], page: 1, restarts: 0 };
      return;
    }
    const report = /^\/report\/meetings\/([^/]+)\/participants$/.exec(request.path);
    if (report) {
      yield { items: (this.report[decodeURIComponent(report[1] ?? '')] ?? []) as T[], page: 1, restarts: 0 };
      return;
    }
    throw new Error(`unexpected ${request.path}`);
  }

  async get<T>(): Promise<T> {
    throw new Error('not used');
  }
}

function deps(api: ZoomApi, dir = mkdtempSync(join(tmpdir(), 'zl-risk-'))): PollDeps & { dir: string; clock: FakeClock } {
  const clock = new FakeClock(NOW);
  const store = new MemoryObjectStore();
  return {
    dir,
    api,
    plan: 'business',
    clock,
    owner: 'test',
    leaseSeconds: 60,
    state: new FileStateStore(join(dir, 'state.json'), clock),
    newWriter: () => new LakeWriter({ store, clock, newId: () => 'id', writerId: 'w' }),
    settings: { ...DEFAULT_POLL_SETTINGS, risk: SETTINGS },
  };
}

const WINDOW = { from: DAY, to: DAY };
const details = POLL_SOURCES.participant_details!;

describe('participant details under a budget', () => {
  const meetings: FakeMeeting[] = [
    { uuid: 'routine-1', topic: 'Weekly sync' },
    { uuid: 'routine-2', topic: 'Design review' },
    { uuid: 'board', topic: 'Board prep' },
    { uuid: 'routine-3', topic: '1:1' },
    { uuid: 'dial-in', topic: 'Customer call', has_pstn: true },
    { uuid: 'ceo-board', topic: 'Board: merger', email: 'ceo@example.com' },
    { uuid: 'routine-4', topic: 'Standup' },
  ];

  it('fetches the riskiest first, counts the rest by class, keeps them in the backlog and commits the window', async () => {
    const api = new FakeDashboard(meetings);
    api.budget = 3;
    const d = deps(api);
    const run = await pollSource(details, d, WINDOW);
    expect(api.details).toEqual(['ceo-board', 'dial-in', 'board']);
    expect(run).toMatchObject({
      status: 'stopped',
      windows: 1,
      records: 3,
      skipped: 4,
      budget: { skippedByClass: { high: 0, elevated: 0, routine: 4 }, droppedByClass: { high: 0, elevated: 0, routine: 0 }, backlog: 4 },
    });
    expect(run.reason).toContain('budget');
    expect((await readCursor(d.state, 'participant_details'))?.windowEnd).toBe(DAY);
    expect((await readBacklog(d.state, 'participant_details')).map((b) => b.uuid).sort()).toEqual([
      'routine-1',
      'routine-2',
      'routine-3',
      'routine-4',
    ]);
  });

  it("treats Zoom's own daily 429 like a spent share", async () => {
    const api = new FakeDashboard(meetings);
    api.budget = 1;
    api.daily429 = true;
    const run = await pollSource(details, deps(api), WINDOW);
    expect(run).toMatchObject({ status: 'stopped', skipped: 6, budget: { skippedByClass: { high: 0, elevated: 2, routine: 4 } } });
  });

  it('drains the backlog risk-first in later runs, alongside new meetings, until it is empty', async () => {
    const api = new FakeDashboard(meetings);
    api.budget = 2;
    const d = deps(api);
    await pollSource(details, d, WINDOW);
    expect(api.details).toEqual(['ceo-board', 'dial-in']);

    // The next day: a new risky meeting and the old ones (no longer listed) compete for a budget of 3 more calls.
    d.clock.advance(86_400_000);
    api.meetings = [
      { uuid: 'new-routine', topic: 'Sync', day: '2026-11-26' },
      { uuid: 'new-dial-in', topic: 'Call', has_pstn: true, day: '2026-11-26' },
    ];
    api.budget = 5;
    const second = await pollSource(details, d, { from: '2026-11-26', to: '2026-11-26' });
    expect(api.details.slice(2)).toEqual(['new-dial-in', 'board', 'routine-1']);
    expect(second).toMatchObject({ status: 'stopped', skipped: 4, budget: { backlog: 4 } });

    api.budget = Number.POSITIVE_INFINITY;
    const third = await pollSource(details, d, { from: '2026-11-26', to: '2026-11-26' });
    expect(third).toMatchObject({ status: 'ok', skipped: 0, budget: { backlog: 0 } });
    expect(new Set(api.details)).toEqual(new Set([...meetings.map((m) => m.uuid), 'new-routine', 'new-dial-in']));
    expect(await readBacklog(d.state, 'participant_details')).toEqual([]);
  });

  it('ranks by the participant marks the meetings source left', async () => {
    const api = new FakeDashboard(meetings, { 'routine-4': [{ id: '', user_email: 'dana@partner.com', join_time: `${DAY}T10:00:00Z` }] });
    const d = deps(api);
    await pollSource(POLL_SOURCES.meetings!, d, WINDOW);
    api.budget = 1;
    const run = await pollSource(details, d, WINDOW);
    // external + unauthenticated (8) outranks sensitive topic + watched host (4).
    expect(api.details).toEqual(['routine-4']);
    expect(run.budget?.skippedByClass).toEqual({ high: 1, elevated: 2, routine: 3 });
  });

  it('drops backlog entries Zoom no longer keeps, and counts them', async () => {
    const api = new FakeDashboard(meetings);
    api.budget = 0;
    const d = deps(api);
    await pollSource(details, d, WINDOW);
    api.meetings = [];
    api.budget = Number.POSITIVE_INFINITY;
    api.tooOld = new Set(['board', 'routine-1']);
    const run = await pollSource(details, d, WINDOW);
    expect(run).toMatchObject({ status: 'ok', budget: { droppedByClass: { high: 0, elevated: 1, routine: 1 }, backlog: 0 } });
    expect(api.details.sort()).toEqual(['ceo-board', 'dial-in', 'routine-2', 'routine-3', 'routine-4']);
  });

  it("leaves the cursor and backlog alone when the window's rows cannot be written", async () => {
    const api = new FakeDashboard(meetings);
    api.budget = 2;
    const d = deps(api);
    const failing = {
      ...d,
      newWriter: () =>
        ({
          add: () => ({ ok: true }),
          flush: async () => {
            throw new Error('s3 down');
          },
        }) as unknown as LakeWriter,
    };
    await expect(pollSource(details, failing, WINDOW)).rejects.toThrow('s3 down');
    expect(await readCursor(d.state, 'participant_details')).toBeUndefined();
    expect(await readBacklog(d.state, 'participant_details')).toEqual([]);
  });
});
