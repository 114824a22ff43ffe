import {
  bool,
  firstInstant,
  firstText,
  idText,
  instant,
  int32,
  int64,
  json,
  masked,
  objectOrEmpty,
  nonEmptyText,
  type Cells,
} from '../lake/cell-coercion.ts';
import { isPlausibleEpochMs } from '../lake/records.ts';

/**
 * Rows for the poller tables from Zoom REST items (zoom-reference §3.4). Each mapper returns NULL when the item
 * lacks the time its table is partitioned by; the caller counts that as a rejected record instead of guessing.
 */

/** A `/report/activities` item (sign-in/sign-out) as an `activities` row. */
export function activityRow(item: unknown): Cells | null {
  const a = objectOrEmpty(item);
  const time = instant(a.time);
  if (time === null) return null;
  return {
    email: nonEmptyText(a.email),
    time,
    type: nonEmptyText(a.type),
    ip_address: nonEmptyText(a.ip_address),
    client_type: nonEmptyText(a.client_type),
    version: nonEmptyText(a.version),
  };
}

/** A `/report/operationlogs` item as an `operation_logs` row (no stable id: the whole record is the key). */
export function operationLogRow(item: unknown): Cells | null {
  const o = objectOrEmpty(item);
  const time = instant(o.time);
  if (time === null) return null;
  return {
    time,
    operator: nonEmptyText(o.operator),
    category_type: nonEmptyText(o.category_type),
    action: nonEmptyText(o.action),
    operation_detail: nonEmptyText(o.operation_detail),
  };
}

// The meeting activities report writes "2024-03-21 07:09:03:216": a space for the T, a colon before the milliseconds,
// and no zone (read as UTC, as every other Zoom report time is).
const REPORT_TIME = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:[:.](\d{1,3}))?Z?$/;

/** A meeting activity's `activity_time` (Zoom's "yyyy-mm-dd HH:MM:SS:mmm", or ISO-8601) as epoch ms, else NULL. */
export function activityTime(v: unknown): number | null {
  const m = typeof v === 'string' ? REPORT_TIME.exec(v.trim()) : null;
  if (m === null) return instant(v);
  const [, day, time, fraction = '0'] = m;
  const iso = `${day}T${time}`;
  const ms = Date.parse(`${iso}.${fraction.padEnd(3, '0')}Z`);
  // Date.parse rolls 2024-02-30 over into March; a time that does not read back the same is not a time.
  return isPlausibleEpochMs(ms) && new Date(ms).toISOString().slice(0, 19) === iso ? ms : null;
}

/** A meeting number as digits only: the activities report spaces it ("982 610 0285"), other APIs send a number. */
export function meetingNumber(v: unknown): string | null {
  const text = idText(v)?.replace(/[\s-]/g, '') ?? '';
  return /^\d+$/.test(text) ? text : null;
}

/** A `/report/meeting_activities` item as a `meeting_activities` row (NULL without a readable `activity_time`). */
export function meetingActivityRow(item: unknown): Cells | null {
  const a = objectOrEmpty(item);
  const time = activityTime(a.activity_time);
  if (time === null) return null;
  return {
    activity_time: time,
    meeting_id: meetingNumber(a.meeting_number),
    operator: nonEmptyText(a.operator),
    operator_email: nonEmptyText(a.operator_email),
    activity_category: nonEmptyText(a.activity_category),
    activity_detail: nonEmptyText(a.activity_detail),
  };
}

/** A `/users` item as a `users` snapshot row taken at `snapshotTime`. */
export function userRow(item: unknown, snapshotTime: number): Cells | null {
  const u = objectOrEmpty(item);
  const userId = idText(u.id);
  if (userId === null) return null;
  const verified = typeof u.verified === 'number' ? u.verified === 1 : bool(u.verified);
  return {
    snapshot_time: snapshotTime,
    user_id: userId,
    email: nonEmptyText(u.email),
    first_name: nonEmptyText(u.first_name),
    last_name: nonEmptyText(u.last_name),
    display_name: nonEmptyText(u.display_name),
    user_type: int32(u.type),
    status: nonEmptyText(u.status),
    role_id: idText(u.role_id),
    dept: nonEmptyText(u.dept),
    pmi: idText(u.pmi),
    last_login_time: instant(u.last_login_time),
    last_client_version: nonEmptyText(u.last_client_version),
    created_at: firstInstant(u.user_created_at, u.created_at),
    timezone: nonEmptyText(u.timezone),
    verified,
  };
}

/** Minutes from a report's `duration` (minutes) or a dashboard's "hh:mm:ss" text. */
function minutes(v: unknown): number | null {
  if (typeof v === 'string') {
    const m = /^(\d+):(\d{2}):(\d{2})$/.exec(v);
    if (m) return Number(m[1]) * 60 + Number(m[2]) + Math.round(Number(m[3]) / 60);
  }
  return int32(v);
}

/** A past meeting from `/report/users/{id}/meetings` or `/metrics/meetings?type=past` as a `meetings` row. */
export function meetingRow(item: unknown): Cells | null {
  const m = objectOrEmpty(item);
  const uuid = nonEmptyText(m.uuid);
  const start = instant(m.start_time);
  if (uuid === null || start === null) return null;
  return {
    meeting_uuid: uuid,
    meeting_id: idText(m.id),
    host_id: idText(m.host_id),
    host_email: firstText(m.host_email, m.email, m.user_email),
    topic: nonEmptyText(m.topic),
    meeting_type: int32(m.type),
    start_time: start,
    end_time: instant(m.end_time),
    duration_minutes: minutes(m.duration),
    participants_count: int32(m.participants_count ?? m.participants),
    has_screen_share: bool(m.has_screen_share),
    has_recording: bool(m.has_recording),
    source: nonEmptyText(m.source),
  };
}

/** A `/report/meetings/{uuid}/participants` item (one join session) as a `meeting_participants` row. */
export function meetingParticipantRow(item: unknown, meetingUuid: string, meetingId: string | null): Cells | null {
  const p = objectOrEmpty(item);
  const join = instant(p.join_time);
  if (join === null) return null;
  return {
    meeting_uuid: meetingUuid,
    meeting_id: meetingId,
    participant_id: idText(p.user_id),
    zoom_user_id: idText(p.id),
    participant_user_id: idText(p.participant_user_id),
    name: nonEmptyText(p.name),
    user_email: nonEmptyText(p.user_email),
    join_time: join,
    leave_time: instant(p.leave_time),
    duration_seconds: int32(p.duration),
    failover: bool(p.failover),
    status: nonEmptyText(p.status),
    customer_key: nonEmptyText(p.customer_key),
    registrant_id: idText(p.registrant_id),
  };
}

/** A `/metrics/meetings/{uuid}/participants?type=past` item as a `participant_details` row. */
export function participantDetailRow(item: unknown, meetingUuid: string, meetingId: string | null): Cells | null {
  const p = objectOrEmpty(item);
  const join = instant(p.join_time);
  if (join === null) return null;
  const internal = Array.isArray(p.internal_ip_addresses) ? json(p.internal_ip_addresses.filter((x) => typeof x === 'string')) : null;
  return {
    meeting_uuid: meetingUuid,
    meeting_id: meetingId,
    participant_id: idText(p.user_id),
    zoom_user_id: idText(p.id),
    participant_user_id: idText(p.participant_user_id),
    participant_uuid: nonEmptyText(p.participant_uuid),
    user_name: nonEmptyText(p.user_name),
    email: nonEmptyText(p.email),
    registrant_id: idText(p.registrant_id),
    join_time: join,
    leave_time: instant(p.leave_time),
    leave_reason: nonEmptyText(p.leave_reason),
    status: nonEmptyText(p.status),
    role: nonEmptyText(p.role),
    device: nonEmptyText(p.device),
    os: nonEmptyText(p.os),
    os_version: nonEmptyText(p.os_version),
    client: nonEmptyText(p.client),
    version: nonEmptyText(p.version),
    ip_address: nonEmptyText(p.ip_address),
    internal_ip_addresses: internal,
    location: nonEmptyText(p.location),
    network_type: nonEmptyText(p.network_type),
    data_center: nonEmptyText(p.data_center),
    connection_type: nonEmptyText(p.connection_type),
    pc_name: nonEmptyText(p.pc_name),
    domain: nonEmptyText(p.domain),
    mac_addr: nonEmptyText(p.mac_addr),
    harddisk_id: nonEmptyText(p.harddisk_id),
    share_desktop: bool(p.share_desktop),
    share_application: bool(p.share_application),
    share_whiteboard: bool(p.share_whiteboard),
    recording: bool(p.recording),
    customer_key: nonEmptyText(p.customer_key),
  };
}

/** The `recordings` columns from GET /meetings/{uuid}/recordings/settings, all NULL when the settings are unknown. */
export type RecordingSharing = Readonly<
  Record<'share_recording', string | null> &
    Record<'recording_authentication' | 'recording_has_passcode' | 'viewer_download' | 'on_demand', boolean | null>
>;

/** Settings zoomlake could not read: every sharing column NULL. */
export const UNKNOWN_SHARING: RecordingSharing = {
  share_recording: null,
  recording_authentication: null,
  recording_has_passcode: null,
  viewer_download: null,
  on_demand: null,
};

/**
 * A recording settings response as the `recordings` sharing columns. The passcode (`password`) is read for its
 * presence only and goes nowhere: a credential is never stored (docs/credential-masking.md).
 */
export function recordingSharing(body: unknown): RecordingSharing {
  const s = objectOrEmpty(body);
  return {
    share_recording: nonEmptyText(s.share_recording),
    recording_authentication: bool(s.recording_authentication),
    recording_has_passcode: typeof s.password === 'string' ? s.password !== '' : null,
    viewer_download: bool(s.viewer_download),
    on_demand: bool(s.on_demand),
  };
}

/** A recordings API meeting as one `recordings` row per file (none when the meeting has no start time or uuid). */
export function recordingRows(item: unknown, inTrash: boolean, sharing: RecordingSharing = UNKNOWN_SHARING): Cells[] {
  const m = objectOrEmpty(item);
  const uuid = nonEmptyText(m.uuid);
  const start = instant(m.start_time);
  if (uuid === null || start === null) return [];
  const files = Array.isArray(m.recording_files) ? m.recording_files : [];
  return files.map((f) => {
    const r = objectOrEmpty(f);
    return {
      meeting_uuid: uuid,
      meeting_id: idText(m.id),
      host_id: idText(m.host_id),
      host_email: nonEmptyText(m.host_email),
      topic: nonEmptyText(m.topic),
      start_time: start,
      file_id: idText(r.id),
      file_type: nonEmptyText(r.file_type),
      file_extension: nonEmptyText(r.file_extension),
      file_size: int64(r.file_size),
      recording_type: nonEmptyText(r.recording_type),
      recording_start: instant(r.recording_start),
      recording_end: instant(r.recording_end),
      status: nonEmptyText(r.status),
      share_url: masked(m.share_url),
      in_trash: inTrash,
      ...sharing,
    };
  });
}

/**
 * A `/chat/users/{id}/messages?to_channel=` item as a `chat_messages` row. The text is kept only when content
 * collection is on; otherwise `message` is NULL and the text goes nowhere.
 */
export function chatMessageRow(item: unknown, channelId: string, includeContent: boolean): Cells | null {
  const m = objectOrEmpty(item);
  const messageId = idText(m.id);
  const time = firstInstant(m.date_time, m.timestamp);
  if (messageId === null || time === null) return null;
  const files = Array.isArray(m.files) ? m.files.length : nonEmptyText(m.file_id) === null ? 0 : 1;
  return {
    message_id: messageId,
    date_time: time,
    sender: nonEmptyText(m.sender),
    sender_display_name: nonEmptyText(m.sender_display_name),
    to_contact: null,
    to_channel: channelId,
    status: nonEmptyText(m.status),
    file_count: files,
    message: includeContent ? masked(m.message) : null,
  };
}
