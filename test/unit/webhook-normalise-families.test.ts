import { describe, expect, it } from 'vitest';
import { rowProblems } from '#core/lake/records.ts';
import { getTable } from '#core/schema/registry.ts';
import { parseEnvelope } from '#core/webhook/envelope.ts';
import { typedRows, type TypedRow } from '#core/webhook/normalise.ts';

/*
 * The webhook families #16 types (joins before the host, webinar and alert events, registrations and invitations,
 * chat files, participant QoS/feedback/data, group and information-barrier events): bodies shaped like the corpus
 * ones (../shared/corpus/webhooks, docs/zoom-contract.md), and odd types, which become NULL without losing the row.
 */

const RECEIVED = Date.UTC(2026, 10, 25, 10, 0, 30);
const EVENT_TS = Date.UTC(2026, 10, 25, 10, 0, 12);
type Body = { event: string; event_ts?: number; payload: Record<string, unknown> };
const rowsOf = (body: Body): TypedRow[] => typedRows(parseEnvelope(JSON.stringify(body)), 'src', RECEIVED);
/** The one row of a body, checked against its table's schema. */
const only = (body: Body) => {
  const rows = rowsOf(body);
  expect(rows).toHaveLength(1);
  expect(rowProblems(getTable(rows[0]!.table), rows[0]!.row)).toEqual([]);
  return rows[0]!;
};
const event = (name: string, object: Record<string, unknown>, extra: Record<string, unknown> = {}): Body => ({
  event: name,
  event_ts: EVENT_TS,
  payload: { account_id: 'AAAAAABBBB', ...extra, object },
});
const meeting = { id: '1234567890', uuid: '4444AAAiAAAAAiAiAiiAii==', host_id: 'x1yCzABCDEfg23HiJKl4mN', topic: 'My Meeting', type: 8 };

describe('participant_events: joins and waits before the host', () => {
  it.each([
    [
      'meeting.participant_jbh_joined, signed in',
      event('meeting.participant_jbh_joined', {
        ...meeting,
        participant: { id: 'iFxeBPYun6SAiWUzBcEkX', user_name: 'Jill Chill', customer_key: '349589LkJyeW', registrant_id: 'abc-reg' },
      }),
      { participant_user_id: 'iFxeBPYun6SAiWUzBcEkX', user_name: 'Jill Chill', customer_key: '349589LkJyeW', registrant_id: 'abc-reg' },
    ],
    [
      'webinar.participant_jbh_waiting, a name only',
      event('webinar.participant_jbh_waiting', { ...meeting, participant: { user_name: 'Tom Harry' } }),
      { participant_user_id: null, user_name: 'Tom Harry', customer_key: null, registrant_id: null },
    ],
    [
      'meeting.participant_jbh_waiting_left, a numeric meeting id and odd types',
      event('meeting.participant_jbh_waiting_left', { ...meeting, id: 1234567890, participant: { id: 42, user_name: ['x'], customer_key: {} } }),
      { participant_user_id: '42', user_name: null, customer_key: null, registrant_id: null },
    ],
  ])('%s', (_name, body, expected) => {
    const { table, row } = only(body);
    expect(table).toBe('participant_events');
    // Zoom sends no email, IP or join time on these: the event's own time is event_ts.
    expect(row).toMatchObject({
      ...expected,
      event: body.event,
      meeting_id: '1234567890',
      meeting_uuid: meeting.uuid,
      email: null,
      public_ip: null,
      event_time: EVENT_TS,
    });
  });
});

describe('meeting_events: settings, passcodes and alerts of meetings and webinars', () => {
  it.each([
    [
      'meeting.created with a passcode and settings',
      event(
        'meeting.created',
        {
          ...meeting,
          password: 'PaSsWoRd',
          join_url: 'https://zoom.us/j/1?pwd=c21E',
          settings: { waiting_room: false, meeting_authentication: true, join_before_host: true, use_pmi: false },
        },
        { operator: 'someone@example.com', operator_id: 'op1' },
      ),
      {
        has_passcode: true,
        waiting_room: false,
        meeting_authentication: true,
        join_before_host: true,
        use_pmi: false,
        operator: 'someone@example.com',
      },
    ],
    [
      'meeting.updated removing the passcode (only changed fields sent)',
      event('meeting.updated', { id: 1234567890, password: '', settings: { waiting_room: false } }),
      { has_passcode: false, waiting_room: false, meeting_authentication: null, join_before_host: null, use_pmi: null },
    ],
    [
      'webinar.created without settings',
      event('webinar.created', { ...meeting, type: 5 }),
      { has_passcode: null, waiting_room: null, meeting_authentication: null, meeting_type: 5 },
    ],
    [
      'settings of odd types',
      event('webinar.updated', { id: 1, password: 123456, settings: { waiting_room: 'false', use_pmi: 1, join_before_host: null } }),
      { has_passcode: null, waiting_room: null, use_pmi: null, join_before_host: null },
    ],
  ])('%s', (_name, body, expected) => {
    const { table, row } = only(body);
    expect(table).toBe('meeting_events');
    expect(row).toMatchObject(expected);
    expect(JSON.stringify(row)).not.toContain('PaSsWoRd');
    expect(JSON.stringify(row)).not.toContain('c21E');
  });

  it('types a risk alert with the exposed link masked, and keeps armn_details', () => {
    const { row } = only(
      event('meeting.risk_alert', {
        ...meeting,
        id: 1234567890,
        host_email: 'jchill@example.com',
        armn_details: {
          post_platform: 'twitter',
          social_link: 'https://social.example/user/status/1372556404872069120?ref=x&token=abc123',
          post_time: '2021-05-15T02:28:00Z',
          post_user: 'user',
          meeting_url: 'https://example.zoom.us/j/82390661051?pwd=SecretPwd99',
          recommended_enable_settings: ['enablePassword', 'enableWaitingRoom'],
        },
      }),
    );
    expect(row).toMatchObject({
      host_email: 'jchill@example.com',
      risk_post_platform: 'twitter',
      risk_post_url: 'https://social.example/user/status/1372556404872069120?ref=x&token=[redacted]',
      risk_post_time: Date.UTC(2021, 4, 15, 2, 28),
      risk_meeting_url: 'https://example.zoom.us/j/82390661051?pwd=[redacted]',
      event_time: EVENT_TS,
    });
    expect(JSON.parse(String(row.details_json))).toMatchObject({
      post_user: 'user',
      meeting_url: 'https://example.zoom.us/j/82390661051?pwd=[redacted]',
    });
    expect(JSON.stringify(row)).not.toContain('SecretPwd99');
  });

  it.each([
    [
      'a list (as Zoom types it)',
      ['Unstable audio quality', 'Unstable video quality'],
      { issues: ['Unstable audio quality', 'Unstable video quality'] },
    ],
    ['one string (as published samples send it)', 'Unstable audio quality', { issues: ['Unstable audio quality'] }],
    ['nothing usable', 42, null],
  ])('keeps the issues of meeting.alert sent as %s', (_name, issues, expected) => {
    const { row } = only(event('webinar.alert', { ...meeting, issues }));
    expect(row.details_json === null ? null : JSON.parse(String(row.details_json))).toEqual(expected);
  });
});

describe('recording_events.has_passcode', () => {
  it.each([
    ['a passcode', 'Rec#Pass9!', true],
    ['none', '', false],
    ['not said', undefined, null],
    ['an odd type', 7, null],
  ])('%s', (_name, password, expected) => {
    const { row } = only(event('recording.completed', { ...meeting, ...(password === undefined ? {} : { password }) }));
    expect(row.has_passcode).toBe(expected);
    expect(JSON.stringify(row)).not.toContain('Rec#Pass9!');
  });
});

describe('registration_events', () => {
  const registrant = {
    id: 'iFxeBPYun6SAiWUzBcEkX',
    first_name: 'Jill',
    last_name: 'Chill',
    email: 'jchill@example.com',
    join_url: 'https://example.zoom.us/w/1234567890?tk=RegistrantTk77&uuid=WN_x',
    participant_pin_code: 380303,
    status: 'approved',
  };
  it.each([
    ['meeting.registration_created', {}],
    ['webinar.registration_approved', { operator: 'admin@example.com', operator_id: 'z8yC' }],
    ['recording.registration_denied', {}],
  ])('%s: the registrant', (name, extra) => {
    const { table, row } = only(event(name, { ...meeting, id: 1234567890, registrant }, extra));
    expect(table).toBe('registration_events');
    expect(row).toMatchObject({
      meeting_id: '1234567890',
      meeting_uuid: meeting.uuid,
      host_id: meeting.host_id,
      topic: 'My Meeting',
      registrant_id: registrant.id,
      email: 'jchill@example.com',
      first_name: 'Jill',
      last_name: 'Chill',
      participant_user_id: null,
      operator: 'operator' in extra ? 'admin@example.com' : null,
    });
    // The registrant's own join link and PIN join as them: no typed column holds them.
    expect(JSON.stringify(row)).not.toMatch(/RegistrantTk77|380303|\/w\/1234567890/);
  });

  it.each(['invitation_accepted', 'invitation_dispatched', 'invitation_rejected', 'invitation_timeout'])('meeting.%s: the invitee', (action) => {
    const { row } = only(
      event(
        `meeting.${action}`,
        { ...meeting, participant: { participant_user_id: 'rPwsQrpC6gPuw2zEJqw', email: 'jchill@example.com' } },
        { operator: 'dhill@example.com', operator_id: 'Hy7Y' },
      ),
    );
    expect(row).toMatchObject({
      participant_user_id: 'rPwsQrpC6gPuw2zEJqw',
      email: 'jchill@example.com',
      registrant_id: null,
      operator: 'dhill@example.com',
    });
  });

  it('gives NULL for odd types and still keeps the row', () => {
    const { row } = only(event('meeting.registration_cancelled', { id: { n: 1 }, registrant: { id: 5, email: ['x'], first_name: 3 } }));
    expect(row).toMatchObject({ meeting_id: null, registrant_id: '5', email: null, first_name: null, event_time: EVENT_TS });
  });
});

describe('meeting_chat_events: files sent and downloaded, never their links', () => {
  const file = {
    date_time: '2022-01-10T07:20:10Z',
    sender_session_id: '26219520',
    sender_name: 'Jill Chill',
    sender_email: 'dlp.user@example.com',
    sender_type: 'host',
    recipient_session_id: '38681600',
    recipient_name: 'John Smith',
    recipient_email: 'guest.user@example',
    recipient_type: 'guest',
    message_id: 'MS17MDQ5',
    file_id: 'MS17RDk0',
    file_name: 'example.jpg',
    file_size: 3966,
    file_type: 'jpg',
    download_url: 'https://file.zoomdev.us/file/hsdAXySKRe2KgS-0YNeSXg',
  };
  it.each([
    ['meeting.chat_message_file_sent', { meeting_id: 1234567890, meeting_uuid: meeting.uuid }],
    ['webinar.chat_message_file_sent', { webinar_id: 1234567890, webinar_uuid: meeting.uuid }],
  ])('%s', (name, ids) => {
    const { table, row } = only(event(name, { ...ids, chat_message_file: file }));
    expect(table).toBe('meeting_chat_events');
    expect(row).toMatchObject({
      meeting_id: '1234567890',
      meeting_uuid: meeting.uuid,
      event_time: Date.UTC(2022, 0, 10, 7, 20, 10),
      sender_name: 'Jill Chill',
      sender_email: 'dlp.user@example.com',
      sender_type: 'host',
      recipient_email: 'guest.user@example',
      recipient_type: 'guest',
      message_id: 'MS17MDQ5',
      file_name: 'example.jpg',
      file_size: 3966,
      operator: null,
    });
    expect(JSON.stringify(row)).not.toContain('hsdAXySKRe2KgS');
  });

  it('webinar.chat_message_file_downloaded: the downloader and the file owner', () => {
    const { row } = only(
      event(
        'webinar.chat_message_file_downloaded',
        {
          id: 1234567890,
          uuid: meeting.uuid,
          host_account_id: 'lmnop',
          chat_message_file: { file_id: 'MS17RDk0', file_name: 'example.jpg', file_owner_id: 'rw3d', file_size: 3966, file_type: 'jpg' },
        },
        { operator: 'user@example.com', operator_id: 'z8yC' },
      ),
    );
    expect(row).toMatchObject({
      meeting_id: '1234567890',
      file_owner_id: 'rw3d',
      operator: 'user@example.com',
      operator_id: 'z8yC',
      sender_name: null,
      event_time: EVENT_TS,
    });
  });

  it('gives NULL for odd types', () => {
    const { row } = only(
      event('meeting.chat_message_file_sent', { meeting_id: 1, chat_message_file: { file_size: -5.5, file_name: 7, date_time: 'soon' } }),
    );
    expect(row).toMatchObject({ file_size: null, file_name: null, event_time: EVENT_TS });
  });
});

describe('participant_quality_events', () => {
  const entry = (device: string, ip: string) => ({
    device,
    location: 'New York',
    network_type: 'Wired',
    pc_name: 'My PC',
    domain: 'my-workspace',
    version: '4.4',
    signaling_ip_address: ip,
  });
  it('takes the device columns from the latest data entry', () => {
    const { row } = only(
      event('meeting.participant_data', {
        uuid: meeting.uuid,
        participant: {
          participant_id: '1234567890',
          participant_user_id: 'rstu',
          email: 'user@example.com',
          data: [entry('MAC', '192.0.2.9'), entry('WIN', '192.0.2.1')],
        },
      }),
    );
    expect(row).toMatchObject({
      participant_id: '1234567890',
      participant_user_id: 'rstu',
      device: 'WIN',
      ip_address: '192.0.2.1',
      pc_name: 'My PC',
      domain: 'my-workspace',
    });
    expect(JSON.parse(String(row.details_json))).toHaveLength(2);
  });

  it("names the Zoom user by `id` on qos_summary, and the webinar's own id", () => {
    const { row } = only(
      event('webinar.participant_qos_summary', {
        uuid: meeting.uuid,
        id: '123456ABCDEF',
        participant: {
          participant_id: 'string',
          user_name: 'JillChill',
          id: 'iFxeBPYun6SAiWUzBcEkX',
          email: 'user@example.com',
          qos: [{ type: 'audio_output' }],
        },
      }),
    );
    expect(row).toMatchObject({ meeting_id: '123456ABCDEF', participant_user_id: 'iFxeBPYun6SAiWUzBcEkX', user_name: 'JillChill', device: null });
    expect(JSON.parse(String(row.details_json))).toEqual([{ type: 'audio_output' }]);
  });

  it('takes the time of the latest qos entry', () => {
    const { row } = only(
      event('meeting.participant_qos', {
        uuid: meeting.uuid,
        participant: { user_id: '1234567890', qos: [{ date_time: '2021-07-13T21:44:51Z', type: 'audio_input' }] },
      }),
    );
    expect(row).toMatchObject({ participant_id: '1234567890', event_time: Date.UTC(2021, 6, 13, 21, 44, 51) });
  });

  it.each([
    [false, false],
    ['no', null],
  ])('keeps feedback (satisfied %j)', (satisfied, expected) => {
    const feedback = { satisfied, feedback_details: [{ id: '2', name: 'Poor audio quality' }], comments: 'good enough' };
    const { row } = only(
      event('meeting.participant_feedback', {
        id: '7357282288',
        uuid: meeting.uuid,
        participant: { participant_uuid: 'I2rpg', user_name: 'jchill', feedback },
      }),
    );
    expect(row).toMatchObject({ meeting_id: '7357282288', participant_uuid: 'I2rpg', satisfied: expected });
    expect(JSON.parse(String(row.details_json))).toMatchObject({ feedback_details: [{ name: 'Poor audio quality' }] });
  });

  it('gives NULL for odd types', () => {
    const { row } = only(event('meeting.participant_data', { uuid: meeting.uuid, participant: { data: { device: 'WIN' }, email: 5 } }));
    expect(row).toMatchObject({ device: null, email: null, details_json: null });
    const bad = only(
      event('meeting.participant_data', { uuid: meeting.uuid, participant: { data: [{ signaling_ip_address: 'not-an-ip', device: 3 }] } }),
    );
    expect(bad.row).toMatchObject({ ip_address: null, device: null });
  });
});

describe('account_events: group and information-barrier events', () => {
  it.each([
    [
      'group.admin_added',
      { id: 'abcD3ojfdbjfg', admins: [{ id: 'qB1V', email: 'jchill@example.com' }] },
      undefined,
      { admins: [{ id: 'qB1V', email: 'jchill@example.com' }] },
      null,
    ],
    [
      'group.updated',
      { id: 'abcD3ojfdbjfg', name: 'example-group-new' },
      { id: 'abcD3ojfdbjfg', name: 'example-group-old' },
      { name: 'example-group-new' },
      { name: 'example-group-old' },
    ],
    [
      'group.settings_updated',
      { id: 'abcD3ojfdbjfg', settings: { recording: { auto_recording: true } } },
      { id: 'abcD3ojfdbjfg', settings: { recording: { auto_recording: false } } },
      { settings: { recording: { auto_recording: true } } },
      { settings: { recording: { auto_recording: false } } },
    ],
    [
      'information_barriers.policy_created',
      { id: 'abcD3ojfdbjfg', policy_name: 'tes1_test2', settings: { file_transfer: false } },
      undefined,
      { policy_name: 'tes1_test2', settings: { file_transfer: false } },
      null,
    ],
  ])('%s keeps the object whole, old and new in one shape', (name, object, old, settings, oldSettings) => {
    const { table, row } = only(event(name, object, { operator: 'admin@example.com', operator_id: 'z8yC', ...(old ? { old_object: old } : {}) }));
    expect(table).toBe('account_events');
    expect(row).toMatchObject({ account_id: 'AAAAAABBBB', object_id: 'abcD3ojfdbjfg', operator: 'admin@example.com' });
    expect(JSON.parse(String(row.settings_json))).toEqual(settings);
    expect(row.old_settings_json === null ? null : JSON.parse(String(row.old_settings_json))).toEqual(oldSettings);
  });

  it('keeps account.* as before: the settings, and no object id', () => {
    const { row } = only(event('account.settings_updated', { id: 'AAAAAABBBB', settings: { in_meeting: { waiting_room: false } } }));
    expect(row).toMatchObject({ object_id: null, settings_json: '{"in_meeting":{"waiting_room":false}}' });
  });
});
