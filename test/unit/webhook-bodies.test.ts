import { describe, expect, it } from 'vitest';
import { parseEnvelope } from '#core/webhook/envelope.ts';
import { typedRows } from '#core/webhook/normalise.ts';
import { replayableBody } from '../support/webhook-bodies.ts';

/*
 * Detection fixtures give rows of the webhook tables; replayableBody turns each into the webhook body that carries it
 * and checks the normaliser gives the row back. These rows state every column a fixture may give.
 */

const AT = '2026-11-25T10:00:00Z';
const typedOf = (table: string, body: string) => typedRows(parseEnvelope(body), 'r', Date.parse(AT)).find((r) => r.table === table)?.row;

describe('replayableBody: fixture rows of every webhook table round-trip through the normaliser', () => {
  it.each([
    [
      'participant_events',
      {
        event: 'meeting.participant_jbh_joined',
        event_time: AT,
        meeting_id: '81234567890',
        meeting_uuid: 'jbh==',
        host_id: 'host-1',
        topic: 'Board prep',
        participant_user_id: 'zoom-user-9',
        user_name: 'Dana Leaver',
        customer_key: 'ck-1',
        registrant_id: 'reg-1',
      },
    ],
    [
      'meeting_events',
      {
        event: 'meeting.updated',
        event_time: AT,
        meeting_id: '81234567890',
        host_id: 'host-1',
        topic: 'Board prep',
        has_passcode: false,
        waiting_room: false,
        meeting_authentication: false,
        join_before_host: true,
        use_pmi: true,
        operator: 'host@acme.example',
        operator_id: 'host-1',
        details_json: '{"password":"[redacted]","settings":{"waiting_room":true}}',
      },
    ],
    [
      'meeting_events',
      {
        event: 'meeting.risk_alert',
        event_time: AT,
        meeting_id: '81234567890',
        meeting_uuid: 'risk==',
        host_id: 'host-1',
        host_email: 'host@acme.example',
        topic: 'Town hall',
        risk_post_platform: 'twitter',
        risk_post_url: 'https://social.example/status/1',
        risk_post_time: '2026-11-25T09:30:00Z',
        risk_meeting_url: 'https://acme.zoom.us/j/81234567890?pwd=[redacted]',
        details_json: '{"post_user":"someone","recommended_enable_settings":["enableWaitingRoom"]}',
      },
    ],
    ['meeting_events', { event: 'webinar.alert', event_time: AT, meeting_uuid: 'al==', details_json: '{"issues":["Unstable audio quality"]}' }],
    [
      'recording_events',
      { event: 'recording.completed', event_time: AT, meeting_uuid: 'rec==', share_url: 'https://acme.zoom.us/rec/share/x', has_passcode: false },
    ],
    [
      'account_events',
      {
        event: 'group.admin_added',
        event_time: AT,
        operator: 'admin@acme.example',
        operator_id: 'adm1',
        object_id: 'grp-1',
        settings_json: '{"admins":[{"id":"u1","email":"new.admin@acme.example"}]}',
      },
    ],
    [
      'account_events',
      {
        event: 'group.settings_updated',
        event_time: AT,
        object_id: 'grp-1',
        settings_json: '{"settings":{"recording":{"cloud_recording":false}}}',
        old_settings_json: '{"settings":{"recording":{"cloud_recording":true}}}',
      },
    ],
    [
      'registration_events',
      {
        event: 'webinar.registration_created',
        event_time: AT,
        meeting_id: '91234567890',
        meeting_uuid: 'web==',
        host_id: 'host-1',
        topic: 'Launch',
        registrant_id: 'reg-1',
        email: 'jo@customer.example',
        first_name: 'Jo',
        last_name: 'Buyer',
      },
    ],
    [
      'registration_events',
      {
        event: 'meeting.invitation_accepted',
        event_time: AT,
        meeting_id: '81234567890',
        operator: 'host@acme.example',
        participant_user_id: 'zu-2',
        email: 'colleague@acme.example',
      },
    ],
    [
      'meeting_chat_events',
      {
        event: 'webinar.chat_message_file_sent',
        event_time: AT,
        meeting_id: '91234567890',
        meeting_uuid: 'web==',
        message_id: 'm-1',
        sender_name: 'Pat Host',
        sender_email: 'pat@acme.example',
        sender_type: 'host',
        recipient_type: 'everyone',
        file_id: 'f-1',
        file_name: 'pricing.xlsx',
        file_size: 3966,
        file_type: 'xlsx',
      },
    ],
    [
      'meeting_chat_events',
      {
        event: 'meeting.chat_message_file_downloaded',
        event_time: AT,
        meeting_id: '81234567890',
        meeting_uuid: 'm==',
        file_id: 'f-1',
        file_name: 'pricing.xlsx',
        file_owner_id: 'zu-1',
        operator: 'guest@other.example',
        operator_id: 'zu-9',
      },
    ],
    [
      'participant_quality_events',
      {
        event: 'meeting.participant_data',
        event_time: AT,
        meeting_uuid: 'm==',
        participant_id: '16778240',
        participant_user_id: 'zu-1',
        email: 'pat@acme.example',
        device: 'WIN',
        pc_name: 'LAPTOP-1',
        domain: 'acme',
        ip_address: '192.0.2.1',
        details_json: '[{"device":"MAC"},{"device":"WIN","pc_name":"LAPTOP-1","domain":"acme","signaling_ip_address":"192.0.2.1"}]',
      },
    ],
    [
      'participant_quality_events',
      { event: 'meeting.participant_qos', event_time: AT, meeting_uuid: 'm==', details_json: '[{"type":"audio_input"}]' },
    ],
    [
      'participant_quality_events',
      {
        event: 'webinar.participant_feedback',
        event_time: AT,
        meeting_uuid: 'w==',
        user_name: 'jo',
        satisfied: false,
        details_json: '{"comments":"ok"}',
      },
    ],
  ])('%s %j', (table, row) => {
    const body = replayableBody(table, row);
    const typed = typedOf(table, body);
    for (const [column, value] of Object.entries(row)) {
      if (column === 'event_time') expect(typed?.event_time).toBe(Date.parse(AT));
      else if (column.endsWith('_json')) expect(JSON.parse(String(typed?.[column]))).toMatchObject(JSON.parse(String(value)));
      else if (column === 'risk_post_time') expect(typed?.[column]).toBe(Date.parse(String(value)));
      else expect(String(typed?.[column]), column).toBe(String(value));
    }
  });

  it('says which column a body cannot carry', () => {
    expect(() => replayableBody('meeting_events', { event: 'meeting.started', event_time: AT, details_json: '{"x":1}' })).toThrow(
      /column details_json/,
    );
    expect(() => replayableBody('participant_quality_events', { event: 'meeting.participant_qos', event_time: AT, device: 'WIN' })).toThrow(
      /column device/,
    );
  });
});
