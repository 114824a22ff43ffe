import { REALTIME_IDS as D } from '#core/realtime/catalog.ts';
import { T0, batchTrashedEvent, joinEvent, recordingEvent, settingsEvent, startedEvent, userEvent } from './webhook-bodies.ts';

/**
 * Realtime-check cases shared by the unit and end-to-end tests, for settings: internal domain example.com, sensitive
 * patterns board and m&a|merger, watched user ceo@example.com, and a join burst of 4 outside IPs within one minute
 * (REALTIME_TEST_CONFIG). Each detection's full definition is tested through every path by its fixtures
 * (test/detections); these cases cover the realtime path's own mechanics (state, redelivery, ordering).
 */

/** The config the cases run with (merged over the built-in defaults). */
export const REALTIME_TEST_CONFIG = {
  internalDomains: ['example.com'],
  sensitiveMeetingPatterns: ['board', 'm&a|merger'],
  watchedUsers: ['ceo@example.com'],
  detections: { 'zoom.participant.join_burst_many_ips': { parameters: { min_ips: 4, window_minutes: 1 } } },
};
export const ceo = userEvent('user.created', 'ceo@example.com', { id: 'h-ceo', first: 'Catherine', last: 'Zeta' });
export const alice = userEvent('user.created', 'alice@example.com', { id: 'u-alice', first: 'Alice', last: 'Anders' });
export const guests = (n: number, o: { ip?: (i: number) => string; minuteStep?: number } = {}) =>
  Array.from({ length: n }, (_, i) =>
    joinEvent({
      name: `Guest ${i}`,
      email: `g${i}@visitors.test`,
      id: `g${i}`,
      at: T0 + i * (o.minuteStep ?? 1_000),
      ...(o.ip ? { ip: o.ip(i) } : {}),
    }),
  );
const ips = (i: number) => `198.51.100.${i}`;

/** Each case: events that set the scene, then the events under test; each event is delivered twice. */
export const CASES: readonly { name: string; setup?: string[]; events: string[]; expect: string[] }[] = [
  // zombie link
  {
    name: 'deactivated user joins',
    setup: [userEvent('user.deactivated', 'bob@example.com', { id: 'u-bob' })],
    events: [joinEvent({ name: 'Bob B', email: 'bob@example.com', id: 'u-bob' })],
    expect: [D.joinAfterDeactivation],
  },
  {
    name: 'deleted user joins unsigned, known by Zoom user id',
    setup: [userEvent('user.deleted', 'bob@example.com', { id: 'u-bob' })],
    events: [joinEvent({ name: 'Bob B', id: 'u-bob', email: '' })],
    expect: [D.joinAfterDeactivation],
  },
  {
    name: 'benign: deactivated then reactivated user joins',
    setup: [
      userEvent('user.deactivated', 'bob@example.com', { at: T0 - 7_200_000 }),
      userEvent('user.activated', 'bob@example.com', { at: T0 - 3_600_000 }),
    ],
    events: [joinEvent({ name: 'Bob B', email: 'bob@example.com', id: 'u-bob' })],
    expect: [],
  },
  {
    name: 'benign: an older deactivation arriving after the reactivation does not win',
    setup: [
      userEvent('user.activated', 'bob@example.com', { at: T0 - 3_600_000 }),
      userEvent('user.deactivated', 'bob@example.com', { at: T0 - 7_200_000 }),
    ],
    events: [joinEvent({ name: 'Bob B', email: 'bob@example.com', id: 'u-bob' })],
    expect: [],
  },
  // outsiders in sensitive or watched meetings
  {
    name: 'signed-in external joins a second board meeting',
    setup: [joinEvent({ uuid: 'inst-b1', name: 'Eve', email: 'eve@evil.test', id: 'x1', topic: 'Board Q3', at: T0 - 86_400_000 })],
    events: [joinEvent({ uuid: 'inst-b2', name: 'Eve', email: 'eve@evil.test', id: 'x1', topic: 'Board Q4' })],
    expect: [D.externalInSensitiveMeeting],
  },
  {
    name: 'benign: signed-in external in one board meeting',
    events: [joinEvent({ name: 'Eve', email: 'eve@evil.test', id: 'x1', topic: 'Board Q4' })],
    expect: [],
  },
  {
    name: 'benign: registered external guest of a board briefing',
    events: [joinEvent({ name: 'Ana', email: 'ana@fund.test', topic: 'Board briefing', registrant: 'reg-1' })],
    expect: [],
  },
  {
    name: 'unauthenticated internal-looking guest joins a merger call',
    events: [joinEvent({ name: 'Mallory', email: 'mallory@example.com', topic: 'Merger prep' })],
    expect: [D.externalInSensitiveMeeting],
  },
  {
    name: 'benign: external joins an ordinary meeting a watched user hosts (sensitive is the topic)',
    setup: [ceo, startedEvent('inst-ceo', 'Catch-up', 'h-ceo')],
    events: [joinEvent({ uuid: 'inst-ceo', hostId: 'h-ceo', topic: 'Catch-up', name: 'Eve', email: 'eve@evil.test', id: 'x1' })],
    expect: [],
  },
  {
    name: 'benign: signed-in internal user in a board meeting',
    events: [joinEvent({ name: 'Alice Anders', email: 'alice@example.com', id: 'u-alice', topic: 'Board Q4' })],
    expect: [],
  },
  {
    name: 'benign: external in an ordinary meeting',
    events: [joinEvent({ name: 'Eve', email: 'eve@evil.test', id: 'x1', topic: 'Weekly sync' })],
    expect: [],
  },
  // impersonation
  {
    name: "guest uses an internal user's name",
    setup: [alice],
    events: [joinEvent({ name: 'ALICE  Anders (guest)' })],
    expect: [D.guestImpersonatesInternal],
  },
  {
    name: "guest one letter away from a watched user's name",
    setup: [ceo],
    events: [joinEvent({ name: 'Catherine Zetta' })],
    expect: [D.guestImpersonatesInternal],
  },
  {
    name: 'benign: the internal user signed in under their own name',
    setup: [alice],
    events: [joinEvent({ name: 'Alice Anders', email: 'alice@example.com', id: 'u-alice' })],
    expect: [],
  },
  { name: "benign: guest one letter away from an unwatched user's name", setup: [alice], events: [joinEvent({ name: 'Alice Andres' })], expect: [] },
  { name: 'benign: guest with another name', setup: [ceo, alice], events: [joinEvent({ name: 'Catherine Jones' })], expect: [] },
  // join bursts (4 outside IPs within one minute)
  { name: 'four distinct outside IPs in one minute', events: guests(4, { ip: ips }), expect: [D.joinBurst] },
  {
    name: 'waiting-room joins count towards a burst',
    events: [
      ...guests(2, { ip: ips }),
      ...guests(4, { ip: ips })
        .slice(2)
        .map((b) => b.replace('participant_joined', 'participant_joined_waiting_room')),
    ],
    expect: [D.joinBurst],
  },
  { name: 'benign: six guests without a public IP in one minute', events: guests(6), expect: [] },
  { name: 'benign: five participants from one IP in one minute', events: guests(5, { ip: () => '198.51.100.7' }), expect: [] },
  { name: 'benign: six outside IPs a minute apart', events: guests(6, { ip: ips, minuteStep: 60_000 }), expect: [] },
  {
    name: 'benign: six signed-in employees from six IPs in one minute',
    events: Array.from({ length: 6 }, (_, i) =>
      joinEvent({ name: `Emp ${i}`, email: `e${i}@example.com`, id: `e${i}`, ip: ips(50 + i), at: T0 + i * 1_000 }),
    ),
    expect: [],
  },
  // waiting room
  {
    name: 'unknown external waits to join a board meeting',
    events: [joinEvent({ name: 'Eve', email: 'eve@evil.test', topic: 'Board Q4' }, true)],
    expect: [D.waitingRoomUnknownExternal],
  },
  {
    name: 'benign: unknown external waits to join an ordinary meeting',
    events: [joinEvent({ name: 'Eve', email: 'eve@evil.test' }, true)],
    expect: [],
  },
  {
    name: 'benign: internal user waits to join a board meeting',
    setup: [alice],
    events: [joinEvent({ name: 'Alice Anders', email: 'alice@example.com', id: 'u-alice', topic: 'Board Q4' }, true)],
    expect: [],
  },
  // recordings
  {
    name: 'recording trashed after an external joined',
    setup: [joinEvent({ uuid: 'inst-x', name: 'Eve', email: 'eve@evil.test', id: 'x1' })],
    events: [recordingEvent('recording.trashed', { uuid: 'inst-x', topic: 'Weekly sync', hostId: 'host-1', operatorId: 'host-1' })],
    expect: [D.recordingDeletedAfterExternal],
  },
  {
    name: 'recording of a board meeting deleted',
    events: [recordingEvent('recording.deleted', { uuid: 'inst-b', topic: 'Board Q4', hostId: 'host-1', operatorId: 'host-1' })],
    expect: [D.recordingDeleted],
  },
  {
    name: 'recording deleted by someone other than the host',
    events: [recordingEvent('recording.deleted', { uuid: 'inst-c', topic: 'Weekly sync', hostId: 'host-1', operatorId: 'adm1' })],
    expect: [D.recordingDeleted],
  },
  {
    name: 'recordings trashed in a batch, one meeting with an external',
    setup: [joinEvent({ uuid: 'inst-x', name: 'Eve', email: 'eve@evil.test', id: 'x1' })],
    events: [batchTrashedEvent(['inst-y', 'inst-x'])],
    expect: [D.recordingDeletedAfterExternal],
  },
  {
    name: 'recordings trashed in a batch by an admin, one of a board meeting',
    setup: [startedEvent('inst-b', 'Board Q4', 'host-1')],
    events: [batchTrashedEvent(['inst-y', 'inst-b'])],
    expect: [D.recordingDeleted],
  },
  {
    name: 'benign: a host batch-trashes two of their own ordinary recordings',
    setup: [startedEvent('own-a', 'Weekly sync', 'host-1'), startedEvent('own-b', 'Weekly sync', 'host-1')],
    events: [batchTrashedEvent(['own-a', 'own-b'], 'host-1')],
    expect: [],
  },
  {
    name: 'one operator trashes ten recordings within an hour',
    events: [batchTrashedEvent(Array.from({ length: 10 }, (_, i) => `old-${i}`))],
    expect: [D.recordingDeletedAfterExternal],
  },
  {
    name: 'benign: a host trashes nine of their own ordinary recordings',
    events: Array.from({ length: 9 }, (_, i) =>
      recordingEvent('recording.trashed', { uuid: `own-${i}`, topic: 'Weekly sync', hostId: 'host-1', operatorId: 'host-1' }),
    ),
    expect: [],
  },
  {
    name: 'benign: host trashes their own recording of an internal meeting',
    setup: [joinEvent({ uuid: 'inst-i', name: 'Alice Anders', email: 'alice@example.com', id: 'u-alice' })],
    events: [recordingEvent('recording.trashed', { uuid: 'inst-i', topic: 'Weekly sync', hostId: 'host-1', operatorId: 'host-1' })],
    expect: [],
  },
  // account settings
  {
    name: 'waiting room switched off',
    events: [settingsEvent({ in_meeting: { waiting_room: false } }, { in_meeting: { waiting_room: true } })],
    expect: [D.securitySettingWeakened],
  },
  {
    name: 'two-factor sign-in set to none without old value',
    events: [settingsEvent({ security: { sign_in_with_two_factor_auth: 'none' } }, undefined)],
    expect: [D.securitySettingWeakened],
  },
  {
    name: 'benign: waiting room switched on',
    events: [settingsEvent({ in_meeting: { waiting_room: true } }, { in_meeting: { waiting_room: false } })],
    expect: [],
  },
  {
    name: 'benign: password length raised and an unrelated setting changed',
    events: [
      settingsEvent(
        { security: { password_requirement: { minimum_password_length: 12 } }, in_meeting: { chat: false } },
        { security: { password_requirement: { minimum_password_length: 8 } }, in_meeting: { chat: true } },
      ),
    ],
    expect: [],
  },
];
