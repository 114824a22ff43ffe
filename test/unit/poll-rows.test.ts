import { describe, expect, it } from 'vitest';
import { prepareRow } from '#core/lake/records.ts';
import {
  activityRow,
  chatMessageRow,
  meetingParticipantRow,
  meetingRow,
  operationLogRow,
  participantDetailRow,
  recordingRows,
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
});
