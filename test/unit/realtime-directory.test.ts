import { describe, expect, it } from 'vitest';
import {
  applyDirectoryUpdates,
  directoryUpdatesFromOperationLogs,
  directoryUpdatesFromUsers,
  lookupEmail,
  statusAt,
  usersNamed,
} from '#core/realtime/directory.ts';
import { nameKey, participantKey, withinEdits } from '#core/realtime/names.ts';
import { weakenedSettings } from '#core/realtime/weakened-settings.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { MemoryStateStore } from '../support/memory-state-store.ts';

describe('name keys', () => {
  it.each([
    ['Alice Anders', 'aliceanders'],
    ['ALICE  ANDERS (Guest)', 'aliceanders'],
    ['Zoë Ñúñez', 'nunezzoe'],
    ['Аlice Anders', 'aliceanders'], // Cyrillic А
    ['external - Alice.Anders [iPhone]', 'aliceanders'],
    ['Anders, Alice', 'aliceanders'], // word order does not matter
    ['Ŕobert Ǹame', 'namerobert'], // Latin Extended letters fold through the one table
    ['Ｂｏｂ Ｂｒｏｗｎ', 'bobbrown'], // full-width
    ['e\u0301mile Zola', 'emilezola'], // a decomposed accent
  ])('%s -> %s', (name, key) => expect(nameKey(name)).toBe(key));

  it.each([
    ['catherinezeta', 'catherinezetta', true],
    ['catherinezeta', 'katherinezetta', false],
    ['abc', 'abc', true],
  ])('%s vs %s within one edit: %s', (a, b, ok) => expect(withinEdits(a, b, 1)).toBe(ok));

  it.each([
    [' Eve@Evil.Test ', 'Eve', 'eve@evil.test'],
    ['', ' Zoë ', 'guest:zoë'],
    [null, null, 'guest:(no name)'],
  ])('participant key of (%s, %s) is %s', (email, name, key) => expect(participantKey(email, name)).toBe(key));
});

describe('user directory feeds', () => {
  it('reads users snapshot rows: status, id and names', () => {
    expect(
      directoryUpdatesFromUsers([
        {
          user_id: 'u1',
          email: 'Bob@Example.com',
          first_name: 'Bob',
          last_name: 'Brown',
          display_name: 'Bobby B',
          status: 'inactive',
          snapshot_time: 5,
        },
        { user_id: 'u2', email: null, status: 'active', snapshot_time: 5 },
      ]),
    ).toEqual([{ email: 'bob@example.com', userId: 'u1', status: 'inactive', at: 5, source: 'users snapshot', names: ['Bob Brown', 'Bobby B'] }]);
  });

  const log = 'operation log';
  it.each([
    [
      { time: 1, category_type: 'User', action: 'Deactivate', operation_detail: 'Deactivate user bob@example.com' },
      [{ email: 'bob@example.com', status: 'inactive', at: 1, source: log }],
    ],
    [
      { time: 2, category_type: 'User', action: 'Delete', operation_detail: 'Delete User: Bob@Example.com' },
      [{ email: 'bob@example.com', status: 'deleted', at: 2, source: log }],
    ],
    [
      { time: 3, category_type: 'User', action: 'Update', operation_detail: 'Activate user bob@example.com' },
      [{ email: 'bob@example.com', status: 'active', at: 3, source: log }],
    ],
    [{ time: 4, category_type: 'User', action: 'Update', operation_detail: 'Update user bob@example.com: Department' }, []],
    [{ time: 5, category_type: 'Recording', action: 'Delete', operation_detail: 'Delete recording of bob@example.com' }, []],
  ])('reads operation log %j', (row, updates) => expect(directoryUpdatesFromOperationLogs([row])).toEqual(updates));

  const matching = { minLetters: 4, fuzzyMinLetters: 8, maxEdits: 1 };

  it('keeps the newest status whatever order facts arrive in, and indexes names', async () => {
    const state = new MemoryStateStore(new FakeClock());
    await applyDirectoryUpdates(
      state,
      [
        { email: 'bob@example.com', status: 'active', at: 20, names: ['Bob Brown'] },
        { email: 'bob@example.com', status: 'inactive', at: 10, userId: 'u1' },
      ],
      new Set(),
    );
    expect(await lookupEmail(state, 'bob@example.com')).toEqual({ email: 'bob@example.com', status: 'active', userId: 'u1', at: 20 });
    await applyDirectoryUpdates(state, [{ email: 'bob@example.com', status: 'deleted', at: 30 }], new Set());
    expect((await lookupEmail(state, 'bob@example.com'))?.status).toBe('deleted');
    expect(await usersNamed(state, 'bob  BROWN', matching)).toEqual([{ email: 'bob@example.com', name: 'Bob Brown', match: 'exact' }]);
    expect(await usersNamed(state, 'Brown, Bob', matching)).toEqual([{ email: 'bob@example.com', name: 'Bob Brown', match: 'exact' }]);
    expect(await usersNamed(state, 'Bob', matching)).toEqual([]);
  });

  it('answers the status at an instant from the timeline, with when the off period began', async () => {
    const state = new MemoryStateStore(new FakeClock());
    const email = 'lee@example.com';
    await applyDirectoryUpdates(
      state,
      [
        { email, status: 'active', at: 0, source: 'users snapshot' },
        { email, status: 'inactive', at: 100, source: 'operation log' },
        { email, status: 'inactive', at: 150, source: 'webhook' },
        { email, status: 'active', at: 300, source: 'webhook' },
        // Daily snapshots that say nothing new are not kept.
        { email, status: 'active', at: 400, source: 'users snapshot' },
        { email, status: 'pending', at: 450, source: 'users snapshot' },
      ],
      new Set(),
    );
    expect(await state.query(`dir#user#${email}`, 'status#')).toHaveLength(4);
    expect(await statusAt(state, email, 0)).toBeUndefined();
    expect(await statusAt(state, email, 100)).toMatchObject({ status: 'active', gone: false });
    expect(await statusAt(state, email, 200)).toMatchObject({ status: 'inactive', gone: true, since: 100, sinceSource: 'operation log' });
    expect(await statusAt(state, email, 500)).toMatchObject({ status: 'active', gone: false, since: 300 });
  });
});

describe('weakened account settings', () => {
  it.each([
    [{ in_meeting: { e2e_encryption: false } }, { in_meeting: { e2e_encryption: true } }, ['e2e_encryption']],
    [{ schedule_meeting: { embed_password_in_join_link: true } }, undefined, ['passcode_in_link']],
    [
      { schedule_meeting: { require_password_for_pmi_meetings: 'none' } },
      { schedule_meeting: { require_password_for_pmi_meetings: 'all' } },
      ['meeting_passcode'],
    ],
    [
      { security: { password_requirement: { minimum_password_length: 6 } } },
      { security: { password_requirement: { minimum_password_length: 10 } } },
      ['sign_in_password_requirement'],
    ],
    [{ security: { password_requirement: { minimum_password_length: 6 } } }, undefined, []],
    [{ in_meeting: { e2e_encryption: false } }, { in_meeting: { e2e_encryption: false } }, []],
    [{ schedule_meeting: { embed_password_in_join_link: false } }, { schedule_meeting: { embed_password_in_join_link: true } }, []],
  ])('%j (was %j) weakens %j', (now, before, settings) => expect(weakenedSettings(now, before).map((w) => w.setting)).toEqual(settings));
});
