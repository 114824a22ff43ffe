import { describe, expect, it } from 'vitest';
import { dtOf, prepareRow, recordId, rowProblems } from '#core/lake/records.ts';
import { getTable } from '#core/schema/registry.ts';

const activities = getTable('activities');
const users = getTable('users');
const signIn = {
  email: 'ann@example.com',
  time: Date.UTC(2024, 0, 1, 23, 59, 59, 999),
  type: 'Sign in',
  ip_address: '203.0.113.7',
  client_type: 'Mac',
  version: '6.1.0',
};

describe('dtOf', () => {
  it.each([
    [Date.UTC(2024, 0, 1, 0, 0, 0, 0), '2024-01-01'],
    [Date.UTC(2024, 0, 1, 23, 59, 59, 999), '2024-01-01'],
    [Date.UTC(2024, 1, 29, 12), '2024-02-29'],
    [Date.UTC(2024, 11, 31, 23, 59, 59, 999), '2024-12-31'],
    [-1, '1969-12-31'],
    [-0.5, '1970-01-01'],
    [86_399_999.9, '1970-01-01'],
  ])('puts %i in partition %s (UTC, not local time)', (ms, dt) => {
    expect(dtOf(ms)).toBe(dt);
    expect(dtOf(ms)).toBe(dt);
  });

  it.each([NaN, Infinity, 9e15])('refuses %d, which is no date', (ms) => {
    expect(() => dtOf(ms)).toThrow(RangeError);
  });
});

describe('rowProblems', () => {
  it.each([
    ['a valid row', signIn, []],
    ['a missing required timestamp', { ...signIn, time: undefined }, ['activities.time: is required but missing']],
    ['a timestamp in seconds', { ...signIn, time: 1_704_153_599 }, ['activities.time: expected epoch milliseconds between 2000 and 2200']],
    ['a timestamp past 2200', { ...signIn, time: Date.UTC(2300, 0, 1) }, ['activities.time: expected epoch milliseconds between 2000 and 2200']],
    [
      'an ISO string as timestamp',
      { ...signIn, time: '2024-01-01T00:00:00Z' },
      ['activities.time: expected epoch milliseconds between 2000 and 2200'],
    ],
    ['a number in a string column', { ...signIn, ip_address: 42 }, ['activities.ip_address: expected a string, got number']],
    ['an unknown column', { ...signIn, ipaddress: '1.2.3.4' }, ['activities.ipaddress: not a column of activities']],
    ['null in a nullable column', { ...signIn, version: null }, []],
  ])('reports %s', (_name, row, expected) => {
    expect(rowProblems(activities, row)).toEqual(expected);
  });

  it.each([
    ['int overflow', { user_type: 2 ** 31 }, 'users.user_type: expected a 32-bit integer'],
    ['fractional int', { user_type: 1.5 }, 'users.user_type: expected a 32-bit integer'],
    ['string boolean', { verified: 'true' }, 'users.verified: expected a boolean, got string'],
  ])('rejects %s', (_name, extra, problem) => {
    const row = { snapshot_time: Date.UTC(2024, 0, 1), user_id: 'u1', ...extra };
    expect(rowProblems(users, row)).toContain(problem);
  });
});

describe('recordId', () => {
  it('is the same for the same natural key, whatever the other columns hold', () => {
    expect(recordId(users, { user_id: 'u1', email: 'a@x.com' }, '2024-01-01')).toBe(
      recordId(users, { user_id: 'u1', email: 'b@x.com' }, '2024-01-01'),
    );
  });

  it.each([
    ['a different key value', { ...signIn, ip_address: '198.51.100.1' }],
    ['null instead of a value', { ...signIn, version: null }],
    ['a shifted value between key columns', { ...signIn, client_type: 'Mac6.1.0', version: '' }],
  ])('differs for %s', (_name, other) => {
    expect(recordId(activities, other, '2024-01-01')).not.toBe(recordId(activities, signIn, '2024-01-01'));
  });

  it('uses dt when the key names it (one users row per user per day)', () => {
    expect(recordId(users, { user_id: 'u1' }, '2024-01-01')).not.toBe(recordId(users, { user_id: 'u1' }, '2024-01-02'));
  });

  // Ids computed before the hashing was made faster: other data joins on them, so they must never move.
  it.each<[string, Record<string, unknown>, string, string]>([
    [
      'participant_events',
      {
        event: 'meeting.participant_joined',
        meeting_uuid: 'AbC+/d==',
        participant_id: '16778240',
        participant_uuid: 'p-1',
        email: 'ann@example.com',
        event_time: 1792753336287,
      },
      '2026-10-21',
      '8e28bef4d17e6e270031e72980653e7d',
    ],
    [
      'participant_events',
      {
        event: 'meeting.participant_left',
        meeting_uuid: 'q"uote\\back',
        participant_id: null,
        email: 'Zoë Ñúñez 日本 😀',
        event_time: 1792753336287,
      },
      '2026-10-21',
      'e6586fb3ca6511326c5352f7279352ce',
    ],
    ['participant_events', { event: 'x', meeting_uuid: '\u2028\u0001\t', event_time: 0.5 }, '1970-01-01', 'e6a775784295bde0363bef4024ae1e91'],
    ['users', { user_id: 'u1', email: 'a@x.com' }, '2024-01-01', 'a5c75bf24bede23938a5b3cc051e16a7'],
    ['activities', signIn, '2024-01-01', '108041d6fb3647c11d532941cd473148'],
    [
      'webhook_events',
      { event: 'meeting.started', payload_sha256: 'ab'.repeat(32), event_ts: -0, event_time: 1e21 },
      '2024-01-01',
      '85ba42ed233e14ff528ece53746c3c98',
    ],
  ])('keeps the %s id it always gave (%#)', (table, row, dt, id) => {
    expect(recordId(getTable(table), row as never, dt)).toBe(id);
  });

  it('is 32 lower-case hex characters', () => {
    expect(recordId(activities, signIn, '2024-01-01')).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('prepareRow', () => {
  it('fills record_id, ingested_at and dt from the event time', () => {
    const result = prepareRow(activities, signIn, 1_700_000_000_000);
    expect(result).toEqual({
      ok: true,
      value: { dt: '2024-01-01', row: { ...signIn, record_id: recordId(activities, signIn, '2024-01-01'), ingested_at: 1_700_000_000_000 } },
    });
  });

  it('returns every problem instead of a row', () => {
    const result = prepareRow(activities, { type: 7 }, 0);
    expect(result).toEqual({ ok: false, problems: ['activities.time: is required but missing', 'activities.type: expected a string, got number'] });
  });
});
