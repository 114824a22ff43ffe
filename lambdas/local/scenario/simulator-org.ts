import { Prng } from '#core/prng.ts';
import type {
  SimActivity,
  SimMeeting,
  SimOperationLog,
  SimParticipant,
  SimRecording,
  SimRecordingFile,
  SimRecordingSettings,
  SimulatedOrg,
  SimUser,
} from '../zoom-simulator/org.ts';
import { formatDay, isoSeconds as iso } from '../zoom-simulator/org.ts';
import { byActivityTime, routineActivities } from '../zoom-simulator/meeting-activities.ts';
import { routineSharing } from '../zoom-simulator/recording-settings.ts';
import { remoteControlTrail } from './audit-trail.ts';
import type { MeetingPlan, Session } from './calendar.ts';
import type { Employee, People } from './people.ts';
import { MIN_MS, type Timeline } from './timeline.ts';

/*
 * The scenario's organisation as the Zoom API simulator serves it: users, participant reports with every dashboard
 * field, past meetings with their audit trail, and cloud recordings with their sharing, in Zoom's shapes.
 */

function participant(m: MeetingPlan, s: Session): SimParticipant {
  const dial = s.person.kind === 'dial_in';
  // Outsiders signed in to their own company's Zoom account show a user id too, but are no members of this one.
  const inside = s.zoomUserId !== '' && s.person.kind === 'internal';
  const kind = dial ? 'dial_in' : inside ? 'internal' : s.email === '' ? 'guest' : 'external';
  return {
    kind,
    id: s.zoomUserId,
    user_id: s.participantId,
    participant_user_id: s.zoomUserId,
    participant_uuid: s.participantUuid,
    user_name: s.name,
    email: s.email,
    registrant_id: s.registrantId,
    join_time: iso(s.join),
    leave_time: iso(s.leave),
    leave_reason: `${s.name} left the meeting.<br>Reason: left the meeting.`,
    role: s.person === m.host ? 'host' : 'attendee',
    device: dial ? 'Phone' : s.device.family,
    client: dial ? '' : s.device.client,
    os: dial ? '' : s.device.os,
    os_version: dial ? '' : s.device.osVersion,
    device_name: inside ? `${s.name}'s ${s.device.family}` : '',
    version: dial ? '' : s.version,
    ip_address: s.ip,
    internal_ip_addresses: inside ? [`10.${s.ip.length % 8}.${Number(s.participantId) % 250}.${(s.participantUuid.charCodeAt(0) % 250) + 2}`] : [],
    location: s.location,
    network_type: dial ? 'Others' : s.device.family === 'iOS' || s.device.family === 'Android' ? 'Wifi' : 'Wired',
    data_center: 'US',
    full_data_center: 'United States (SC Crossconnect)',
    connection_type: dial ? 'PSTN' : 'UDP',
    pc_name: inside ? s.device.pcName : '',
    domain: inside && s.device.pcName !== '' ? 'CORP' : '',
    mac_addr: inside ? s.device.macAddr : '',
    harddisk_id: inside ? s.device.harddiskId : '',
    camera: inside ? 'Integrated Camera' : '',
    microphone: inside ? 'Built-in Microphone' : '',
    speaker: inside ? 'Built-in Speakers' : '',
    share_desktop: s.shared,
    share_application: false,
    share_whiteboard: false,
    recording: false,
    audio_call: dial ? [{ call_number: s.name, call_type: 'call-in', zoom_number: '+1 646 555 0100' }] : [],
  };
}

function simMeeting(m: MeetingPlan): SimMeeting {
  const shown = m.sessions.filter((s) => !s.waitingRoomOnly).sort((a, b) => a.join - b.join);
  return {
    uuid: m.uuid,
    id: m.id,
    host_id: m.host.userId,
    host_email: m.host.email,
    host_name: m.host.name,
    topic: m.topic,
    type: m.type,
    start_time: iso(m.start),
    end_time: iso(m.end),
    duration: Math.round((m.end - m.start) / MIN_MS),
    has_screen_share: shown.some((s) => s.shared),
    has_recording: m.recorded,
    has_chat: m.hasChat,
    has_pstn: shown.some((s) => s.person.kind === 'dial_in'),
    participants: shown.map((s) => participant(m, s)),
  };
}

function simRecording(rng: Prng, m: MeetingPlan, accountId: string, sharing: SimRecordingSettings): SimRecording {
  const file = (type: string, ext: string, recType: string, size: number): SimRecordingFile => {
    const id = `${rng.chars(8).toLowerCase()}-${rng.chars(4).toLowerCase()}-${rng.chars(4).toLowerCase()}-${rng.chars(12).toLowerCase()}`;
    return {
      id,
      meeting_id: m.uuid,
      recording_start: iso(m.start),
      recording_end: iso(m.end),
      file_type: type,
      file_extension: ext,
      file_size: size,
      play_url: `https://example.zoom.us/rec/play/${id}`,
      download_url: `https://example.zoom.us/rec/download/${id}`,
      status: 'completed',
      recording_type: recType,
      ...(m.deletion ? { deleted_time: iso(m.deletion.at) } : {}),
    };
  };
  const files = [
    file('MP4', 'MP4', 'shared_screen_with_speaker_view', rng.int(20, 400) * 1_000_000),
    file('M4A', 'M4A', 'audio_only', rng.int(2, 40) * 1_000_000),
  ];
  if (m.hasChat) files.push(file('CHAT', 'TXT', 'chat_file', rng.int(1, 50) * 1000));
  return {
    uuid: m.uuid,
    id: m.id,
    account_id: accountId,
    host_id: m.host.userId,
    topic: m.topic,
    type: m.type,
    start_time: iso(m.start),
    timezone: 'UTC',
    duration: Math.round((m.end - m.start) / MIN_MS),
    total_size: files.reduce((n, f) => n + f.file_size, 0),
    recording_count: files.length,
    share_url: `https://example.zoom.us/rec/share/${rng.chars(32)}`,
    recording_files: files,
    trashed: m.deletion !== undefined,
    sharing,
  };
}

function simUser(e: Employee, lastLogin: SimActivity | undefined, role: string | undefined): SimUser {
  return {
    id: e.userId,
    email: e.email,
    first_name: e.first,
    last_name: e.last,
    display_name: e.name,
    type: e.licensed ? 2 : 1,
    status: e.status,
    role_id: role ?? e.roleId,
    dept: e.dept,
    group_ids: [],
    im_group_ids: [],
    ...(lastLogin ? { last_login_time: lastLogin.time, ...(lastLogin.version ? { last_client_version: lastLogin.version } : {}) } : {}),
    created_at: iso(e.createdAt),
    user_created_at: iso(e.createdAt),
    timezone: e.timezone,
    verified: e.status === 'pending' ? 0 : 1,
    pmi: e.pmi,
    employee_unique_id: `E${e.pmi % 100_000}`,
    custom_attributes: [],
  };
}

/**
 * The scenario as the simulator's organisation of account `accountId`: every employee (with the role the incidents
 * gave them and their last sign-in), the meetings the API lists with their participants, and their recordings.
 */
export function toSimulatedOrg(
  people: People,
  t: Timeline,
  meetings: readonly MeetingPlan[],
  activities: readonly SimActivity[],
  operationLogs: readonly SimOperationLog[],
  roles: ReadonlyMap<string, string>,
  seed: number,
  accountId: string,
): SimulatedOrg {
  const rng = new Prng(seed, 'scenario-recordings');
  // Its own stream, so drawing the sharing shifts no file id or size.
  const sharingRng = new Prng(seed, 'scenario-recording-sharing');
  const lastLogin = new Map<string, SimActivity>();
  for (const a of activities) if (a.type === 'Sign in') lastLogin.set(a.email, a);
  const listed = meetings.filter((m) => m.inApi);
  const leaver = people.leavers[people.leavers.length - 1];
  const simMeetings = listed.map(simMeeting);
  return {
    seed,
    accountId: accountId,
    domain: people.domain,
    from: formatDay(t.days[0]!),
    to: formatDay(t.days[t.days.length - 1]!),
    users: people.employees.map((e) => simUser(e, lastLogin.get(e.email), roles.get(e.userId))),
    departed: leaver
      ? { userId: leaver.userId, email: leaver.email, departedAt: iso(leaver.deactivatedAt ?? t.end) }
      : { userId: '', email: '', departedAt: iso(t.end) },
    activities: [...activities],
    operationLogs: [...operationLogs],
    meetings: simMeetings,
    recordings: listed.filter((m) => m.recorded).map((m) => simRecording(rng, m, accountId, m.sharing ?? routineSharing(sharingRng))),
    meetingActivities: byActivityTime(listed.flatMap((m, i) => [...routineActivities(simMeetings[i]!), ...remoteControlTrail(m)])),
    chat: { channels: [], messages: [] },
  };
}
