import { describe, expect, it } from 'vitest';
import { durationMs } from '#core/detect/detection.ts';
import { REALTIME_DETECTIONS } from '#core/realtime/catalog.ts';
import { applyDirectoryUpdates, directoryUpdatesFromOperationLogs, directoryUpdatesFromUsers, lookupEmail, usersNamed } from '#core/realtime/directory.ts';
import { nameKey, participantKey, withinEdits } from '#core/realtime/names.ts';
import { weakenedSettings } from '#core/realtime/security-settings.ts';
import { loadDetections } from '../../lib/detections/load.ts';
import { FakeClock } from '../fakes/fake-clock.ts';
import { MemoryStateStore } from '../support/memory-state-store.ts';

describe('name keys', () => {
  it.each([
    ['Alice Anders', 'aliceanders'],
    ['ALICE  ANDERS (Guest)', 'aliceanders'],
    ['Zoë Ñúñez', 'zoenunez'],
    ['Аlice Anders', 'aliceanders'], // Cyrillic А
    ['external - Alice.Anders [iPhone]', 'aliceanders'],
    ['Ŕobert Ǹame', 'robertname'], // diacritics outside the SQL table fold too
  ])('%s -> %s', (name, key) => expect(nameKey(name)).toBe(key));

  it.each([['catherinezeta', 'catherinezetta', true], ['catherinezeta', 'katherinezetta', false], ['abc', 'abc', true]])(
    '%s vs %s within one edit: %s', (a, b, ok) => expect(withinEdits(a, b, 1)).toBe(ok));

  it.each([[' Eve@Evil.Test ', 'Eve', 'eve@evil.test'], ['', ' Zoë ', 'guest:zoë'], [null, null, 'guest:(no name)']])(
    'participant key of (%s, %s) is %s', (email, name, key) => expect(participantKey(email, name)).toBe(key));
});

describe('user directory feeds', () => {
  it('reads users snapshot rows: status, id and both name orders', () => {
    expect(directoryUpdatesFromUsers([
      { user_id: 'u1', email: 'Bob@Example.com', first_name: 'Bob', last_name: 'Brown', display_name: 'Bobby B', status: 'inactive', snapshot_time: 5 },
      { user_id: 'u2', email: null, status: 'active', snapshot_time: 5 },
    ])).toEqual([{ email: 'bob@example.com', userId: 'u1', status: 'inactive', at: 5, names: ['Bob Brown', 'Brown Bob', 'Bobby B'] }]);
  });

  it.each([
    [{ time: 1, category_type: 'User', action: 'Deactivate', operation_detail: 'Deactivate user bob@example.com' }, [{ email: 'bob@example.com', status: 'inactive', at: 1 }]],
    [{ time: 2, category_type: 'User', action: 'Delete', operation_detail: 'Delete User: Bob@Example.com' }, [{ email: 'bob@example.com', status: 'deleted', at: 2 }]],
    [{ time: 3, category_type: 'User', action: 'Update', operation_detail: 'Activate user bob@example.com' }, [{ email: 'bob@example.com', status: 'active', at: 3 }]],
    [{ time: 4, category_type: 'User', action: 'Update', operation_detail: 'Update user bob@example.com: Department' }, []],
    [{ time: 5, category_type: 'Recording', action: 'Delete', operation_detail: 'Delete recording of bob@example.com' }, []],
  ])('reads operation log %j', (row, updates) => expect(directoryUpdatesFromOperationLogs([row])).toEqual(updates));

  it('keeps the newest status whatever order facts arrive in, and indexes names', async () => {
    const state = new MemoryStateStore(new FakeClock());
    await applyDirectoryUpdates(state, [
      { email: 'bob@example.com', status: 'active', at: 20, names: ['Bob Brown'] },
      { email: 'bob@example.com', status: 'inactive', at: 10, userId: 'u1' },
    ], new Set());
    expect(await lookupEmail(state, 'bob@example.com')).toEqual({ email: 'bob@example.com', status: 'active', userId: 'u1', at: 20 });
    await applyDirectoryUpdates(state, [{ email: 'bob@example.com', status: 'deleted', at: 30 }], new Set());
    expect((await lookupEmail(state, 'bob@example.com'))?.status).toBe('deleted');
    expect(await usersNamed(state, 'bob  BROWN', () => false)).toEqual([{ email: 'bob@example.com', name: 'Bob Brown', match: 'exact' }]);
    expect(await usersNamed(state, 'Bob', () => true)).toEqual([]);
  });
});

describe('weakened account settings', () => {
  it.each([
    [{ in_meeting: { e2e_encryption: false } }, { in_meeting: { e2e_encryption: true } }, ['e2e_encryption']],
    [{ schedule_meeting: { embed_password_in_join_link: true } }, undefined, ['passcode_in_link']],
    [{ schedule_meeting: { require_password_for_pmi_meetings: 'none' } }, { schedule_meeting: { require_password_for_pmi_meetings: 'all' } }, ['meeting_passcode']],
    [{ security: { password_requirement: { minimum_password_length: 6 } } }, { security: { password_requirement: { minimum_password_length: 10 } } }, ['sign_in_password_requirement']],
    [{ security: { password_requirement: { minimum_password_length: 6 } } }, undefined, []],
    [{ in_meeting: { e2e_encryption: false } }, { in_meeting: { e2e_encryption: false } }, []],
    [{ schedule_meeting: { embed_password_in_join_link: false } }, { schedule_meeting: { embed_password_in_join_link: true } }, []],
  ])('%j (was %j) weakens %j', (now, before, settings) => expect(weakenedSettings(now, before).map((w) => w.setting)).toEqual(settings));
});

describe('realtime ids shared with scheduled detections', () => {
  const scheduled = new Map(loadDetections().map((d) => [d.id, d]));
  const twins = Object.values(REALTIME_DETECTIONS).filter((d) => d.scheduledTwin);

  it('lists the overlapping ids', () => {
    expect(twins.map((d) => d.id).sort()).toEqual([
      'zoom.operation.security_setting_weakened', 'zoom.participant.external_in_sensitive_meeting', 'zoom.participant.guest_impersonates_internal',
      'zoom.participant.join_after_deactivation', 'zoom.participant.join_burst_many_ips', 'zoom.recording.deleted_after_external_meeting',
    ]);
  });

  it('gives realtime-only ids no scheduled detection of the same name', () => {
    for (const d of Object.values(REALTIME_DETECTIONS).filter((x) => !x.scheduledTwin)) expect(scheduled.has(d.id)).toBe(false);
  });

  // A twin not written yet is skipped, not passed: the comparison runs as soon as its detection.yml exists.
  it.each(twins.map((d) => [d.id, d] as const))('%s uses the scheduled dedup key and window', (id, d) => {
    const yml = scheduled.get(id);
    if (!yml) return expect.soft(yml, `queries/detections/${id} does not exist yet`).toBeUndefined();
    expect(d.dedupKey).toEqual(yml.dedup.key);
    expect(d.dedupWindowMs).toBe(durationMs(yml.dedup.window));
  });
});
