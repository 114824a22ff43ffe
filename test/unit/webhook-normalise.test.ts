import { describe, expect, it } from 'vitest';
import { rowProblems } from '#core/lake/records.ts';
import { getTable } from '#core/schema/registry.ts';
import { parseEnvelope, type ZoomEnvelope } from '#core/webhook/envelope.ts';
import { typedRows, type TypedRow } from '#core/webhook/normalise.ts';
import { REALTIME_EVENTS } from '#core/webhook/routes.ts';

// Synthetic fixtures following the field lists in zoom-reference §2.
const RECEIVED = Date.UTC(2024, 9, 14, 15, 0, 30);
const EVENT_TS = Date.UTC(2024, 9, 14, 15, 0, 12, 345);
const SOURCE = 'f3a9c1d27b8e4f60a1b2c3d4e5f60718';
const ACCOUNT = 'AcctQm2XcR4tTyU8pWz';
const HOST = 'HstZk81pQvLw3nRs5T';
const UUID = 'q8Zr/Lk4S+eXbW9sN1aT2g==';
const DOWNLOAD_TOKEN = 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.dl-token-4f7e2a';
const RECORDING_PASSWORD = 'Rec#Pass9!';
const MEETING_PASSCODE = 'mtgPass42';

type Body = { event: string; event_ts?: unknown; payload?: Record<string, unknown>; download_token?: string };
const envOf = (body: Body): ZoomEnvelope => parseEnvelope(JSON.stringify(body));
const rowsOf = (body: Body): TypedRow[] => typedRows(envOf(body), SOURCE, RECEIVED);
const only = (body: Body) => {
  const rows = rowsOf(body);
  expect(rows).toHaveLength(1);
  return rows[0]!.row;
};

const meetingObject = (extra: Record<string, unknown> = {}) => ({
  id: 85746382910,
  uuid: UUID,
  host_id: HOST,
  topic: 'Quarterly security review',
  type: 2,
  start_time: '2024-10-14T14:58:03Z',
  timezone: 'Europe/Berlin',
  duration: 60,
  ...extra,
});
const participant = (extra: Record<string, unknown> = {}) => ({
  user_id: '16778240',
  user_name: 'Ann Example',
  id: 'UsrAnn01xYz',
  participant_uuid: 'PuAnn-7f3c9e',
  join_time: '2024-10-14T15:00:05Z',
  email: 'ann@example.com',
  ...extra,
});
const participantEvent = (event: string, p: Record<string, unknown> | undefined, object: Record<string, unknown> = {}): Body => ({
  event,
  event_ts: EVENT_TS,
  payload: { account_id: ACCOUNT, object: { ...meetingObject(), ...object, ...(p === undefined ? {} : { participant: p }) } },
});
const recording = (extra: Record<string, unknown> = {}) => ({
  id: 85746382910,
  uuid: UUID,
  host_id: HOST,
  account_id: ACCOUNT,
  topic: 'Quarterly security review',
  type: 2,
  start_time: '2024-10-14T14:58:03Z',
  password: RECORDING_PASSWORD,
  timezone: 'Europe/Berlin',
  host_email: 'host@example.com',
  duration: 58,
  share_url: 'https://example.zoom.us/rec/share/AbCdEf123',
  total_size: 5_368_709_120,
  recording_count: 3,
  recording_play_passcode: 'PlayPass77',
  recording_files: [
    {
      id: 'file-1',
      meeting_id: UUID,
      recording_start: '2024-10-14T14:58:10Z',
      recording_end: '2024-10-14T15:56:01Z',
      file_type: 'MP4',
      file_size: 5_368_000_000,
      file_extension: 'MP4',
      status: 'completed',
      recording_type: 'shared_screen_with_speaker_view',
      download_url: `https://example.zoom.us/rec/download/file-1?access_token=${DOWNLOAD_TOKEN}`,
    },
  ],
  ...extra,
});
const withOperator = (payload: Record<string, unknown>) => ({
  account_id: ACCOUNT,
  operator: 'admin@example.com',
  operator_id: 'OpAdm1n',
  ...payload,
});

describe('typedRows: which table each event goes to', () => {
  const participantActions = [
    'participant_joined',
    'participant_left',
    'participant_joined_waiting_room',
    'participant_left_waiting_room',
    'participant_admitted',
    'participant_put_in_waiting_room',
    'participant_role_changed',
    'sharing_started',
    'sharing_ended',
    'participant_jbh_joined',
    'participant_jbh_waiting',
    'participant_jbh_waiting_left',
  ];
  it.each([
    ...participantActions.flatMap(
      (a) =>
        [
          [`meeting.${a}`, 'participant_events', 1],
          [`webinar.${a}`, 'participant_events', 1],
        ] as const,
    ),
    ...['created', 'updated', 'deleted', 'permanently_deleted', 'recovered', 'started', 'ended', 'risk_alert', 'alert'].flatMap(
      (a) =>
        [
          [`meeting.${a}`, 'meeting_events', 1],
          [`webinar.${a}`, 'meeting_events', 1],
        ] as const,
    ),
    ...['registration_created', 'registration_approved', 'registration_cancelled', 'registration_denied'].flatMap(
      (a) =>
        [
          [`meeting.${a}`, 'registration_events', 1],
          [`webinar.${a}`, 'registration_events', 1],
        ] as const,
    ),
    ...['invitation_accepted', 'invitation_dispatched', 'invitation_rejected', 'invitation_timeout'].map(
      (a) => [`meeting.${a}`, 'registration_events', 1] as const,
    ),
    ...['registration_created', 'registration_approved', 'registration_denied'].map((a) => [`recording.${a}`, 'registration_events', 1] as const),
    ...['chat_message_file_sent', 'chat_message_file_downloaded'].flatMap(
      (a) =>
        [
          [`meeting.${a}`, 'meeting_chat_events', 1],
          [`webinar.${a}`, 'meeting_chat_events', 1],
        ] as const,
    ),
    ...['participant_qos', 'participant_qos_summary', 'participant_feedback', 'participant_data', 'participant_data_summary'].flatMap(
      (a) =>
        [
          [`meeting.${a}`, 'participant_quality_events', 1],
          [`webinar.${a}`, 'participant_quality_events', 1],
        ] as const,
    ),
    ...['group.admin_added', 'group.member_deleted', 'group.settings_updated', 'information_barriers.policy_updated'].map(
      (e) => [e, 'account_events', 1] as const,
    ),
    ...['completed', 'deleted', 'trashed', 'recovered', 'renamed'].map((a) => [`recording.${a}`, 'recording_events', 1] as const),
    ...['signed_in', 'signed_out', 'created', 'updated', 'deactivated', 'activated', 'deleted', 'disassociated', 'settings_updated'].map(
      (a) => [`user.${a}`, 'user_events', 1] as const,
    ),
    ...['settings_updated', 'updated', 'lock_settings_updated', 'created', 'brand_new_action'].map(
      (a) => [`account.${a}`, 'account_events', 1] as const,
    ),
    ...[
      'meeting.chat_message_sent',
      'meeting.participant_bind',
      'webinar.converted_to_meeting',
      'recording.started',
      'recording.registration_cancelled',
      'webinar.invitation_accepted',
      'user.presence_status_updated',
      'phone.callee_ringing',
      'brand.new_thing',
      'account',
      'account.',
      'endpoint.url_validation',
    ].map((e) => [e, 'none', 0] as const),
  ])('%s -> %s', (event, table, count) => {
    const rows = rowsOf({ event, event_ts: EVENT_TS, payload: { account_id: ACCOUNT, object: meetingObject() } });
    expect(rows).toHaveLength(count);
    for (const { table: t, row } of rows) {
      expect(t).toBe(table);
      expect(row).toMatchObject({ event, source_record_id: SOURCE });
    }
  });
});

describe('event routes', () => {
  it('give every event the realtime path reads a typed row (the checks read the event through it)', () => {
    expect(REALTIME_EVENTS.length).toBeGreaterThan(0);
    for (const event of REALTIME_EVENTS) {
      expect(rowsOf({ event, event_ts: EVENT_TS, payload: { account_id: ACCOUNT, object: meetingObject() } }), event).not.toHaveLength(0);
    }
  });
});

describe('typedRows: participant events', () => {
  it.each([
    [
      'a numeric meeting id as a string',
      participantEvent('meeting.participant_joined', participant()),
      { meeting_id: '85746382910', meeting_uuid: UUID, host_id: HOST, account_id: ACCOUNT, topic: 'Quarterly security review' },
    ],
    [
      'a string meeting id unchanged',
      participantEvent('meeting.participant_joined', participant(), { id: '85746382910' }),
      { meeting_id: '85746382910' },
    ],
    [
      'user_id as participant_id and id as participant_user_id',
      participantEvent('meeting.participant_joined', participant()),
      {
        participant_id: '16778240',
        participant_user_id: 'UsrAnn01xYz',
        participant_uuid: 'PuAnn-7f3c9e',
        user_name: 'Ann Example',
        email: 'ann@example.com',
      },
    ],
    [
      'participant_user_id when id is empty',
      participantEvent('meeting.participant_joined', participant({ id: '', participant_user_id: 'UsrAnn02' })),
      { participant_user_id: 'UsrAnn02' },
    ],
    [
      'a numeric user_id as a string',
      participantEvent('meeting.participant_joined', participant({ user_id: 16778240 })),
      { participant_id: '16778240' },
    ],
    [
      'an empty email as NULL',
      participantEvent('meeting.participant_joined', participant({ email: '', id: '' })),
      { email: null, participant_user_id: null },
    ],
    ['join_time as the event time', participantEvent('meeting.participant_joined', participant()), { event_time: Date.UTC(2024, 9, 14, 15, 0, 5) }],
    [
      'leave_time and leave_reason on participant_left',
      participantEvent('meeting.participant_left', {
        ...participant({ join_time: undefined }),
        leave_time: '2024-10-14T15:40:00Z',
        leave_reason: 'Ann Example left the meeting.',
      }),
      { event_time: Date.UTC(2024, 9, 14, 15, 40), leave_reason: 'Ann Example left the meeting.' },
    ],
    [
      'date_time on waiting-room events',
      participantEvent('meeting.participant_joined_waiting_room', participant({ join_time: undefined, date_time: '2024-10-14T14:59:41Z' })),
      { event_time: Date.UTC(2024, 9, 14, 14, 59, 41) },
    ],
    [
      'date_time on admitted',
      participantEvent('meeting.participant_admitted', participant({ join_time: undefined, date_time: '2024-10-14T15:00:02Z' })),
      { event_time: Date.UTC(2024, 9, 14, 15, 0, 2) },
    ],
    [
      'a time without offset read as UTC',
      participantEvent('meeting.participant_joined', participant({ join_time: '2024-10-14T15:00:05' })),
      { event_time: Date.UTC(2024, 9, 14, 15, 0, 5) },
    ],
    [
      'event_ts when join_time is implausible',
      participantEvent('meeting.participant_joined', participant({ join_time: '1970-01-01T00:00:00Z' })),
      { event_time: EVENT_TS },
    ],
    [
      'event_ts when join_time is garbage',
      participantEvent('meeting.participant_joined', participant({ join_time: 'March 7' })),
      { event_time: EVENT_TS },
    ],
    [
      'public and private IPs when present',
      participantEvent('meeting.participant_joined', participant({ public_ip: '203.0.113.45', private_ip: '10.0.4.17' })),
      { public_ip: '203.0.113.45', private_ip: '10.0.4.17' },
    ],
    ['an IPv6 public IP', participantEvent('meeting.participant_joined', participant({ public_ip: '2001:db8::7' })), { public_ip: '2001:db8::7' }],
    ['no IPs when absent', participantEvent('meeting.participant_joined', participant()), { public_ip: null, private_ip: null }],
    [
      'no IP when it is not an address',
      participantEvent('meeting.participant_joined', participant({ public_ip: 'unknown', private_ip: 17 })),
      { public_ip: null, private_ip: null },
    ],
    [
      'a non-ASCII display name byte for byte',
      participantEvent('meeting.participant_joined', participant({ user_name: 'Zoë Ñúñez 日本' })),
      { user_name: 'Zoë Ñúñez 日本' },
    ],
    [
      'NULL participant fields and event_ts when the participant is missing',
      participantEvent('meeting.participant_joined', undefined),
      { event_time: EVENT_TS, participant_id: null, participant_user_id: null, user_name: null, email: null, meeting_id: '85746382910' },
    ],
    [
      'NULL for fields of unexpected types',
      participantEvent('meeting.participant_joined', participant({ user_name: 42, email: { a: 1 }, participant_uuid: [] })),
      { user_name: null, email: null, participant_uuid: null },
    ],
    [
      'old and new role',
      participantEvent(
        'meeting.participant_role_changed',
        participant({ join_time: undefined, date_time: '2024-10-14T15:10:00Z', old_role: 'attendee', new_role: 'co-host' }),
      ),
      { old_role: 'attendee', new_role: 'co-host', event_time: Date.UTC(2024, 9, 14, 15, 10) },
    ],
    [
      'sharing content and time',
      participantEvent(
        'meeting.sharing_started',
        participant({
          join_time: undefined,
          sharing_details: { content: 'desktop', link_source: '', file_link: '', date_time: '2024-10-14T15:20:00Z', source: '' },
        }),
      ),
      { sharing_content: 'desktop', event_time: Date.UTC(2024, 9, 14, 15, 20) },
    ],
    [
      'webinar events in the same table',
      participantEvent('webinar.participant_joined', participant({ phone_number: '+4930123456', customer_key: 'ck-19', registrant_id: 'reg-88' })),
      { event: 'webinar.participant_joined', phone_number: '+4930123456', customer_key: 'ck-19', registrant_id: 'reg-88' },
    ],
  ])('stores %s', (_name, body, expected) => {
    const row = only(body);
    expect(row).toMatchObject(expected);
    expect(rowProblems(getTable('participant_events'), row)).toEqual([]);
  });
});

describe('typedRows: meeting events', () => {
  const meeting = (event: string, object: Record<string, unknown>, payload: Record<string, unknown> = {}): Body => ({
    event,
    event_ts: EVENT_TS,
    payload: withOperator({ object, ...payload }),
  });
  it.each([
    [
      'a passcode as has_passcode = true, never its value',
      meeting('meeting.created', meetingObject({ password: MEETING_PASSCODE })),
      {
        has_passcode: true,
        meeting_id: '85746382910',
        meeting_type: 2,
        duration_minutes: 60,
        timezone: 'Europe/Berlin',
        start_time: Date.UTC(2024, 9, 14, 14, 58, 3),
        event_time: EVENT_TS,
        operator: 'admin@example.com',
        operator_id: 'OpAdm1n',
        details_json: null,
      },
    ],
    ['an empty passcode as false', meeting('meeting.created', meetingObject({ password: '' })), { has_passcode: false }],
    ['no passcode field as NULL', meeting('meeting.created', meetingObject()), { has_passcode: null }],
    ['a non-string passcode as NULL', meeting('meeting.created', meetingObject({ password: 1234 })), { has_passcode: null }],
    [
      'the actual start as the time of meeting.started',
      meeting('meeting.started', meetingObject()),
      { event_time: Date.UTC(2024, 9, 14, 14, 58, 3) },
    ],
    [
      'end_time on meeting.ended',
      meeting('meeting.ended', meetingObject({ end_time: '2024-10-14T15:57:00Z' })),
      { event_time: Date.UTC(2024, 9, 14, 15, 57), end_time: Date.UTC(2024, 9, 14, 15, 57) },
    ],
    ['event_ts when meeting.ended has no end_time', meeting('meeting.ended', meetingObject()), { event_time: EVENT_TS, end_time: null }],
    [
      'a string id on meeting.deleted',
      meeting('meeting.deleted', { id: '85746382910', uuid: UUID, host_id: HOST, topic: 'x' }),
      { meeting_id: '85746382910' },
    ],
    [
      'an out-of-range type and duration as NULL',
      meeting('meeting.created', meetingObject({ type: 'scheduled', duration: 2 ** 40 })),
      { meeting_type: null, duration_minutes: null },
    ],
  ])('stores %s', (_name, body, expected) => {
    const row = only(body);
    expect(row).toMatchObject(expected);
    expect(rowProblems(getTable('meeting_events'), row)).toEqual([]);
  });

  it('keeps old_object of meeting.updated as details_json with passcodes masked', () => {
    const row = only(
      meeting(
        'meeting.updated',
        { id: 85746382910, uuid: UUID, password: '' },
        {
          time_stamp: EVENT_TS,
          old_object: {
            id: 85746382910,
            uuid: UUID,
            password: MEETING_PASSCODE,
            join_url: `https://example.zoom.us/j/85746382910?pwd=${MEETING_PASSCODE}xyz`,
          },
        },
      ),
    );
    expect(row.has_passcode).toBe(false);
    expect(JSON.parse(String(row.details_json))).toEqual({
      id: 85746382910,
      uuid: UUID,
      password: '[redacted]',
      join_url: 'https://example.zoom.us/j/85746382910?pwd=[redacted]',
    });
    expect(JSON.stringify(row)).not.toContain(MEETING_PASSCODE);
  });

  it('keeps armn_details of meeting.risk_alert as details_json', () => {
    const armn = {
      post_platform: 'twitter',
      social_link: 'https://social.example/p/1',
      post_time: '2024-10-14T13:00:00Z',
      post_user: 'someone',
      meeting_url: 'https://example.zoom.us/j/85746382910',
      recommended_enable_settings: ['waiting_room'],
      recommended_disable_settings: [],
    };
    const row = only(meeting('meeting.risk_alert', meetingObject({ armn_details: armn })));
    expect(JSON.parse(String(row.details_json))).toEqual(armn);
  });
});

describe('typedRows: recording events', () => {
  it('maps recording.completed and never stores the download token or a password', () => {
    const rows = rowsOf({
      event: 'recording.completed',
      event_ts: EVENT_TS,
      download_token: DOWNLOAD_TOKEN,
      payload: { account_id: ACCOUNT, object: recording() },
    });
    expect(rows.map((r) => r.row)).toEqual([
      {
        event: 'recording.completed',
        event_time: EVENT_TS,
        account_id: ACCOUNT,
        meeting_id: '85746382910',
        meeting_uuid: UUID,
        host_id: HOST,
        host_email: 'host@example.com',
        topic: 'Quarterly security review',
        start_time: Date.UTC(2024, 9, 14, 14, 58, 3),
        recording_count: 3,
        total_size: 5_368_709_120,
        share_url: 'https://example.zoom.us/rec/share/AbCdEf123',
        has_passcode: true,
        operator: null,
        operator_id: null,
        source_record_id: SOURCE,
      },
    ]);
  });

  it('masks a passcode embedded in the share URL', () => {
    const row = only({
      event: 'recording.completed',
      event_ts: EVENT_TS,
      payload: { object: recording({ share_url: 'https://example.zoom.us/rec/share/AbC?pwd=Sh4reP4ss&x=1' }) },
    });
    expect(row.share_url).toBe('https://example.zoom.us/rec/share/AbC?pwd=[redacted]&x=1');
  });

  it.each([
    [
      'batch_deleted: one row per object.meetings[]',
      'recording.batch_deleted',
      {
        meetings: [
          { meeting_uuid: 'uuA==', recording_file_ids: ['f1', 'f2'] },
          { meeting_uuid: 'uuB==', recording_file_ids: ['f3'] },
        ],
      },
      ['uuA==', 'uuB=='],
    ],
    ['batch_recovered: one row per object.meetings[]', 'recording.batch_recovered', { meetings: [{ meeting_uuid: 'uuC==' }] }, ['uuC==']],
    [
      'batch_trashed: one row per object.meeting_uuids[]',
      'recording.batch_trashed',
      { meeting_uuids: ['uuD==', 'uuE==', 'uuF=='] },
      ['uuD==', 'uuE==', 'uuF=='],
    ],
    ['an unknown batch shape: one row with what is there', 'recording.batch_deleted', { something_new: [1, 2] }, [null]],
    [
      'a batch with non-object entries: ids kept, garbage skipped',
      'recording.batch_trashed',
      { meeting_uuids: ['uuG==', { x: 1 }, null, ''] },
      ['uuG=='],
    ],
  ])('%s', (_name, event, object, uuids) => {
    const rows = rowsOf({ event, event_ts: EVENT_TS, payload: withOperator({ operation: 'trash_user_recordings', object }) });
    expect(rows.map((r) => r.row.meeting_uuid)).toEqual(uuids);
    for (const { table, row } of rows) {
      expect(table).toBe('recording_events');
      expect(row).toMatchObject({ event, operator: 'admin@example.com', operator_id: 'OpAdm1n', event_time: EVENT_TS });
    }
  });

  it('gives batch rows distinct record keys (meeting_uuid differs)', () => {
    const rows = rowsOf({ event: 'recording.batch_trashed', event_ts: EVENT_TS, payload: withOperator({ object: { meeting_uuids: ['u1', 'u2'] } }) });
    expect(new Set(rows.map((r) => r.row.meeting_uuid)).size).toBe(2);
  });

  it('takes the new topic of recording.renamed', () => {
    const row = only({
      event: 'recording.renamed',
      event_ts: EVENT_TS,
      payload: withOperator({
        time_stamp: EVENT_TS,
        object: { id: 85746382910, uuid: UUID, topic: 'New name', type: 2 },
        old_object: { id: 85746382910, uuid: UUID, topic: 'Old name' },
      }),
    });
    expect(row).toMatchObject({ topic: 'New name', meeting_id: '85746382910' });
  });

  it('reads counts and sizes sent as digit strings, and drops impossible ones', () => {
    expect(
      only({ event: 'recording.trashed', event_ts: EVENT_TS, payload: { object: recording({ recording_count: '4', total_size: '123' }) } }),
    ).toMatchObject({ recording_count: 4, total_size: 123 });
    expect(
      only({ event: 'recording.trashed', event_ts: EVENT_TS, payload: { object: recording({ recording_count: 1.5, total_size: 2 ** 60 }) } }),
    ).toMatchObject({ recording_count: null, total_size: null });
  });
});

describe('typedRows: user events', () => {
  it.each([
    [
      'user.signed_in with its own time',
      {
        event: 'user.signed_in',
        event_ts: EVENT_TS,
        payload: {
          account_id: ACCOUNT,
          object: {
            id: 'UsrAnn01xYz',
            client_type: 'mac',
            date_time: '2024-10-14T14:55:00Z',
            email: 'ann@example.com',
            version: '6.2.5.43117',
            login_type: 100,
          },
        },
      },
      {
        event_time: Date.UTC(2024, 9, 14, 14, 55),
        user_id: 'UsrAnn01xYz',
        email: 'ann@example.com',
        client_type: 'mac',
        client_version: '6.2.5.43117',
        login_type: 100,
        changes_json: null,
      },
    ],
    [
      'user.deactivated with its operator',
      {
        event: 'user.deactivated',
        event_ts: EVENT_TS,
        payload: withOperator({
          object: { id: 'UsrBob02', first_name: 'Bob', last_name: 'Example', email: 'bob@example.com', type: 2 },
        }),
      },
      { event_time: EVENT_TS, user_id: 'UsrBob02', user_type: 2, operator: 'admin@example.com', operator_id: 'OpAdm1n' },
    ],
    [
      'a user type that is not a number as NULL',
      {
        event: 'user.created',
        event_ts: EVENT_TS,
        payload: withOperator({ creation_type: 'create', object: { id: 'UsrCat03', email: 'cat@example.com', type: 'licensed' } }),
      },
      { user_type: null, email: 'cat@example.com' },
    ],
  ])('maps %s', (_name, body, expected) => {
    const row = only(body);
    expect(row).toMatchObject(expected);
    expect(rowProblems(getTable('user_events'), row)).toEqual([]);
  });

  it.each([
    ['user.updated', { first_name: 'Annie' }, { first_name: 'Ann' }],
    ['user.settings_updated', { settings: { in_meeting: { waiting_room: false } } }, { settings: { in_meeting: { waiting_room: true } } }],
  ])('keeps the changes of %s without ids', (event, changed, old) => {
    const row = only({
      event,
      event_ts: EVENT_TS,
      payload: withOperator({ time_stamp: EVENT_TS, object: { id: 'UsrAnn01xYz', ...changed }, old_object: { id: 'UsrAnn01xYz', ...old } }),
    });
    expect(JSON.parse(String(row.changes_json))).toEqual({ object: changed, old_object: old });
    expect(row.user_id).toBe('UsrAnn01xYz');
  });
});

describe('typedRows: account events', () => {
  it.each([
    [
      'settings_updated with old values',
      'account.settings_updated',
      { id: ACCOUNT, settings: { in_meeting: { e2e_encryption: false } } },
      { id: ACCOUNT, settings: { in_meeting: { e2e_encryption: true } } },
      { in_meeting: { e2e_encryption: false } },
      { in_meeting: { e2e_encryption: true } },
    ],
    [
      'settings_updated without old_object (Rivet typing)',
      'account.settings_updated',
      { id: ACCOUNT, settings: { security: { waiting_room: false } } },
      undefined,
      { security: { waiting_room: false } },
      null,
    ],
    [
      'updated: the changed fields',
      'account.updated',
      { id: ACCOUNT, account_name: 'Example Corp' },
      { id: ACCOUNT, account_name: 'Example Inc' },
      { account_name: 'Example Corp' },
      { account_name: 'Example Inc' },
    ],
    [
      'lock_settings_updated',
      'account.lock_settings_updated',
      { id: ACCOUNT, settings: { recording: { cloud_recording: true } } },
      undefined,
      { recording: { cloud_recording: true } },
      null,
    ],
    ['an unknown account event with only an id', 'account.created', { id: ACCOUNT }, undefined, null, null],
  ])('maps %s', (_name, event, object, oldObject, settings, oldSettings) => {
    const row = only({
      event,
      event_ts: EVENT_TS,
      payload: {
        operator: 'owner@example.com',
        operator_id: 'OpOwn1',
        object,
        ...(oldObject ? { old_object: oldObject } : {}),
        time_stamp: EVENT_TS,
      },
    });
    expect(row).toMatchObject({ account_id: ACCOUNT, operator: 'owner@example.com', operator_id: 'OpOwn1', event_time: EVENT_TS });
    expect(row.settings_json === null ? null : JSON.parse(String(row.settings_json))).toEqual(settings);
    expect(row.old_settings_json === null ? null : JSON.parse(String(row.old_settings_json))).toEqual(oldSettings);
  });
});

describe('typedRows: event time fallbacks', () => {
  it.each([
    ['event_ts', { event: 'user.deleted', event_ts: EVENT_TS, payload: { object: { id: 'u' } } }, EVENT_TS],
    [
      'event_ts in seconds',
      { event: 'user.deleted', event_ts: Math.floor(EVENT_TS / 1000), payload: { object: { id: 'u' } } },
      Math.floor(EVENT_TS / 1000) * 1000,
    ],
    ['payload.time_stamp without event_ts', { event: 'user.deleted', payload: { time_stamp: EVENT_TS, object: { id: 'u' } } }, EVENT_TS],
    [
      'the receipt time when nothing else is plausible',
      { event: 'user.deleted', event_ts: 'soon', payload: { object: { id: 'u', date_time: 'never' } } },
      RECEIVED,
    ],
  ])('uses %s', (_name, body, expected) => {
    expect(only(body).event_time).toBe(expected);
  });
});

describe('typedRows: robustness', () => {
  const fixtures: Body[] = [
    participantEvent('meeting.participant_joined', participant({ public_ip: '203.0.113.45' })),
    participantEvent('webinar.sharing_ended', participant({ sharing_details: { content: 'application', date_time: '2024-10-14T15:30:00Z' } })),
    {
      event: 'meeting.updated',
      event_ts: EVENT_TS,
      payload: withOperator({ object: meetingObject({ password: MEETING_PASSCODE }), old_object: meetingObject() }),
    },
    { event: 'recording.completed', event_ts: EVENT_TS, download_token: DOWNLOAD_TOKEN, payload: { account_id: ACCOUNT, object: recording() } },
    { event: 'recording.trashed', event_ts: EVENT_TS, download_token: DOWNLOAD_TOKEN, payload: withOperator({ object: recording() }) },
    {
      event: 'recording.batch_deleted',
      event_ts: EVENT_TS,
      payload: withOperator({ object: { meetings: [{ meeting_uuid: 'a', recording_file_ids: ['f'] }] } }),
    },
    {
      event: 'user.signed_out',
      event_ts: EVENT_TS,
      payload: {
        account_id: ACCOUNT,
        object: { id: 'u1', date_time: '2024-10-14T16:00:00Z', email: 'a@example.com', version: '6.0', client_type: 'win', login_type: 0 },
      },
    },
    {
      event: 'user.updated',
      event_ts: EVENT_TS,
      payload: withOperator({ object: { id: 'u1', email: 'b@example.com' }, old_object: { id: 'u1', email: 'a@example.com' } }),
    },
    {
      event: 'account.settings_updated',
      event_ts: EVENT_TS,
      payload: withOperator({ object: { id: ACCOUNT, settings: { a: 1 } }, old_object: { id: ACCOUNT, settings: { a: 2 } } }),
    },
  ];

  // Every leaf of payload.object replaced by a value of another type, one replacement kind per run.
  const odd: unknown[] = [2 ** 64, -1, true, '', 'x', [], [{}], { nested: { deep: 1 } }, null];
  const mutate = (v: unknown, replacement: unknown): unknown =>
    Array.isArray(v)
      ? v.map((x) => mutate(x, replacement))
      : typeof v === 'object' && v !== null
        ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mutate(x, replacement)]))
        : replacement;

  it.each(
    fixtures.flatMap((f) => [
      [f.event, 'as sent', f] as const,
      ...odd.map(
        (r) =>
          [
            f.event,
            JSON.stringify(r),
            {
              ...f,
              payload: { ...f.payload, object: mutate(f.payload?.object, r), participant: r },
            },
          ] as const,
      ),
    ]),
  )('%s with leaves %s: every row fits its table', (_event, _how, body) => {
    const rows = rowsOf(body);
    expect(rows.length).toBeGreaterThan(0);
    for (const { table, row } of rows) expect(rowProblems(getTable(table), row)).toEqual([]);
  });

  it('never stores a download token, recording password or passcode in any row', () => {
    const all = JSON.stringify(fixtures.flatMap(rowsOf));
    for (const secret of [DOWNLOAD_TOKEN, RECORDING_PASSWORD, MEETING_PASSCODE, 'PlayPass77']) expect(all).not.toContain(secret);
  });

  // Node's serialiser gives up somewhere between 3,000 and 5,000 levels (stack-size dependent): NULL there, raw keeps it.
  it.each([
    ['1,000 levels: kept', 1_000, (json: unknown) => expect(typeof json).toBe('string')],
    ['5,000 levels: kept or NULL, never a throw', 5_000, (json: unknown) => expect(json === null || typeof json === 'string').toBe(true)],
    ['100,000 levels: NULL', 100_000, (json: unknown) => expect(json).toBeNull()],
  ])('survives an old_object nested %s', (_name, depth, check) => {
    const raw = `{"event":"meeting.updated","event_ts":${EVENT_TS},"payload":{"object":{"id":1},"old_object":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}`;
    const row = typedRows(parseEnvelope(raw), SOURCE, RECEIVED)[0]!.row;
    check(row.details_json);
    expect(rowProblems(getTable('meeting_events'), row)).toEqual([]);
  });

  it('does not let a __proto__ key in a payload change the stored JSON shape', () => {
    const raw = `{"event":"user.updated","event_ts":${EVENT_TS},"payload":{"object":{"id":"u","__proto__":{"polluted":true}}}}`;
    const row = typedRows(parseEnvelope(raw), SOURCE, RECEIVED)[0]!.row;
    expect(JSON.parse(String(row.changes_json))).toEqual({ object: JSON.parse('{"__proto__":{"polluted":true}}') });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
