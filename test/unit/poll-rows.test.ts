import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { prepareRow } from '#core/lake/records.ts';
import {
  activityRow,
  activityTime,
  chatMessageRow,
  meetingActivityRow,
  meetingNumber,
  meetingParticipantRow,
  meetingRow,
  operationLogRow,
  participantDetailRow,
  recordingRows,
  recordingSharing,
  UNKNOWN_SHARING,
  userRow,
} from '#core/poll/rows.ts';
import { getTable } from '#core/schema/registry.ts';

const SNAP = Date.UTC(2026, 10, 26, 2);
const fits = (table: string, row: object | null) => {
  expect(row).not.toBeNull();
  const prepared = prepareRow(getTable(table), row as Record<string, never>, SNAP);
  expect(prepared.ok ? [] : prepared.problems).toEqual([]);
};

describe('poller rows', () => {
  it.each([
    [
      'a sign-in with IP and client',
      { email: 'ann@example.com', time: '2026-11-25T08:01:02Z', type: 'Sign in', ip_address: '203.0.113.5', client_type: 'Mac', version: '6.2.5' },
      {
        email: 'ann@example.com',
        time: Date.UTC(2026, 10, 25, 8, 1, 2),
        type: 'Sign in',
        ip_address: '203.0.113.5',
        client_type: 'Mac',
        version: '6.2.5',
      },
    ],
    [
      'a record without IP, client or version',
      { email: 'bob@example.com', time: '2026-11-25T09:00:00Z', type: 'Sign out' },
      { email: 'bob@example.com', time: Date.UTC(2026, 10, 25, 9), type: 'Sign out', ip_address: null, client_type: null, version: null },
    ],
  ])('maps an activity: %s', (_name, item, row) => {
    expect(activityRow(item)).toEqual(row);
    fits('activities', activityRow(item));
  });

  it.each([
    ['an activity without a time', () => activityRow({ email: 'x@example.com', type: 'Sign in' })],
    ['an operation log with a garbage time', () => operationLogRow({ time: 'soon', action: 'Update' })],
    ['a user without an id', () => userRow({ email: 'x@example.com' }, SNAP)],
    ['a meeting without a uuid', () => meetingRow({ id: 1, start_time: '2026-11-25T09:00:00Z' })],
    ['a participant without a join time', () => meetingParticipantRow({ user_id: '1' }, 'u==', '1')],
    ['a detail without a join time', () => participantDetailRow({ user_id: '1' }, 'u==', '1')],
  ])('rejects %s', (_name, map) => {
    expect(map()).toBeNull();
  });

  it('maps an operation log entry', () => {
    const row = operationLogRow({
      time: '2026-11-25T10:00:00Z',
      operator: 'admin@example.com',
      category_type: 'Account',
      action: 'Update',
      operation_detail: 'Sign in with Two-Factor Authentication: from On to Off',
    });
    expect(row).toMatchObject({ operator: 'admin@example.com', operation_detail: 'Sign in with Two-Factor Authentication: from On to Off' });
    fits('operation_logs', row);
  });

  it('maps a user, with numeric verified and pmi as a string', () => {
    const row = userRow(
      {
        id: 'u1',
        email: 'ann@example.com',
        first_name: 'Ann',
        type: 2,
        status: 'inactive',
        role_id: 2,
        pmi: 4155550123,
        last_login_time: '2026-11-01T10:00:00Z',
        user_created_at: '2024-01-02T03:04:05Z',
        verified: 1,
      },
      SNAP,
    );
    expect(row).toMatchObject({
      user_id: 'u1',
      user_type: 2,
      status: 'inactive',
      role_id: '2',
      pmi: '4155550123',
      verified: true,
      created_at: Date.UTC(2024, 0, 2, 3, 4, 5),
      last_login_time: Date.UTC(2026, 10, 1, 10),
      snapshot_time: SNAP,
    });
    fits('users', row);
  });

  it.each([
    [
      'a report meeting (duration in minutes)',
      {
        uuid: 'abc==',
        id: 81234567890,
        host_id: 'h1',
        user_email: 'ann@example.com',
        type: 2,
        topic: 'Sync',
        start_time: '2026-11-25T09:00:00Z',
        end_time: '2026-11-25T09:45:00Z',
        duration: 45,
        participants_count: 4,
        source: 'Zoom',
      },
      45,
    ],
    [
      'a dashboard meeting (duration "hh:mm:ss")',
      {
        uuid: 'abc==',
        id: 81234567890,
        email: 'ann@example.com',
        topic: 'Sync',
        start_time: '2026-11-25T09:00:00Z',
        duration: '01:05:31',
        participants: 7,
        has_screen_share: true,
        has_recording: false,
      },
      66,
    ],
  ])('maps %s', (_name, item, minutes) => {
    const row = meetingRow(item);
    expect(row).toMatchObject({ meeting_uuid: 'abc==', meeting_id: '81234567890', host_email: 'ann@example.com', duration_minutes: minutes });
    fits('meetings', row);
  });

  it('maps a report participant; empty guest email is NULL', () => {
    const row = meetingParticipantRow(
      {
        id: '',
        user_id: '16778240',
        name: 'Guest',
        user_email: '',
        join_time: '2026-11-25T09:01:00Z',
        leave_time: '2026-11-25T09:30:00Z',
        duration: 1740,
        failover: false,
        status: 'in_meeting',
        registrant_id: '',
      },
      'abc==',
      '81234567890',
    );
    expect(row).toMatchObject({ participant_id: '16778240', zoom_user_id: null, user_email: null, duration_seconds: 1740, registrant_id: null });
    fits('meeting_participants', row);
  });

  it('maps a dashboard participant with device, IPs and machine name', () => {
    const row = participantDetailRow(
      {
        user_id: '16778240',
        id: 'u1',
        user_name: 'Zoë',
        email: 'zoe@example.com',
        join_time: '2026-11-25T09:01:00Z',
        ip_address: '198.51.100.7',
        internal_ip_addresses: ['10.0.0.5', 7],
        location: 'London (GB)',
        device: 'Mac',
        version: '5.9.0',
        pc_name: 'ZOES-MBP',
        network_type: 'Wifi',
        share_desktop: true,
        recording: false,
        role: 'attendee',
      },
      'abc==',
      '81234567890',
    );
    expect(row).toMatchObject({
      ip_address: '198.51.100.7',
      internal_ip_addresses: '["10.0.0.5"]',
      pc_name: 'ZOES-MBP',
      version: '5.9.0',
      share_desktop: true,
    });
    fits('participant_details', row);
  });

  it('maps one recordings row per file, masking passcodes in the share URL', () => {
    const rows = recordingRows(
      {
        uuid: 'abc==',
        id: 81234567890,
        host_id: 'h1',
        topic: 'Board',
        start_time: '2026-11-25T09:00:00Z',
        share_url: 'https://example.zoom.us/rec/share/xyz?pwd=SECRET123',
        password: 'p@ss',
        recording_files: [
          { id: 'f1', file_type: 'MP4', file_size: 52_428_800, recording_start: '2026-11-25T09:00:05Z', status: 'completed' },
          { id: 'f2', file_type: 'TRANSCRIPT', file_size: 1024, status: 'completed' },
        ],
      },
      true,
    );
    expect(rows.map((r) => r.file_id)).toEqual(['f1', 'f2']);
    expect(rows[0]!.share_url).toBe('https://example.zoom.us/rec/share/xyz?pwd=[redacted]');
    expect(JSON.stringify(rows)).not.toContain('SECRET123');
    expect(JSON.stringify(rows)).not.toContain('p@ss');
    for (const r of rows) fits('recordings', r);
  });

  describe('chat messages', () => {
    const item = {
      id: 'a1b2c3d4-0000-1111-2222-333344445555',
      message: 'vpn password is hunter2',
      sender: 'ann@example.com',
      sender_member_id: 'm1',
      sender_display_name: 'Ann Adams',
      date_time: '2026-11-25T10:11:12Z',
      timestamp: 1795601472000,
      status: 'Edited',
      files: [{ file_id: 'f1', file_name: 'deck.pdf', file_size: 1000 }],
    };

    it('keeps the text out of the row when content collection is off (the default)', () => {
      const row = chatMessageRow(item, 'chan-1', false);
      expect(row).toEqual({
        message_id: 'a1b2c3d4-0000-1111-2222-333344445555',
        date_time: Date.UTC(2026, 10, 25, 10, 11, 12),
        sender: 'ann@example.com',
        sender_display_name: 'Ann Adams',
        to_contact: null,
        to_channel: 'chan-1',
        status: 'Edited',
        file_count: 1,
        message: null,
      });
      expect(JSON.stringify(row)).not.toContain('hunter2');
      fits('chat_messages', row);
    });

    it('keeps the text when content collection is on', () => {
      const row = chatMessageRow(item, 'chan-1', true);
      expect(row).toMatchObject({ message: 'vpn password is hunter2' });
      fits('chat_messages', row);
    });

    it('masks passcodes and tokens in links the text holds', () => {
      const row = chatMessageRow({ ...item, message: 'join https://zoom.us/j/9?pwd=c21EQzg0 now' }, 'chan-1', true);
      expect(row).toMatchObject({ message: 'join https://zoom.us/j/9?pwd=[redacted] now' });
    });

    it.each([
      [
        'epoch ms only, no files',
        { id: 'm2', timestamp: Date.UTC(2026, 10, 25, 9), message: 'hi' },
        { date_time: Date.UTC(2026, 10, 25, 9), file_count: 0 },
      ],
      ['a legacy single file id', { id: 'm3', date_time: '2026-11-25T09:00:00Z', file_id: 'f9' }, { file_count: 1 }],
    ])('maps %s', (_name, raw, expected) => {
      expect(chatMessageRow(raw, 'c', false)).toMatchObject(expected);
    });

    it.each([
      ['without an id', { date_time: '2026-11-25T09:00:00Z' }],
      ['without a time', { id: 'm4' }],
    ])('rejects a message %s', (_name, raw) => {
      expect(chatMessageRow(raw, 'c', true)).toBeNull();
    });
  });

  describe('meeting activities', () => {
    it.each([
      ["Zoom's own format, a colon before the milliseconds", '2024-03-21 07:09:03:216', Date.UTC(2024, 2, 21, 7, 9, 3, 216)],
      ['a dot before the milliseconds', '2024-03-21 07:09:03.216', Date.UTC(2024, 2, 21, 7, 9, 3, 216)],
      ['one digit of milliseconds is a tenth', '2024-03-21 07:09:03:5', Date.UTC(2024, 2, 21, 7, 9, 3, 500)],
      ['no milliseconds', '2024-03-21 07:09:03', Date.UTC(2024, 2, 21, 7, 9, 3)],
      ['ISO-8601 with a zone', '2024-03-21T07:09:03Z', Date.UTC(2024, 2, 21, 7, 9, 3)],
      ['surrounding blanks', ' 2024-03-21 07:09:03:216 ', Date.UTC(2024, 2, 21, 7, 9, 3, 216)],
      ['a day that does not exist', '2024-02-30 07:09:03:216', null],
      ['an hour that does not exist', '2024-03-21 25:09:03:216', null],
      ['four digits of milliseconds', '2024-03-21 07:09:03:2160', null],
      ['words', 'yesterday', null],
      ['an empty string', '', null],
      ['absent', undefined, null],
    ])('reads an activity_time: %s', (_name, text, ms) => {
      expect(activityTime(text)).toBe(ms);
    });

    it.each([
      ['spaced, as the report sends it', '982 610 0285', '9826100285'],
      ['a number', 98_261_002_85, '9826100285'],
      ['dashed', '982-610-0285', '9826100285'],
      ['blank', '', null],
      ['not a number', 'n/a', null],
    ])('reads a meeting number: %s', (_name, raw, id) => {
      expect(meetingNumber(raw)).toBe(id);
    });

    it('maps a log entry, the spaced meeting number as digits', () => {
      const row = meetingActivityRow({
        meeting_number: '982 610 0285',
        activity_time: '2024-03-21 07:09:45:002',
        operator: 'Bob Brown',
        operator_email: 'bob@example.com',
        activity_category: 'User joined',
        activity_detail: 'Bob Brown joined the meeting',
      });
      expect(row).toEqual({
        activity_time: Date.UTC(2024, 2, 21, 7, 9, 45, 2),
        meeting_id: '9826100285',
        operator: 'Bob Brown',
        operator_email: 'bob@example.com',
        activity_category: 'User joined',
        activity_detail: 'Bob Brown joined the meeting',
      });
      fits('meeting_activities', row);
    });

    it('keeps an entry whose other fields are missing or odd, as NULLs', () => {
      const row = meetingActivityRow({ activity_time: '2024-03-22 09:00:10:500', meeting_number: 42.5, operator: '', activity_detail: 7 });
      expect(row).toEqual({
        activity_time: Date.UTC(2024, 2, 22, 9, 0, 10, 500),
        meeting_id: null,
        operator: null,
        operator_email: null,
        activity_category: null,
        activity_detail: null,
      });
      fits('meeting_activities', row);
    });

    it.each([
      ['without a time', { meeting_number: '982 610 0285', activity_category: 'Remote Control' }],
      ['with an unreadable time', { activity_time: '21/03/2024 07:09', activity_category: 'Remote Control' }],
      ['that is not an object', 'Remote Control'],
    ])('rejects an entry %s', (_name, item) => {
      expect(meetingActivityRow(item)).toBeNull();
    });

    it("maps every published sample (Elastic's test data, the zoomnet response) into the table", () => {
      const corpus = resolve('../shared/corpus/api');
      const items = [
        ...readFileSync(`${corpus}/elastic/report_meeting_activities.items.ndjson`, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as unknown),
        ...(JSON.parse(readFileSync(`${corpus}/zoomnet/report_meeting_activities__1.json`, 'utf8')) as { meeting_activity_logs: unknown[] })
          .meeting_activity_logs,
      ];
      expect(items.length).toBeGreaterThanOrEqual(6);
      for (const item of items) {
        const row = meetingActivityRow(item);
        fits('meeting_activities', row);
        expect(row).toMatchObject({ meeting_id: expect.stringMatching(/^\d{10}$/) as unknown });
      }
    });
  });

  describe('recording sharing settings', () => {
    it.each([
      [
        'shared publicly without a passcode',
        { share_recording: 'publicly', recording_authentication: false, password: '', viewer_download: true, on_demand: false },
        { share_recording: 'publicly', recording_authentication: false, recording_has_passcode: false, viewer_download: true, on_demand: false },
      ],
      [
        'shared internally with a passcode',
        { share_recording: 'internally', recording_authentication: true, password: 'Zx8!secret', viewer_download: false, on_demand: true },
        { share_recording: 'internally', recording_authentication: true, recording_has_passcode: true, viewer_download: false, on_demand: true },
      ],
      [
        'a response without the passcode field: unknown, not "none"',
        { share_recording: 'none' },
        { share_recording: 'none', recording_authentication: null, recording_has_passcode: null, viewer_download: null, on_demand: null },
      ],
      ['odd types', { share_recording: 3, viewer_download: 'yes', password: 1234 }, UNKNOWN_SHARING],
      ['no body', undefined, UNKNOWN_SHARING],
    ])('reads %s', (_name, body, sharing) => {
      expect(recordingSharing(body)).toEqual(sharing);
    });

    it('puts the settings on every file row and never the passcode', () => {
      const sharing = recordingSharing({ share_recording: 'internally', password: 'Zx8!secret', recording_authentication: true });
      const rows = recordingRows(
        {
          uuid: 'r==',
          id: 1,
          start_time: '2026-11-25T09:00:00Z',
          recording_files: [{ id: 'f1' }, { id: 'f2' }],
        },
        false,
        sharing,
      );
      expect(rows.map((r) => [r.file_id, r.share_recording, r.recording_has_passcode])).toEqual([
        ['f1', 'internally', true],
        ['f2', 'internally', true],
      ]);
      expect(JSON.stringify(rows)).not.toContain('Zx8!secret');
      for (const r of rows) fits('recordings', r);
    });

    it('leaves the settings NULL when none were read', () => {
      const [row] = recordingRows({ uuid: 'r==', start_time: '2026-11-25T09:00:00Z', recording_files: [{ id: 'f1' }] }, true);
      expect(row).toMatchObject(UNKNOWN_SHARING);
    });
  });
});
