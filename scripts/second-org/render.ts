import type {
  ParticipantKind,
  SimActivity,
  SimMeeting,
  SimOperationLog,
  SimParticipant,
  SimRecording,
  SimRecordingFile,
  SimUser,
} from '#local/zoom-simulator/org.ts';
import { Prng } from '#core/prng.ts';
import { sharingSettings } from '#local/zoom-simulator/recording-settings.ts';
import { webhookBody } from '#core/webhook/envelope.ts';
import { ACCOUNT_ID, type ExtraHook, type Extras } from './admin.ts';
import type { Calendar } from './calendar.ts';
import { DAY, HOUR, MIN, PLACES, locationOf, type Attendance, type Device, type Person, type Place, type Plan } from './model.ts';
import { netFor, type Net } from './network.ts';
import { DOMAIN, deviceOf, works } from './people.ts';
import { atLocal, dayStart, fileId, h01, hInt, hex, hPick, iso, isWeekend, localOf, participantUuid, zoomId } from './util.ts';

/*
 * Rendering: each planned meeting becomes join sessions with every dashboard field (one row per session, a new
 * per-meeting participant id for each rejoin), the meetings Zoom's reports list (ended, two or more people), cloud
 * recordings (trashed ones only in the trash), sign-in records, the admin operation log, the user list, and the
 * webhooks Zoom would have sent for the last days, in delivery order.
 */

export interface Session {
  readonly plan: Plan;
  readonly att: Attendance;
  readonly kind: ParticipantKind;
  readonly zoomUserId: string;
  readonly userId: string;
  readonly participantUuid: string;
  readonly name: string;
  readonly email: string;
  readonly registrantId: string;
  readonly join: number;
  readonly leave: number;
  readonly leaveReason: string;
  readonly role: 'host' | 'attendee';
  readonly device?: Device;
  readonly client: string;
  readonly os: string;
  readonly osVersion: string;
  readonly version: string;
  readonly net?: Net | { ip: string; internal: string; place: Place; network: string };
  readonly phone?: string;
  readonly share?: { from: number; until: number; content: string };
  readonly waitingAt?: number;
  readonly admittedAt?: number;
  readonly recording: boolean;
  readonly person?: Person;
}

export interface RenderedMeeting {
  readonly plan: Plan;
  readonly sessions: Session[];
  readonly start: number;
  readonly end: number;
  /** Still running at the end of the scenario: webhooks only. */
  readonly live: boolean;
  readonly people: number;
}

const fmtPhone = (digits: string) =>
  digits.startsWith('1') && digits.length === 11 ? `+1 ${digits.slice(1, 4)}-${digits.slice(4, 7)}-${digits.slice(7)}` : `+${digits}`;

export function renderMeeting(cal: Calendar, plan: Plan): RenderedMeeting {
  const seed = cal.seed;
  const hostAtt = plan.attendees.find((a) => a.host && 'p' in a.who && a.who.p === plan.host);
  const jitter = (i: number, what: string, max: number) => hInt(0, max, seed, plan.key, i, what) * 1000;
  const hostJoin = hostAtt ? plan.start + (hostAtt.joinOffset + (plan.hostLateMin ?? 0)) * MIN + jitter(-1, 'hj', 40) : undefined;
  const jbh =
    hostJoin === undefined || (plan.type === 8 && !plan.waitingRoom) || (plan.type === 2 && !plan.waitingRoom && h01('jbh', seed, plan.key) < 0.5);
  const sessions: Session[] = [];
  let pid = 16_778_240;
  let last = plan.end;
  plan.attendees.forEach((att, i) => {
    const isHost = att === hostAtt;
    const external = 'x' in att.who;
    const person = 'p' in att.who ? att.who.p : undefined;
    let join = isHost ? hostJoin! : plan.start + att.joinOffset * MIN + jitter(i, 'j', 55);
    const waits = !isHost && (att.waitingRoom === true || (plan.waitingRoom && (external || att.browser === true)));
    let waitingAt: number | undefined;
    let admittedAt: number | undefined;
    if (waits) {
      waitingAt = join;
      admittedAt = Math.max(join, hostJoin ?? join) + hInt(8, 95, seed, plan.key, i, 'admit') * 1000;
      join = admittedAt + 1000;
    } else if (!isHost && hostJoin !== undefined && join < hostJoin && !jbh) {
      join = hostJoin + hInt(2, 25, seed, plan.key, i, 'jbh') * 1000;
    }
    let leave =
      att.briefMin !== undefined
        ? join + att.briefMin * MIN + jitter(i, 'b', 50)
        : plan.end - att.leaveEarly * MIN - (att.leaveEarly > 0 ? jitter(i, 'l', 50) : 0);
    if (isHost) leave = plan.end;
    if (leave > plan.end) leave = plan.end;
    if (join >= plan.end - 30_000) return;
    if (leave < join + 30_000) leave = Math.min(plan.end, join + 60_000);
    const name = (() => {
      if (att.room) return att.room.roomName;
      if (person) return att.displayName ?? person.name;
      const x = (att.who as { x: { name: string } }).x;
      return att.displayName ?? x.name;
    })();
    const reasonAtEnd = leave >= plan.end - 1000 ? 'Host ended the meeting.' : att.removed ? 'Removed by host.' : 'left the meeting.';
    const puuid = participantUuid(seed, plan.key, i, 'x' in att.who ? att.who.x.key : att.who.p.email);
    const mk = (from: number, until: number, reason: string, second: boolean): Session => {
      const userId = String(pid);
      pid += 1024;
      const base = {
        plan,
        att,
        userId,
        participantUuid: puuid,
        join: from,
        leave: until,
        role: isHost ? ('host' as const) : ('attendee' as const),
        recording: isHost && plan.recording !== undefined,
        ...(person ? { person } : {}),
      };
      const leaveReason =
        reason === 'disconnected'
          ? `${name} got disconnected from the meeting.<br>Reason: Network connection error.`
          : `${name} left the meeting.<br>Reason: ${reason}`;
      const shares =
        att.shares && !second
          ? (() => {
              const s = from + hInt(1, Math.max(2, Math.min(12, Math.floor((until - from) / MIN / 3))), seed, plan.key, i, 'sh') * MIN;
              const e = Math.min(until - 20_000, s + hInt(3, 25, seed, plan.key, i, 'she') * MIN);
              return e > s ? { from: s, until: e, content: h01('shc', seed, plan.key, i) < 0.6 ? 'desktop' : 'application' } : undefined;
            })()
          : undefined;
      if (person) {
        if (att.room) {
          return {
            ...base,
            kind: 'internal',
            zoomUserId: zoomId('room', att.room.roomName),
            name,
            email: '',
            registrantId: '',
            leaveReason,
            device: att.room,
            client: 'Zoom Rooms',
            os: 'Windows',
            osVersion: att.room.osVersion,
            version: att.room.version,
            net: {
              ip: att.room.office === 'NYC' ? '198.51.100.10' : '198.51.100.40',
              internal: att.room.office === 'NYC' ? '10.10.60.21' : '10.20.30.11',
              place: att.room.office === 'NYC' ? PLACES.NYC : PLACES.LON,
              network: 'Wired',
            },
            ...(shares ? { share: shares } : {}),
          };
        }
        if (att.dialIn) {
          const digits = `1${hInt(200, 989, person.email, 'cell')}555${hInt(1000, 9999, person.email, 'cell2')}`;
          return {
            ...base,
            kind: 'dial_in',
            zoomUserId: '',
            name: fmtPhone(digits),
            email: '',
            registrantId: '',
            leaveReason: `${fmtPhone(digits)} left the meeting.<br>Reason: ${reason === 'disconnected' ? 'Network connection error.' : reason}`,
            client: '',
            os: '',
            osVersion: '',
            version: '',
            phone: digits,
          };
        }
        const mobile = att.mobile || (second && att.drop?.switchDevice);
        const device =
          att.device ??
          (mobile ? (deviceOf(person, 'phone', from) ?? deviceOf(person, 'laptop', from)) : deviceOf(person, 'laptop', from)) ??
          deviceOf(person, 'phone', from);
        if (!device) throw new Error(`${person.email} has no device`);
        const net = att.net ? { ...att.net, internal: `192.168.1.${hInt(2, 254, plan.key, i)}` } : netFor(person, from, device);
        if (att.browser) {
          // Not signed in: Zoom sees a guest with the name typed in, nothing tying it to the account.
          return {
            ...base,
            kind: 'guest',
            zoomUserId: '',
            name,
            email: '',
            registrantId: '',
            leaveReason,
            client: 'Web',
            os: device.os === 'Mac' ? 'Mac' : 'Windows',
            osVersion: device.osVersion,
            version: '',
            net,
            ...(shares ? { share: shares } : {}),
          };
        }
        return {
          ...base,
          kind: 'internal',
          zoomUserId: person.id,
          name,
          email: person.email,
          registrantId: '',
          leaveReason,
          device,
          client: device.client,
          os: device.os,
          osVersion: device.osVersion,
          version: device.version,
          net,
          ...(shares ? { share: shares } : {}),
        };
      }
      const x = (att.who as { x: import('./model.ts').External }).x;
      if (att.dialIn || x.mode === 'phone') {
        const digits = x.phone ?? `${hPick(['1', '44', '49', '1'], x.key)}${hInt(200_000_0000, 989_999_9999, x.key, 'ph')}`;
        return {
          ...base,
          kind: 'dial_in',
          zoomUserId: '',
          name: fmtPhone(digits),
          email: '',
          registrantId: '',
          leaveReason: `${fmtPhone(digits)} left the meeting.<br>Reason: ${reason === 'disconnected' ? 'Network connection error.' : reason}`,
          client: '',
          os: '',
          osVersion: '',
          version: '',
          phone: digits,
        };
      }
      const browser = att.browser === true || x.mode === 'browser';
      const signedIn = x.zoomId !== '' && !browser;
      const email = signedIn || att.registered ? x.email : '';
      const net = {
        ip: x.ip,
        internal: `192.168.${hInt(0, 1, x.key)}.${hInt(2, 254, x.key)}`,
        place: x.place,
        network: x.client === 'iOS' || x.client === 'Android' ? 'Cellular' : 'Wifi',
      };
      return {
        ...base,
        kind: email !== '' ? 'external' : 'guest',
        zoomUserId: signedIn ? x.zoomId : '',
        name,
        email,
        registrantId: att.registered ? hex(22, 'reg', plan.key, x.key) : '',
        leaveReason,
        client: browser ? 'Web' : x.client,
        os: x.os,
        osVersion: x.osVersion,
        version: browser ? '' : x.version,
        net,
        ...(shares ? { share: shares } : {}),
        ...(waitingAt !== undefined && !second ? { waitingAt, admittedAt: admittedAt! } : {}),
      };
    };
    if (att.drop && leave - join > (att.drop.afterMin + att.drop.gapMin + 2) * MIN) {
      const cut = join + att.drop.afterMin * MIN + jitter(i, 'd', 40);
      const back = cut + att.drop.gapMin * MIN + jitter(i, 'g', 50);
      sessions.push(mk(join, cut, 'disconnected', false));
      sessions.push(mk(back, leave, reasonAtEnd, true));
    } else {
      const s = mk(join, leave, reasonAtEnd, false);
      sessions.push(waits && s.waitingAt === undefined && waitingAt !== undefined ? { ...s, waitingAt, admittedAt: admittedAt! } : s);
    }
    last = Math.max(last, leave);
  });
  const start = sessions.length > 0 ? Math.min(...sessions.map((s) => s.join)) : plan.start;
  const end = hostAtt ? plan.end : sessions.length > 0 ? Math.max(...sessions.map((s) => s.leave)) : plan.end;
  const people = new Set(sessions.map((s) => s.participantUuid)).size;
  return { plan, sessions, start, end, live: end > cal.endMs, people };
}

const dataCenter = (p: Place) => (p.tz <= -3 ? 'United States (SC Top)' : p.tz <= 3 ? 'Netherlands (AM)' : 'Singapore (SG)');

export function simParticipant(s: Session): SimParticipant {
  const own = s.kind === 'internal';
  const dialIn = s.kind === 'dial_in';
  const d = own ? s.device : undefined;
  return {
    kind: s.kind,
    id: s.zoomUserId,
    user_id: s.userId,
    participant_user_id: s.zoomUserId,
    participant_uuid: s.participantUuid,
    user_name: s.name,
    email: s.email,
    registrant_id: s.registrantId,
    join_time: iso(s.join),
    leave_time: iso(s.leave),
    leave_reason: s.leaveReason,
    role: s.role,
    device: dialIn ? 'Phone' : own && d ? (d.kind === 'room' ? 'Windows' : d.family) : '',
    client: s.client,
    os: s.os,
    os_version: s.osVersion,
    device_name: own && d ? d.deviceName : '',
    version: s.version,
    ip_address: dialIn ? '' : (s.net?.ip ?? ''),
    internal_ip_addresses: dialIn || !s.net ? [] : [s.net.internal],
    location: dialIn || !s.net ? '' : locationOf(s.net.place),
    network_type: dialIn ? 'Others' : (s.net?.network ?? 'Wifi'),
    data_center: s.net ? dataCenter(s.net.place) : 'United States (SC Top)',
    full_data_center: s.net ? `${dataCenter(s.net.place)};` : 'United States (SC Top);',
    connection_type: dialIn ? 'PSTN' : 'UDP',
    pc_name: own && d ? d.pcName : '',
    domain: own && d ? d.domain : '',
    mac_addr: own && d ? d.macAddr : '',
    harddisk_id: own && d ? d.harddiskId : '',
    camera: own && d ? d.camera : '',
    microphone: own && d ? d.microphone : '',
    speaker: own && d ? d.speaker : '',
    share_desktop: s.share?.content === 'desktop',
    share_application: s.share?.content === 'application',
    share_whiteboard: false,
    recording: s.recording,
    audio_call: dialIn ? [{ call_number: s.phone ?? '', call_type: 'call-in', zoom_number: '16468769923' }] : [],
  };
}

export function simMeeting(m: RenderedMeeting): SimMeeting {
  const p = m.plan;
  return {
    uuid: p.uuid,
    id: p.id,
    host_id: p.host.id,
    host_email: p.host.email,
    host_name: p.host.name,
    topic: p.topic,
    type: p.type,
    start_time: iso(m.start),
    end_time: iso(m.end),
    duration: Math.max(1, Math.round((m.end - m.start) / MIN)),
    has_screen_share: m.sessions.some((s) => s.share),
    has_recording: p.recording !== undefined,
    has_chat: p.chat,
    has_pstn: m.sessions.some((s) => s.kind === 'dial_in'),
    participants: m.sessions.map(simParticipant),
  };
}

/** When the cloud recording is ready (recording.completed): a few minutes plus a sixth of its length. */
export const recordingReadyAt = (m: RenderedMeeting) => m.end + (4 + Math.round((m.end - m.start) / MIN / 6)) * MIN;

export function recordingFiles(cal: Calendar, m: RenderedMeeting): SimRecordingFile[] {
  const p = m.plan;
  const minutes = Math.max(1, Math.round((m.end - m.start) / MIN));
  const f = (type: string, ext: string, recType: string, size: number): SimRecordingFile => {
    const id = fileId(cal.seed, p.uuid, type);
    return {
      id,
      meeting_id: p.uuid,
      recording_start: iso(m.start + 20_000),
      recording_end: iso(m.end),
      file_type: type,
      file_extension: ext,
      file_size: size,
      play_url: `https://larkspur.zoom.us/rec/play/${hex(40, 'play', id)}`,
      download_url: `https://larkspur.zoom.us/rec/download/${hex(40, 'dl', id)}`,
      status: 'completed',
      recording_type: recType,
    };
  };
  const files = [
    f(
      'MP4',
      'MP4',
      m.sessions.some((s) => s.share) ? 'shared_screen_with_speaker_view' : 'active_speaker',
      minutes * hInt(9, 16, p.key, 'mp4') * 1_000_000,
    ),
    f('M4A', 'M4A', 'audio_only', minutes * hInt(450, 520, p.key, 'm4a') * 1000),
    f('TIMELINE', 'JSON', 'timeline', hInt(4, 90, p.key, 'tl') * 1000),
  ];
  if (p.recording?.transcript) files.push(f('TRANSCRIPT', 'VTT', 'audio_transcript', minutes * hInt(900, 1400, p.key, 'vtt')));
  if (p.chat) files.push(f('CHAT', 'TXT', 'chat_file', hInt(1, 40, p.key, 'chat') * 1000));
  return files;
}

export function simRecording(cal: Calendar, m: RenderedMeeting): SimRecording | undefined {
  const p = m.plan;
  if (!p.recording || m.live || recordingReadyAt(m) > cal.endMs) return undefined;
  const del = p.recording.deleted;
  const deleted = del && del.at < cal.endMs;
  // Deleted for good: gone from both lists.
  if (deleted && del.permanent && del.at + 3 * MIN < cal.endMs) return undefined;
  const files = recordingFiles(cal, m).map((file) => (deleted ? { ...file, deleted_time: iso(del.at) } : file));
  return {
    uuid: p.uuid,
    id: p.id,
    account_id: ACCOUNT_ID,
    host_id: p.host.id,
    topic: p.topic,
    type: p.type,
    start_time: iso(m.start),
    timezone: p.host.place.ianaTz,
    duration: Math.max(1, Math.round((m.end - m.start) / MIN)),
    total_size: files.reduce((s, f) => s + f.file_size, 0),
    recording_count: files.length,
    share_url: `https://larkspur.zoom.us/rec/share/${hex(48, 'share', cal.seed, p.uuid)}`,
    recording_files: files,
    trashed: Boolean(deleted),
    // Shared inside the account behind a passcode, as a company's recordings usually are.
    sharing: sharingSettings('internally', { password: `Rec.${hex(8, 'recording-passcode', cal.seed, p.uuid)}` }),
  };
}

/** Sign-in and sign-out records: the desktop client each working morning, the phone app now and then, the web portal for schedulers and admins. */
export function activities(cal: Calendar, extras: Extras): SimActivity[] {
  const rng = new Prng(cal.seed, 'second-org:activities');
  const out: SimActivity[] = [];
  const portal = new Set([
    'eaCeo',
    'eaExec',
    'recco',
    'recruiter1',
    'recruiter2',
    'mktops',
    'itdir',
    'itadmin1',
    'itadmin2',
    'helpdesk',
    'salesops',
    'peopleops',
    'cos',
  ]);
  const clientType = (d: Device) => (d.kind === 'phone' || d.kind === 'tablet' ? d.family : d.client);
  for (const p of cal.dir.people) {
    if (p.status === 'pending' || (p.status === 'inactive' && p.lastDay === undefined)) continue;
    for (let day = cal.firstDay - DAY; day <= cal.lastDay; day += DAY) {
      const add = (ms: number, type: 'Sign in' | 'Sign out', device: Device | 'browser', sparse = false) => {
        if (ms < cal.firstDay || ms >= cal.endMs) return;
        if (p.deactivatedAt !== undefined && ms >= p.deactivatedAt) return;
        if (p.startDay !== undefined && ms < p.startDay) return;
        const dev = device === 'browser' ? deviceOf(p, 'laptop', ms) : device;
        if (!dev) return;
        const net = netFor(p, ms, dev);
        out.push(
          sparse
            ? { email: p.email, time: iso(ms), type }
            : {
                email: p.email,
                time: iso(ms),
                type,
                ip_address: net.ip,
                client_type: device === 'browser' ? 'Browser' : clientType(dev),
                version: device === 'browser' ? '' : dev.version,
              },
        );
      };
      const laptop = deviceOf(p, 'laptop', atLocal(day, 9 * 60, p.place));
      const phone = deviceOf(p, 'phone', atLocal(day, 9 * 60, p.place));
      if (!works(p, day)) {
        if (phone && rng.chance(isWeekend(day) ? 0.06 : 0.15)) add(atLocal(day, rng.int(10 * 60, 21 * 60), p.place), 'Sign in', phone);
        continue;
      }
      if (laptop && rng.chance(0.8))
        add(atLocal(day, rng.int(7 * 60 + 30, 9 * 60 + 40), p.place) + rng.int(0, 59_000), 'Sign in', laptop, rng.chance(0.03));
      if (phone && rng.chance(0.14)) add(atLocal(day, rng.int(7 * 60, 20 * 60), p.place), 'Sign in', phone);
      if (p.key && portal.has(p.key) && rng.chance(0.4)) add(atLocal(day, rng.int(9 * 60, 17 * 60), p.place), 'Sign in', 'browser');
      if (laptop && rng.chance(0.25)) add(atLocal(day, rng.int(17 * 60, 19 * 60 + 30), p.place), 'Sign out', laptop);
      // A new laptop or a new hire's first morning: a sign-in from the new machine.
      if (laptop && laptop.from === day) add(atLocal(day, 9 * 60 + 50, p.place), 'Sign in', laptop);
    }
  }
  for (const a of extras.activities) if (Date.parse(a.time) < cal.endMs && Date.parse(a.time) >= cal.firstDay) out.push(a);
  return out.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}

export function users(cal: Calendar, acts: readonly SimActivity[]): SimUser[] {
  const lastLogin = new Map<string, { time: string; version: string }>();
  for (const a of acts) if (a.type === 'Sign in') lastLogin.set(a.email, { time: a.time, version: a.version ?? '' });
  return cal.dir.people.map((p): SimUser => {
    const status = p.deactivatedAt !== undefined && p.deactivatedAt < cal.endMs ? 'inactive' : p.status;
    const login = lastLogin.get(p.email);
    return {
      id: p.id,
      email: p.email,
      first_name: p.first,
      last_name: p.last,
      display_name: p.name,
      type: p.type,
      status,
      role_id: p.roleId,
      dept: p.dept,
      group_ids: [],
      im_group_ids: [],
      ...(login ? { last_login_time: login.time, ...(login.version ? { last_client_version: login.version } : {}) } : {}),
      created_at: iso(p.createdAt),
      user_created_at: iso(p.createdAt),
      timezone: p.place.ianaTz,
      verified: status === 'pending' ? 0 : 1,
      pmi: p.pmi,
      employee_unique_id: p.employeeId,
      custom_attributes: [{ key: 'cbf_title', name: 'Job title', value: p.title }],
    };
  });
}

/** The admin operation log: IT's work, recordings deleted from the admin console, recording downloads. */
export function operationLogs(cal: Calendar, extras: Extras, meetings: readonly RenderedMeeting[]): SimOperationLog[] {
  const out: SimOperationLog[] = [...extras.opLogs.filter((o) => Date.parse(o.time) < cal.endMs)];
  for (const m of meetings) {
    const r = m.plan.recording;
    if (!r || m.live) continue;
    if (r.deleted?.viaAdminConsole && r.deleted.at < cal.endMs) {
      out.push({
        time: iso(r.deleted.at),
        operator: r.deleted.by.email,
        category_type: 'Recording',
        action: 'Delete',
        operation_detail: `Delete cloud recording for meeting ${m.plan.id}`,
      });
    }
    for (const d of r.downloads) {
      if (d.at >= cal.endMs || d.at < recordingReadyAt(m) || (r.deleted && d.at > r.deleted.at)) continue;
      out.push({
        time: iso(d.at),
        operator: d.by.email,
        category_type: 'Recording',
        action: 'Download',
        operation_detail: `Download cloud recording for meeting ${m.plan.id}`,
      });
    }
  }
  return out.filter((o) => Date.parse(o.time) >= cal.firstDay).sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
}

export interface Webhook {
  readonly event: string;
  readonly body: string;
  /** When Zoom delivered it. */
  readonly at: number;
}

/** The webhooks Zoom sends for events from `from` to the end: the object's own fields, then delivery with small delays, rare retries. */
export function webhooks(cal: Calendar, meetings: readonly RenderedMeeting[], acts: readonly SimActivity[], extras: Extras, from: number): Webhook[] {
  const events: ExtraHook[] = [];
  const push = (time: number, event: string, payload: Record<string, unknown>, top?: Record<string, unknown>) => {
    if (time >= from && time < cal.endMs) events.push({ time, event, payload, ...(top ? { top } : {}) });
  };
  for (const m of meetings) {
    const p = m.plan;
    if (m.end < from || m.start >= cal.endMs) continue;
    const tz = p.host.place.ianaTz;
    const objBase = {
      uuid: p.uuid,
      host_id: p.host.id,
      topic: p.topic,
      type: p.type,
      start_time: iso(m.start),
      timezone: tz,
      duration: p.scheduledMin,
    };
    push(m.start, 'meeting.started', {
      account_id: ACCOUNT_ID,
      object: {
        duration: p.scheduledMin,
        start_time: iso(m.start),
        timezone: tz,
        topic: p.topic,
        id: p.id,
        type: p.type,
        uuid: p.uuid,
        host_id: p.host.id,
      },
    });
    for (const s of m.sessions) {
      const who = {
        user_id: s.userId,
        user_name: s.name,
        id: s.zoomUserId,
        participant_uuid: s.participantUuid,
        email: s.email,
        ...(s.registrantId ? { registrant_id: s.registrantId } : {}),
        ...(s.zoomUserId ? { participant_user_id: s.zoomUserId } : {}),
        ...(s.phone ? { phone_number: s.phone } : {}),
      };
      const object = (participant: Record<string, unknown>) => ({ account_id: ACCOUNT_ID, object: { id: String(p.id), ...objBase, participant } });
      if (s.waitingAt !== undefined) {
        push(s.waitingAt, 'meeting.participant_joined_waiting_room', object({ ...who, date_time: iso(s.waitingAt) }));
        push(s.admittedAt!, 'meeting.participant_admitted', object({ ...who, date_time: iso(s.admittedAt!) }));
      }
      const publicIp = s.kind === 'dial_in' || !s.net ? {} : { public_ip: s.net.ip };
      push(s.join, 'meeting.participant_joined', object({ ...who, join_time: iso(s.join), ...publicIp }));
      if (s.share) {
        const sharer = { id: s.zoomUserId, user_id: s.userId, user_name: s.name };
        push(s.share.from, 'meeting.sharing_started', {
          account_id: ACCOUNT_ID,
          object: {
            ...objBase,
            id: p.id,
            participant: {
              ...sharer,
              sharing_details: { link_source: '', file_link: '', source: '', date_time: iso(s.share.from), content: s.share.content },
            },
          },
        });
        push(s.share.until, 'meeting.sharing_ended', {
          account_id: ACCOUNT_ID,
          object: {
            ...objBase,
            id: p.id,
            participant: {
              ...sharer,
              sharing_details: { link_source: '', file_link: '', source: '', date_time: iso(s.share.until), content: s.share.content },
            },
          },
        });
      }
      if (!m.live || s.leave < cal.endMs)
        push(s.leave, 'meeting.participant_left', object({ ...who, leave_time: iso(s.leave), leave_reason: s.leaveReason }));
    }
    if (m.live) continue;
    push(m.end + 1500, 'meeting.ended', { account_id: ACCOUNT_ID, object: { id: String(p.id), ...objBase, end_time: iso(m.end) } });
    const rec = p.recording;
    if (rec) {
      const files = recordingFiles(cal, m);
      const size = files.reduce((s, f) => s + f.file_size, 0);
      const recObj = {
        id: p.id,
        uuid: p.uuid,
        host_id: p.host.id,
        account_id: ACCOUNT_ID,
        topic: p.topic,
        type: p.type,
        start_time: iso(m.start),
        timezone: tz,
        duration: Math.round((m.end - m.start) / MIN),
        share_url: `https://larkspur.zoom.us/rec/share/${hex(48, 'share', cal.seed, p.uuid)}`,
        total_size: size,
        recording_count: files.length,
      };
      push(
        recordingReadyAt(m),
        'recording.completed',
        {
          account_id: ACCOUNT_ID,
          object: {
            ...recObj,
            password: hex(8, 'pw', p.uuid),
            host_email: p.host.email,
            recording_play_passcode: hex(32, 'rpp', p.uuid),
            recording_files: files,
          },
        },
        { download_token: hex(64, 'dt', p.uuid) },
      );
      const del = rec.deleted;
      if (del) {
        const operator = { account_id: ACCOUNT_ID, operator: del.by.email, operator_id: del.by.id };
        push(del.at, 'recording.trashed', { ...operator, object: { ...recObj, host_email: p.host.email, recording_files: files } });
        if (del.permanent)
          push(del.at + hInt(60, 200, p.uuid, 'purge') * 1000, 'recording.deleted', { ...operator, object: { ...recObj, recording_files: files } });
      }
    }
  }
  for (const a of acts) {
    const t = Date.parse(a.time);
    const person = cal.dir.byEmail.get(a.email);
    if (!person) continue;
    const client = (a.client_type ?? 'Browser').toLowerCase().replace('ios', 'iphone');
    push(t, a.type === 'Sign in' ? 'user.signed_in' : 'user.signed_out', {
      account_id: ACCOUNT_ID,
      object: {
        id: person.id,
        client_type: client,
        date_time: a.time,
        email: a.email,
        version: a.version ?? '',
        login_type: a.client_type === 'Browser' ? 101 : 100,
      },
    });
  }
  for (const h of extras.hooks) push(h.time, h.event, h.payload, h.top);
  // Delivery: most within seconds, some after a minute or more; a few delivered twice (Zoom retried).
  const out: Webhook[] = [];
  events.forEach((e, i) => {
    const r = h01('delay', cal.seed, i, e.event, e.time);
    const delay = r < 0.9 ? 300 + Math.floor(r * 3000) : r < 0.99 ? hInt(3, 60, cal.seed, i, 'd2') * 1000 : hInt(60, 360, cal.seed, i, 'd3') * 1000;
    const eventTs = e.time + hInt(20, 900, cal.seed, i, 'ts');
    const body = webhookBody({ event: e.event, eventTs, payload: e.payload }, e.top);
    out.push({ event: e.event, body, at: e.time + delay });
    if (h01('retry', cal.seed, i) < 0.004) out.push({ event: e.event, body, at: e.time + delay + 5 * MIN });
  });
  return out.filter((w) => w.at < cal.endMs + 2 * MIN).sort((a, b) => a.at - b.at);
}

/**
 * The company's data-access feed (a DLP/CASB export of file reads in its document store): engineers read repos and
 * build artifacts all day, account executives open the price book and proposal templates after customer calls,
 * finance opens ledgers, recruiters open candidate packets after interviews, CSMs open account plans.
 */
export function dataAccess(cal: Calendar, meetings: readonly RenderedMeeting[]): Record<string, unknown>[] {
  const rng = new Prng(cal.seed, 'second-org:data-access');
  const rows: Record<string, unknown>[] = [];
  const docs: Record<string, string[]> = {
    Engineering: [
      'eng/design-docs/forecast-v3.md',
      'eng/runbooks/oncall.md',
      'eng/artifacts/api-server-2026.12.tar.gz',
      'eng/datasets/sample-tenant.parquet',
      'eng/adr/0042-queueing.md',
    ],
    Product: ['product/roadmap/fy27-roadmap.pptx', 'product/research/interview-notes.docx', 'product/specs/usage-billing.docx'],
    Sales: [
      'sales/pricebook/2027-price-book.xlsx',
      'sales/templates/proposal-template.docx',
      'sales/collateral/security-whitepaper.pdf',
      'sales/collateral/customer-case-studies.pdf',
      'sales/quotes/quote-draft.xlsx',
    ],
    'Customer Success': ['cs/account-plans/account-plan.docx', 'cs/playbooks/escalation-playbook.md', 'cs/health/health-scores.xlsx'],
    Marketing: ['marketing/webinars/registrants-export.csv', 'marketing/brand/logo-pack.zip', 'marketing/content/blog-drafts.docx'],
    Finance: [
      'finance/close/2026-11-ledger.xlsx',
      'finance/ap/vendor-master.xlsx',
      'finance/payroll/2026-12-payroll.xlsx',
      'finance/board/q4-board-deck.pptx',
      'finance/budget/fy27-budget.xlsx',
    ],
    People: ['people/candidates/candidate-packet.pdf', 'people/offers/offer-letter-template.docx', 'people/reviews/review-calibration.xlsx'],
    Legal: ['legal/contracts/msa-redline.docx', 'legal/litigation/privileged-memo.docx', 'legal/heron/spa-draft.docx'],
    IT: ['it/inventory/laptops.xlsx', 'it/policies/acceptable-use.pdf', 'it/sso/app-catalog.csv'],
    Executive: ['exec/board/q4-board-deck.pptx', 'exec/heron/valuation-model.xlsx', 'exec/strategy/fy27-plan.pptx'],
    Operations: ['ops/facilities/nyc-floorplan.pdf', 'ops/vendors/cleaning-contract.pdf'],
  };
  const read = (p: Person, t: number, key: string) => {
    if (t >= cal.endMs || t < cal.firstDay) return;
    const dev = deviceOf(p, 'laptop', t);
    rows.push({
      principal: p.email,
      event_time: new Date(t).toISOString(),
      object_key: `s3://larkspur-docs/${key}`,
      action: 'GetObject',
      source_ip: dev ? netFor(p, t, dev).ip : '',
    });
  };
  for (const p of cal.dir.people) {
    const mine = docs[p.dept] ?? [];
    for (let day = cal.firstDay; day <= cal.lastDay; day += DAY) {
      if (!works(p, day) || mine.length === 0) continue;
      const n = p.dept === 'Engineering' ? rng.int(4, 14) : rng.int(1, 6);
      for (let i = 0; i < n; i++) read(p, atLocal(day, rng.int(8 * 60, 18 * 60), p.place) + rng.int(0, 59_000), rng.pick(mine));
    }
  }
  // Follow-ups right after external meetings: the price book and a proposal after a sales call, the candidate
  // packet after an interview, the account plan after a QBR.
  for (const m of meetings) {
    if (m.live) continue;
    const host = m.plan.host;
    const hasOutsider = m.sessions.some((s) => s.kind !== 'internal');
    if (!hasOutsider) continue;
    const follow =
      m.plan.category === 'customer call'
        ? host.dept === 'Sales'
          ? ['sales/pricebook/2027-price-book.xlsx', 'sales/templates/proposal-template.docx', 'sales/quotes/quote-draft.xlsx']
          : ['cs/account-plans/account-plan.docx']
        : m.plan.category === 'interview'
          ? ['people/candidates/candidate-packet.pdf']
          : m.plan.category === 'M&A' || m.plan.category === 'board'
            ? ['exec/heron/valuation-model.xlsx', 'exec/board/q4-board-deck.pptx']
            : [];
    if (follow.length === 0 || !rng.chance(0.6)) continue;
    for (let i = 0; i < rng.int(1, 3); i++) read(host, m.end + rng.int(1, 25) * MIN + rng.int(0, 59_000), rng.pick(follow));
  }
  rows.sort((a, b) => ((a.event_time as string) < (b.event_time as string) ? -1 : 1));
  return rows;
}

export { HOUR, DOMAIN, dayStart, localOf };
