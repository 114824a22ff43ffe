import { channelView, messageView } from './chat.ts';
import type { RateCategory } from './limits.ts';
import { formatDay, parseDay, type SimMeeting, type SimParticipant, type SimRecording, type SimulatedOrg, type SimUser } from './org.ts';

const DAY_MS = 86_400_000;

/** A Zoom error reply: `{code, message}` with the HTTP status Zoom uses. */
export interface ApiError {
  readonly kind: 'error';
  readonly status: number;
  readonly code: number;
  readonly message: string;
}

/** A single object (e.g. a recording's settings), answered 200 as it is. */
export interface ApiObject {
  readonly kind: 'object';
  readonly body: Readonly<Record<string, unknown>>;
}

/** A full result list; the server slices it into pages and adds the pagination envelope. */
export interface ApiList {
  readonly kind: 'list';
  /** The array's name in Zoom's response (`activity_logs`, `users`, `participants` ...). */
  readonly field: string;
  readonly items: readonly unknown[];
  /** Extra envelope fields such as `from`/`to`. */
  readonly envelope: Readonly<Record<string, unknown>>;
}

/** What a route needs to answer. */
export interface ApiRequest {
  readonly params: readonly string[];
  readonly query: URLSearchParams;
  readonly now: number;
  readonly org: SimulatedOrg;
}

/** Who may call a route: any plan, paid plans (reports, recordings), Business+, or Business+ with the dashboard. */
export type Access = 'any' | 'paid' | 'business' | 'dashboard';

/** One `/v2` endpoint. */
export interface Route {
  /** Stable name used in stats, e.g. `GET /report/activities`. */
  readonly name: string;
  readonly pattern: RegExp;
  readonly category: RateCategory;
  readonly access: Access;
  /** Zoom's default page size for the endpoint. */
  readonly defaultPageSize: number;
  /** The largest page the endpoint returns; larger requests are clamped. @default 300 */
  readonly maxPageSize?: number;
  handle(req: ApiRequest): ApiError | ApiList | ApiObject;
}

/** A Zoom error reply. */
export function error(status: number, code: number, message: string): ApiError {
  return { kind: 'error', status, code, message };
}

/** A result list named `field`, with extra envelope fields. */
export function list(field: string, items: readonly unknown[], envelope: Record<string, unknown> = {}): ApiList {
  return { kind: 'list', field, items, envelope };
}

function addMonths(dayMs: number, months: number): number {
  const d = new Date(dayMs);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + months, d.getUTCDate());
}

/** A report's date window. */
export interface Window {
  readonly from: string;
  readonly to: string;
  readonly fromMs: number;
  /** Exclusive end: the midnight after `to`. */
  readonly endMs: number;
}

/**
 * Zoom's date-range rules for reports: whole UTC days, `to` at most one month after `from`, and (for reports)
 * `from` within the last 6 months.
 */
export function dateWindow(req: ApiRequest, opts: { required: boolean; recentOnly: boolean; defaultDays: [number, number] }): Window | ApiError {
  const today = Math.floor(req.now / DAY_MS) * DAY_MS;
  const rawFrom = req.query.get('from');
  const rawTo = req.query.get('to');
  if (opts.required && (!rawFrom || !rawTo)) return error(400, 300, "The 'from' and 'to' parameters are required.");
  const fromMs = rawFrom ? parseDay(rawFrom.slice(0, 10)) : today + opts.defaultDays[0] * DAY_MS;
  const toMs = rawTo ? parseDay(rawTo.slice(0, 10)) : today + opts.defaultDays[1] * DAY_MS;
  if (fromMs === undefined) return error(400, 300, `Invalid field: from '${rawFrom ?? ''}' is not yyyy-mm-dd.`);
  if (toMs === undefined) return error(400, 300, `Invalid field: to '${rawTo ?? ''}' is not yyyy-mm-dd.`);
  if (toMs < fromMs) return error(400, 300, "The 'to' date cannot be earlier than the 'from' date.");
  if (toMs > addMonths(fromMs, 1)) return error(400, 300, 'The date range between from and to cannot exceed one month.');
  if (opts.recentOnly && fromMs < addMonths(today, -6)) return error(400, 300, 'Only provide report in recent 6 months');
  return { from: formatDay(fromMs), to: formatDay(toMs), fromMs, endMs: toMs + DAY_MS };
}

function within(time: string, w: Window): boolean {
  const ms = Date.parse(time);
  return ms >= w.fromMs && ms < w.endMs;
}

function newestFirst<T extends { time: string }>(items: readonly T[]): T[] {
  return [...items].reverse();
}

function findUser(org: SimulatedOrg, raw: string | undefined): SimUser | undefined {
  const key = decodeSafely(raw ?? '') ?? '';
  if (key === 'me') return org.users.find((u) => u.role_id === '0');
  return org.users.find((u) => u.id === key || u.email.toLowerCase() === key.toLowerCase());
}

function decodeSafely(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/**
 * Resolves a path's meeting id: a meeting number (its latest instance) or an instance UUID. Zoom decodes the
 * path before routing, so a UUID holding '/' only survives when the client double-encoded it (zoom-reference §3.5).
 */
export function findMeeting(org: SimulatedOrg, raw: string): SimMeeting | undefined {
  let id: string | undefined;
  if (raw.includes('%25')) {
    const once = decodeSafely(raw);
    id = once === undefined ? undefined : decodeSafely(once);
  } else {
    id = decodeSafely(raw);
    if (id !== undefined && (id.startsWith('/') || id.includes('//'))) return undefined;
  }
  if (id === undefined || id === '') return undefined;
  if (/^\d+$/.test(id)) {
    const instances = org.meetings.filter((m) => String(m.id) === id);
    return instances.sort((a, b) => (a.start_time < b.start_time ? 1 : -1))[0];
  }
  return org.meetings.find((m) => m.uuid === id);
}

function seconds(p: SimParticipant): number {
  return Math.round((Date.parse(p.leave_time) - Date.parse(p.join_time)) / 1000);
}

function hms(minutes: number): string {
  const h = Math.floor(minutes / 60);
  return `${String(h).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}:00`;
}

function people(m: SimMeeting): number {
  return new Set(m.participants.map((p) => p.participant_uuid)).size;
}

/** A participant row of `/report/meetings/{id}/participants`. */
export function reportParticipant(p: SimParticipant, withRegistrant: boolean): Record<string, unknown> {
  return {
    id: p.id,
    user_id: p.user_id,
    participant_user_id: p.participant_user_id,
    name: p.user_name,
    user_email: p.email,
    join_time: p.join_time,
    leave_time: p.leave_time,
    duration: seconds(p),
    failover: false,
    status: 'in_meeting',
    customer_key: '',
    bo_mtg_id: '',
    ...(withRegistrant ? { registrant_id: p.registrant_id } : {}),
  };
}

/** A participant row of `/metrics/meetings/{id}/participants` (the dashboard's wider view). */
export function dashboardParticipant(p: SimParticipant, withRegistrant: boolean): Record<string, unknown> {
  const { kind: _kind, registrant_id, ...fields } = p;
  return {
    ...fields,
    status: 'in_meeting',
    customer_key: '',
    sip_uri: '',
    from_sip_uri: '',
    in_room_participants: 0,
    bo_mtg_id: '',
    groupId: '',
    has_archiving: false,
    optional_archiving: false,
    audio_quality: 'good',
    video_quality: p.device === 'Phone' ? '' : 'good',
    screen_share_quality: '',
    ...(withRegistrant ? { registrant_id } : {}),
  };
}

/** A meeting row of `/report/users/{userId}/meetings`. */
export function reportMeeting(m: SimMeeting): Record<string, unknown> {
  return {
    uuid: m.uuid,
    id: m.id,
    host_id: m.host_id,
    type: m.type,
    topic: m.topic,
    user_name: m.host_name,
    user_email: m.host_email,
    start_time: m.start_time,
    end_time: m.end_time,
    duration: m.duration,
    total_minutes: Math.round(m.participants.reduce((sum, p) => sum + seconds(p), 0) / 60),
    participants_count: m.participants.length,
    participants_count_my_account: m.participants.filter((p) => p.kind === 'internal').length,
    source: 'Zoom',
    session_key: '',
    custom_keys: [],
    schedule_time: m.start_time,
    join_waiting_room_time: '',
    join_time: m.start_time,
    leave_time: m.end_time,
    host_organization: '',
    host_name: m.host_name,
    has_screen_share: m.has_screen_share,
    has_recording: m.has_recording,
    has_chat: m.has_chat,
    meeting_encryption_status: 1,
  };
}

/** A meeting row of `/metrics/meetings?type=past`. */
export function dashboardMeeting(m: SimMeeting): Record<string, unknown> {
  return {
    uuid: m.uuid,
    id: m.id,
    topic: m.topic,
    host: m.host_name,
    email: m.host_email,
    user_type: 'Licensed',
    start_time: m.start_time,
    end_time: m.end_time,
    duration: hms(m.duration),
    participants: people(m),
    has_pstn: m.has_pstn,
    has_voip: true,
    has_3rd_party_audio: false,
    has_video: true,
    has_screen_share: m.has_screen_share,
    has_recording: m.has_recording,
    has_sip: false,
    has_archiving: false,
    has_manual_captions: false,
    has_automated_captions: false,
    dept: '',
    custom_keys: [],
    tracking_fields: [],
    audio_quality: 'good',
    video_quality: 'good',
    screen_share_quality: m.has_screen_share ? 'good' : '',
  };
}

/** A recording as the API shows it (the simulator's `trashed` flag is not a Zoom field; its sharing has its own endpoint). */
export function recordingView(r: SimRecording): Record<string, unknown> {
  const { trashed: _trashed, sharing: _sharing, ...fields } = r;
  return fields;
}

const CATEGORY_FILTER: Record<string, string> = {
  user: 'User',
  user_settings: 'User Settings',
  account: 'Account',
  billing: 'Billing',
  im: 'IM',
  recording: 'Recording',
  phone_contacts: 'Phone Contacts',
  webinar: 'Webinar',
  sub_account: 'Sub Account',
  role: 'Role',
  zoom_rooms: 'Zoom Rooms',
};

function recordings(req: ApiRequest, pool: readonly SimRecording[]): ApiError | ApiList {
  // trash=true lists the trash, where Zoom ignores the date filters.
  if (req.query.get('trash') === 'true') return list('meetings', pool.filter((r) => r.trashed).map(recordingView), { from: '', to: '' });
  const w = dateWindow(req, { required: false, recentOnly: false, defaultDays: [0, 1] });
  if ('kind' in w) return w;
  return list('meetings', pool.filter((r) => !r.trashed && within(r.start_time, w)).map(recordingView), { from: w.from, to: w.to });
}

/** The window rules of the date-range reports: `from` and `to` required, within the last six months. */
export const REPORT_WINDOW = { required: true, recentOnly: true, defaultDays: [0, 0] as [number, number] };

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** The chat messages API's range: `from`/`to` UTC date-times (at most a month apart), else one `date` (default today). */
function chatRange(req: ApiRequest): { fromMs: number; toMs: number } | ApiError {
  const rawFrom = req.query.get('from');
  const rawTo = req.query.get('to');
  if (rawFrom !== null || rawTo !== null) {
    if (rawFrom === null || !ISO_INSTANT.test(rawFrom)) return error(400, 300, `Invalid field: from '${rawFrom ?? ''}' is not yyyy-MM-ddTHH:mm:ssZ.`);
    if (rawTo === null || !ISO_INSTANT.test(rawTo)) return error(400, 300, `Invalid field: to '${rawTo ?? ''}' is not yyyy-MM-ddTHH:mm:ssZ.`);
    const fromMs = Date.parse(rawFrom);
    const toMs = Date.parse(rawTo);
    if (toMs < fromMs) return error(400, 300, "The 'to' date cannot be earlier than the 'from' date.");
    if (toMs > addMonths(fromMs, 1)) return error(400, 300, 'The date range between from and to cannot exceed one month.');
    return { fromMs, toMs };
  }
  const rawDate = req.query.get('date');
  const day = rawDate === null ? Math.floor(req.now / DAY_MS) * DAY_MS : parseDay(rawDate);
  if (day === undefined) return error(400, 300, `Invalid field: date '${rawDate ?? ''}' is not yyyy-mm-dd.`);
  return { fromMs: day, toMs: day + DAY_MS - 1 };
}

/** The user, report, dashboard, recording and chat endpoints (routes.ts lists every endpoint the simulator answers). */
export const API_ROUTES: readonly Route[] = [
  {
    name: 'GET /report/activities',
    pattern: /^\/report\/activities$/,
    category: 'Heavy',
    access: 'paid',
    defaultPageSize: 30,
    handle(req) {
      const w = dateWindow(req, { ...REPORT_WINDOW, required: false });
      if ('kind' in w) return w;
      return list('activity_logs', newestFirst(req.org.activities.filter((a) => within(a.time, w))), { from: w.from, to: w.to });
    },
  },
  {
    name: 'GET /report/operationlogs',
    pattern: /^\/report\/operationlogs$/,
    category: 'Heavy',
    access: 'paid',
    defaultPageSize: 30,
    handle(req) {
      const w = dateWindow(req, REPORT_WINDOW);
      if ('kind' in w) return w;
      const filter = req.query.get('category_type') ?? 'all';
      const wanted = filter === 'all' ? undefined : CATEGORY_FILTER[filter];
      if (filter !== 'all' && wanted === undefined) return error(400, 300, `Invalid field: category_type '${filter}'.`);
      const rows = req.org.operationLogs.filter((o) => within(o.time, w) && (wanted === undefined || o.category_type === wanted));
      return list('operation_logs', newestFirst(rows), { from: w.from, to: w.to });
    },
  },
  {
    name: 'GET /users',
    pattern: /^\/users$/,
    category: 'Medium',
    access: 'any',
    defaultPageSize: 30,
    handle(req) {
      const status = req.query.get('status') ?? 'active';
      if (status !== 'active' && status !== 'inactive' && status !== 'pending') return error(400, 300, `Invalid field: status '${status}'.`);
      const users = req.org.users.filter((u) => u.status === status);
      return list('users', users, { page_number: 1 });
    },
  },
  {
    name: 'GET /report/users/{userId}/meetings',
    pattern: /^\/report\/users\/([^/]+)\/meetings$/,
    category: 'Heavy',
    access: 'paid',
    defaultPageSize: 30,
    handle(req) {
      const user = findUser(req.org, req.params[0]);
      if (!user) return error(404, 1001, 'User does not exist or does not belong to this account.');
      const w = dateWindow(req, REPORT_WINDOW);
      if ('kind' in w) return w;
      const type = req.query.get('type') ?? 'past';
      const mine = (m: SimMeeting) =>
        type === 'past' ? m.host_id === user.id : type === 'pastJoined' ? m.participants.some((p) => p.id === user.id) : false;
      // Every generated meeting has 2+ participants, so pastOne (single-participant meetings) is empty.
      const rows = req.org.meetings.filter((m) => within(m.start_time, w) && mine(m)).map(reportMeeting);
      return list('meetings', rows, { from: w.from, to: w.to });
    },
  },
  {
    name: 'GET /metrics/meetings',
    pattern: /^\/metrics\/meetings$/,
    category: 'Resource-intensive',
    access: 'dashboard',
    defaultPageSize: 30,
    handle(req) {
      const w = dateWindow(req, REPORT_WINDOW);
      if ('kind' in w) return w;
      // Zoom defaults to type=live; the simulated organisation has no meeting in progress.
      const type = req.query.get('type') ?? 'live';
      const rows = type === 'past' ? req.org.meetings.filter((m) => within(m.start_time, w)).map(dashboardMeeting) : [];
      return list('meetings', rows, { from: w.from, to: w.to });
    },
  },
  {
    name: 'GET /report/meetings/{meetingId}/participants',
    pattern: /^\/report\/meetings\/([^/]+)\/participants$/,
    category: 'Heavy',
    access: 'paid',
    defaultPageSize: 30,
    handle(req) {
      const meeting = findMeeting(req.org, req.params[0] ?? '');
      if (!meeting) return error(404, 3001, 'Meeting does not exist.');
      if (Date.parse(meeting.start_time) < req.now - 365 * DAY_MS) return error(400, 12702, 'Can not access meeting a year ago.');
      const withRegistrant = (req.query.get('include_fields') ?? '').split(',').includes('registrant_id');
      return list(
        'participants',
        meeting.participants.map((p) => reportParticipant(p, withRegistrant)),
      );
    },
  },
  {
    name: 'GET /metrics/meetings/{meetingId}/participants',
    pattern: /^\/metrics\/meetings\/([^/]+)\/participants$/,
    category: 'Heavy',
    access: 'dashboard',
    defaultPageSize: 30,
    handle(req) {
      const meeting = findMeeting(req.org, req.params[0] ?? '');
      const type = req.query.get('type') ?? 'live';
      if (!meeting || type === 'live') return error(404, 3001, 'Meeting does not exist or has not started.');
      if (Date.parse(meeting.start_time) < req.now - 365 * DAY_MS) return error(400, 12702, 'Can not access meeting a year ago.');
      const withRegistrant = (req.query.get('include_fields') ?? '').split(',').includes('registrant_id');
      const rows = type === 'past' ? meeting.participants.map((p) => dashboardParticipant(p, withRegistrant)) : [];
      return list('participants', rows);
    },
  },
  {
    name: 'GET /users/{userId}/recordings',
    pattern: /^\/users\/([^/]+)\/recordings$/,
    category: 'Medium',
    access: 'paid',
    defaultPageSize: 30,
    handle(req) {
      const user = findUser(req.org, req.params[0]);
      if (!user) return error(404, 1001, 'User does not exist or does not belong to this account.');
      return recordings(
        req,
        req.org.recordings.filter((r) => r.host_id === user.id),
      );
    },
  },
  {
    name: 'GET /chat/users/{userId}/channels',
    pattern: /^\/chat\/users\/([^/]+)\/channels$/,
    category: 'Medium',
    access: 'any',
    defaultPageSize: 10,
    maxPageSize: 50,
    handle(req) {
      const user = findUser(req.org, req.params[0]);
      if (!user) return error(404, 1001, 'User does not exist or does not belong to this account.');
      return list('channels', req.org.chat.channels.filter((c) => c.memberIds.includes(user.id)).map(channelView));
    },
  },
  {
    // One conversation per call: a channel (to_channel) or a 1:1 chat (to_contact); newest first, as Zoom lists them.
    name: 'GET /chat/users/{userId}/messages',
    pattern: /^\/chat\/users\/([^/]+)\/messages$/,
    category: 'Medium',
    access: 'any',
    defaultPageSize: 10,
    maxPageSize: 50,
    handle(req) {
      const user = findUser(req.org, req.params[0]);
      if (!user) return error(404, 1001, 'User does not exist or does not belong to this account.');
      const toChannel = req.query.get('to_channel');
      const toContact = req.query.get('to_contact');
      if (!toChannel && !toContact) return error(400, 300, 'Either to_contact or to_channel is required.');
      const range = chatRange(req);
      if ('kind' in range) return range;
      const envelope = { from: new Date(range.fromMs).toISOString(), to: new Date(range.toMs).toISOString() };
      // The simulated organisation has no 1:1 chats.
      if (!toChannel) return list('messages', [], envelope);
      const channel = req.org.chat.channels.find((c) => c.id === toChannel);
      if (!channel) return error(404, 4130, `Channel does not exist: ${toChannel}.`);
      if (!channel.memberIds.includes(user.id))
        return error(400, 5301, 'Request to get chat messages failed: the user is not a member of this channel.');
      const withDeleted = req.query.get('include_deleted_and_edited_message') === 'true';
      const rows = req.org.chat.messages.filter(
        (m) => m.channel_id === channel.id && m.timestamp >= range.fromMs && m.timestamp <= range.toMs && (withDeleted || m.status !== 'Deleted'),
      );
      return list('messages', rows.reverse().map(messageView), envelope);
    },
  },
  {
    name: 'GET /accounts/{accountId}/recordings',
    pattern: /^\/accounts\/([^/]+)\/recordings$/,
    category: 'Medium',
    access: 'paid',
    defaultPageSize: 30,
    handle(req) {
      const account = req.params[0];
      if (account !== 'me' && account !== req.org.accountId) return error(404, 2001, 'Account does not exist.');
      return recordings(req, req.org.recordings);
    },
  },
];
