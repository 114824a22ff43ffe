import { simulatedChat } from './chat.ts';
import { Prng, type Seed } from '#core/prng.ts';
import {
  ORG_DOMAIN,
  isoSeconds,
  parseDay,
  type ParticipantKind,
  type SimActivity,
  type SimMeeting,
  type SimOperationLog,
  type SimParticipant,
  type SimRecording,
  type SimRecordingFile,
  type SimulatedOrg,
  type SimUser,
} from './org.ts';
import { CLIENTS, DEPTS, EXTERNAL_DOMAINS, FIRST, LAST, LOCATIONS, TOPICS, VERSIONS } from './org-data.ts';
import { benignRemoteControl, byActivityTime, remoteControlActivities, routineActivities } from './meeting-activities.ts';
import { PUBLISHED_ON_PURPOSE, routineSharing } from './recording-settings.ts';

/*
 * The simulator's own synthetic organisation (org.ts describes it): forty users, sign-ins on the working days of the
 * range, admin changes, meetings with insiders, outsiders, guests and dial-ins and their audit trail (with colleagues
 * helping each other by remote control), recordings with their sharing settings, and chat, from seeded streams.
 */

const DAY_MS = 86_400_000;

/** Meeting instance UUIDs are base64 of 16 bytes; forcing a leading '/' on some exercises the double-encoding rule. */
function meetingUuid(rng: Prng, forceSlash: boolean): string {
  const uuid = Buffer.from(rng.bytes(16)).toString('base64');
  return forceSlash ? `/${uuid.slice(1, 10)}//${uuid.slice(12)}` : uuid;
}

function ip(rng: Prng, prefix: string): string {
  return `${prefix}.${rng.int(2, 254)}`;
}

/**
 * Generates the synthetic organisation for `seed` over the days `from`..`to` (yyyy-mm-dd, inclusive).
 * The same arguments always give the same organisation.
 */
export function simulatedOrg(seed: Seed, from: string, to: string, accountId = 'sim-account-id'): SimulatedOrg {
  const start = parseDay(from);
  const end = parseDay(to);
  if (start === undefined || end === undefined || end < start) throw new Error(`invalid simulator date range ${from}..${to}`);
  const days = Math.round((end - start) / DAY_MS) + 1;
  if (days > 400) throw new Error('simulator date range is limited to 400 days');

  const rng = new Prng(seed, 'org');
  const users: SimUser[] = [];
  const clientOf = new Map<string, (typeof CLIENTS)[number]>();
  const lastLogin = new Map<string, { time: string; version: string }>();
  const departIndex = 7;
  const departedAtMs = start + Math.floor(days / 2) * DAY_MS + 15 * 3_600_000;
  const usedNames = new Set<string>();

  for (let i = 0; i < 40; i++) {
    let first = rng.pick(FIRST);
    let last = rng.pick(LAST);
    for (let tries = 0; usedNames.has(`${first}.${last}`) && tries < 50; tries++) {
      first = rng.pick(FIRST);
      last = rng.pick(LAST);
    }
    if (usedNames.has(`${first}.${last}`)) last = `${last}${i}`;
    usedNames.add(`${first}.${last}`);
    // A few long-deactivated accounts, one pending invite, and the employee who leaves mid-range.
    const status: SimUser['status'] = i === 39 ? 'pending' : i >= 36 || i === departIndex ? 'inactive' : 'active';
    const created = start - rng.int(30, 900) * DAY_MS;
    const user: SimUser = {
      id: rng.chars(22, '-_'),
      email: `${first.toLowerCase()}.${last.toLowerCase()}@${ORG_DOMAIN}`,
      first_name: first,
      last_name: last,
      display_name: `${first} ${last}`,
      type: i < 32 ? 2 : 1,
      status,
      role_id: i === 0 ? '0' : i <= 2 ? '1' : '2',
      dept: rng.pick(DEPTS),
      group_ids: [],
      im_group_ids: [],
      created_at: isoSeconds(created),
      user_created_at: isoSeconds(created),
      timezone: 'America/New_York',
      verified: status === 'pending' ? 0 : 1,
      pmi: rng.int(1_000_000_000, 9_999_999_999),
      employee_unique_id: `E${1000 + i}`,
      custom_attributes: [],
    };
    users.push(user);
    clientOf.set(user.id, rng.pick(CLIENTS));
  }
  const departedUser = users[departIndex] as SimUser;
  const admins = users.filter((u) => u.role_id !== '2');
  const activeOn = (u: SimUser, ms: number) => u.status === 'active' || (u === departedUser && ms < departedAtMs);
  const workingDays: number[] = [];
  for (let d = 0; d < days; d++) {
    const day = start + d * DAY_MS;
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6) workingDays.push(day);
  }

  const activities: SimActivity[] = [];
  for (const day of workingDays) {
    for (const user of users) {
      if (!activeOn(user, day + 8 * 3_600_000) || !rng.chance(0.7)) continue;
      const client = clientOf.get(user.id) ?? CLIENTS[0];
      const version = rng.pick(VERSIONS);
      const address = rng.chance(0.7) ? ip(rng, '203.0.113') : ip(rng, '198.51.100');
      const signIn = day + rng.int(7 * 60, 10 * 60) * 60_000 + rng.int(0, 59) * 1000;
      // Zoom returns some records without ip/client/version; a poller must not drop them.
      const sparse = rng.chance(0.04);
      activities.push(
        sparse
          ? { email: user.email, time: isoSeconds(signIn), type: 'Sign in' }
          : { email: user.email, time: isoSeconds(signIn), type: 'Sign in', ip_address: address, client_type: client.client_type, version },
      );
      lastLogin.set(user.id, { time: isoSeconds(signIn), version });
      if (rng.chance(0.8)) {
        const signOut = day + rng.int(16 * 60, 19 * 60) * 60_000 + rng.int(0, 59) * 1000;
        if (user !== departedUser || signOut < departedAtMs) {
          activities.push({
            email: user.email,
            time: isoSeconds(signOut),
            type: 'Sign out',
            ip_address: address,
            client_type: client.client_type,
            version,
          });
        }
      }
    }
  }

  const operationLogs: SimOperationLog[] = [];
  const adminEmail = (users[1] as SimUser).email;
  const opAt = (dayIndex: number, minute: number) => isoSeconds(start + Math.min(dayIndex, days - 1) * DAY_MS + minute * 60_000);
  operationLogs.push(
    {
      time: opAt(0, 9 * 60 + 12),
      operator: adminEmail,
      category_type: 'Account',
      action: 'Update',
      operation_detail: 'Sign in with Two-Factor Authentication: from On to Off',
    },
    {
      time: opAt(1, 10 * 60 + 3),
      operator: adminEmail,
      category_type: 'User',
      action: 'Update',
      operation_detail: `Update User ${(users[5] as SimUser).email} - User Role: from Member to Admin`,
    },
    {
      time: opAt(2, 14 * 60 + 40),
      operator: (users[0] as SimUser).email,
      category_type: 'User Settings',
      action: 'Update',
      operation_detail: `Waiting Room: from On to Off (${(users[9] as SimUser).email})`,
    },
    {
      time: opAt(3, 11 * 60),
      operator: adminEmail,
      category_type: 'Role',
      action: 'Update',
      operation_detail: 'Role Admin: View Sign In/Sign Out report: from Off to On',
    },
    {
      time: opAt(4, 8 * 60 + 30),
      operator: adminEmail,
      category_type: 'User',
      action: 'Add',
      operation_detail: `Add User ${(users[39] as SimUser).email}`,
    },
    // Zoom omits operator and action on some records; dedupe keys must not depend on them.
    { time: opAt(5, 6 * 60), category_type: 'Account', operation_detail: 'Account Profile: Vanity URL updated' },
    {
      time: isoSeconds(departedAtMs),
      operator: adminEmail,
      category_type: 'User',
      action: 'Deactivate',
      operation_detail: `Deactivate User ${departedUser.email}`,
    },
  );
  for (const day of workingDays) {
    if (!rng.chance(0.3)) continue;
    const setting = rng.pick([
      'Cloud recording: from Off to On',
      'Allow removed participants to rejoin: from Off to On',
      'Screen sharing: from Host Only to All Participants',
      'Join before host: from Off to On',
    ]);
    operationLogs.push({
      time: isoSeconds(day + rng.int(9 * 60, 17 * 60) * 60_000),
      operator: rng.pick(admins.filter((a) => a.status === 'active')).email,
      category_type: 'Account',
      action: 'Update',
      operation_detail: setting,
    });
  }

  const meetings: SimMeeting[] = [];
  const recordings: SimRecording[] = [];
  // Its own stream: the sharing settings leave every other draw of the organisation as it was.
  const sharingRng = new Prng(seed, 'recording-settings');
  let meetingCount = 0;
  for (const day of workingDays) {
    const perDay = rng.int(3, 6);
    for (let m = 0; m < perDay; m++) {
      const startMs = day + rng.int(8 * 60, 17 * 60) * 60_000;
      const durationMin = rng.int(10, 75);
      const endMs = startMs + durationMin * 60_000;
      const internal = users.filter((u) => activeOn(u, startMs));
      const host = rng.pick(internal);
      const attendees = rng.sample(
        internal.filter((u) => u !== host),
        rng.int(1, 6),
      );
      const meetingId = rng.int(80_000_000_000, 99_999_999_999);
      const participants: SimParticipant[] = [];
      let nextPid = 16_778_240;
      const session = (
        kind: ParticipantKind,
        name: string,
        email: string,
        user: SimUser | undefined,
        joinMs: number,
        leaveMs: number,
        personUuid: string,
      ) => {
        const client = user ? (clientOf.get(user.id) ?? CLIENTS[0]) : rng.pick(CLIENTS);
        const inside = kind === 'internal';
        const dialIn = kind === 'dial_in';
        participants.push({
          kind,
          id: user?.id ?? '',
          user_id: String(nextPid++),
          participant_user_id: user?.id ?? '',
          participant_uuid: personUuid,
          user_name: name,
          email,
          registrant_id: kind === 'external' ? rng.chars(22, '-_') : '',
          join_time: isoSeconds(joinMs),
          leave_time: isoSeconds(leaveMs),
          leave_reason: `${name} left the meeting.<br>Reason: left the meeting.`,
          role: user === host ? 'host' : 'attendee',
          device: dialIn ? 'Phone' : inside ? client.device : '',
          client: dialIn ? '' : client.client_type,
          os: dialIn ? '' : client.os,
          os_version: dialIn ? '' : client.os_version,
          device_name: inside ? `${name}'s ${client.device}` : '',
          version: dialIn ? '' : rng.pick(VERSIONS),
          ip_address: dialIn ? '' : inside ? ip(rng, rng.chance(0.7) ? '203.0.113' : '198.51.100') : ip(rng, '192.0.2'),
          internal_ip_addresses: dialIn ? [] : [`10.0.${rng.int(0, 9)}.${rng.int(2, 254)}`],
          location: dialIn ? '' : rng.pick(LOCATIONS),
          network_type: dialIn ? 'Others' : rng.pick(['Wired', 'Wifi', 'Cellular']),
          data_center: 'US',
          full_data_center: 'United States (SC Crossconnect)',
          connection_type: dialIn ? 'PSTN' : 'UDP',
          pc_name: inside ? `${(user?.first_name ?? 'pc').toUpperCase()}-LAPTOP` : '',
          domain: inside ? 'CORP' : '',
          mac_addr: inside ? Array.from({ length: 6 }, () => rng.int(0, 255).toString(16).padStart(2, '0')).join(':') : '',
          harddisk_id: inside ? rng.chars(16) : '',
          camera: inside ? 'FaceTime HD Camera' : '',
          microphone: inside ? 'MacBook Pro Microphone' : '',
          speaker: inside ? 'MacBook Pro Speakers' : '',
          share_desktop: false,
          share_application: false,
          share_whiteboard: false,
          recording: false,
          audio_call: dialIn ? [{ call_number: email === '' ? name : '', call_type: 'call-in', zoom_number: '+1 646 555 0100' }] : [],
        });
      };
      const join = (kind: ParticipantKind, name: string, email: string, user?: SimUser) => {
        const personUuid = rng.chars(22, '-_');
        const joinMs = user === host ? startMs : startMs + rng.int(0, 5) * 60_000;
        if (rng.chance(0.12) && durationMin > 20) {
          // A dropped connection: Zoom reports one row per join session.
          const drop = joinMs + rng.int(3, 10) * 60_000;
          session(kind, name, email, user, joinMs, drop, personUuid);
          session(kind, name, email, user, drop + 60_000, endMs, personUuid);
        } else {
          session(kind, name, email, user, joinMs, endMs, personUuid);
        }
      };
      join('internal', host.display_name, host.email, host);
      for (const a of attendees) join('internal', a.display_name, a.email, a);
      if (rng.chance(0.4)) {
        for (let e = rng.int(1, 2); e > 0; e--) {
          const first = rng.pick(FIRST);
          const domain = rng.pick(EXTERNAL_DOMAINS);
          join('external', `${first} ${rng.pick(LAST)}`, `${first.toLowerCase()}${rng.int(1, 99)}@${domain}`);
        }
      }
      // Guests who join without signing in have no email at all.
      if (rng.chance(0.2)) join('guest', rng.pick(['iPhone', 'Guest', 'Galaxy S23', 'Zoom user']), '');
      const hasPstn = rng.chance(0.15);
      if (hasPstn) join('dial_in', `+1 555 01${rng.int(10, 99)} ${rng.int(1000, 9999)}`, '');

      const hasRecording = rng.chance(0.3);
      const meeting: SimMeeting = {
        // Every fifth meeting gets a UUID with '/' and '//' so clients must double-encode it.
        uuid: meetingUuid(rng, meetingCount % 5 === 0),
        id: meetingId,
        host_id: host.id,
        host_email: host.email,
        host_name: host.display_name,
        topic: rng.pick(TOPICS),
        type: 2,
        start_time: isoSeconds(startMs),
        end_time: isoSeconds(endMs),
        duration: durationMin,
        has_screen_share: rng.chance(0.5),
        has_recording: hasRecording,
        has_chat: rng.chance(0.4),
        has_pstn: hasPstn,
        participants,
      };
      meetingCount++;
      meetings.push(meeting);
      if (hasRecording) {
        const trashed = rng.chance(0.25);
        const deletedTime = trashed ? isoSeconds(endMs + rng.int(1, 48) * 3_600_000) : undefined;
        const file = (type: string, ext: string, recType: string, size: number): SimRecordingFile => {
          const id = `${rng.chars(8).toLowerCase()}-${rng.chars(4).toLowerCase()}-${rng.chars(4).toLowerCase()}-${rng.chars(12).toLowerCase()}`;
          return {
            id,
            meeting_id: meeting.uuid,
            recording_start: meeting.start_time,
            recording_end: meeting.end_time,
            file_type: type,
            file_extension: ext,
            file_size: size,
            play_url: `https://example.zoom.us/rec/play/${id}`,
            download_url: `https://example.zoom.us/rec/download/${id}`,
            status: 'completed',
            recording_type: recType,
            ...(deletedTime ? { deleted_time: deletedTime } : {}),
          };
        };
        const files = [
          file('MP4', 'MP4', 'shared_screen_with_speaker_view', rng.int(5, 400) * 1_000_000),
          file('M4A', 'M4A', 'audio_only', rng.int(1, 40) * 1_000_000),
        ];
        if (meeting.has_chat) files.push(file('CHAT', 'TXT', 'chat_file', rng.int(1, 50) * 1000));
        recordings.push({
          uuid: meeting.uuid,
          id: meeting.id,
          account_id: accountId,
          host_id: host.id,
          topic: meeting.topic,
          type: meeting.type,
          start_time: meeting.start_time,
          timezone: 'America/New_York',
          duration: durationMin,
          total_size: files.reduce((sum, f) => sum + f.file_size, 0),
          recording_count: files.length,
          share_url: `https://example.zoom.us/rec/share/${rng.chars(32)}`,
          recording_files: files,
          trashed,
          sharing: routineSharing(sharingRng),
        });
        if (deletedTime) {
          operationLogs.push({
            time: deletedTime,
            operator: host.email,
            category_type: 'Recording',
            action: 'Delete',
            operation_detail: `Delete Recording: ${meeting.topic} (${meeting.id})`,
          });
        }
      }
    }
  }

  // Marketing publishes one recording of a meeting of colleagues on purpose (a product video for the website): the
  // public recording a detection must tell apart from a sensitive or external meeting's.
  const colleaguesOnly = (r: SimRecording) => meetings.find((m) => m.uuid === r.uuid)?.participants.every((p) => p.kind === 'internal') === true;
  const published =
    recordings.find((r) => !r.trashed && colleaguesOnly(r) && users.find((u) => u.id === r.host_id)?.dept === 'Marketing') ??
    recordings.find((r) => !r.trashed && colleaguesOnly(r));
  if (published) published.sharing = PUBLISHED_ON_PURPOSE;
  const meetingActivities = byActivityTime([
    ...meetings.flatMap(routineActivities),
    ...benignRemoteControl(seed, meetings, users).flatMap(({ meeting, grant }) => remoteControlActivities(meeting.id, grant)),
  ]);

  const byTime = <T extends { time: string }>(a: T, b: T) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0);
  activities.sort(byTime);
  operationLogs.sort(byTime);
  const withLogin = users.map((u): SimUser => {
    const login = lastLogin.get(u.id);
    return login ? { ...u, last_login_time: login.time, last_client_version: login.version } : u;
  });
  return {
    seed,
    accountId,
    domain: ORG_DOMAIN,
    from,
    to,
    users: withLogin,
    departed: { userId: departedUser.id, email: departedUser.email, departedAt: isoSeconds(departedAtMs) },
    activities,
    operationLogs,
    meetings,
    recordings,
    meetingActivities,
    chat: simulatedChat(
      seed,
      withLogin.filter((u) => u.status === 'active'),
      workingDays,
    ),
  };
}
