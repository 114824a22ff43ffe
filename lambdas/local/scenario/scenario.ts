import { configSchema } from '#config/schema.ts';
import { compileTopicPatterns } from '#core/patterns/matcher.ts';
import { webhookBody } from '#core/webhook/envelope.ts';
import type { SimActivity, SimMeeting, SimOperationLog, SimParticipant, SimRecording, SimRecordingFile, SimulatedOrg, SimUser } from '../zoom-simulator/org.ts';
import { formatDay, isoSeconds as iso } from '../zoom-simulator/org.ts';
import { Prng } from '#core/prng.ts';
import { backgroundPatterns, generateBackground } from './background.ts';
import { MeetingFactory, SessionBuilder, generateCalendar, hadOutsiders, type MeetingPlan, type Session } from './calendar.ts';
import { plantIncidents } from './incidents.ts';
import type { PlantedExtras } from './incidents/kit.ts';
import type { Manifest } from './manifest.ts';
import { generatePeople } from './generate-people.ts';
import { placeAt, versionAt, working, type Employee, type People } from './people.ts';
import { HOUR_MS, MIN_MS, timeline, type Timeline } from './timeline.ts';
import { meetingEvents, recordingRemovedEvent, spacedId, type WebhookEvent } from './webhooks.ts';

/*
 * A demo scenario (issue #8): a synthetic organisation with the benign background a real company has (background.ts
 * names its patterns in the manifest) and, unless benign-only, planted incidents for every detection, as the Zoom API
 * simulator's data, signed-webhook bodies, a data-access feed and a manifest. Deterministic: the same options give the
 * same scenario.
 */

/** How big, how long, which seed, and whether to plant incidents. */
export interface ScenarioOptions {
  readonly seed: number;
  /** Accounts of the organisation, inactive and pending ones included. */
  readonly users: number;
  readonly days: number;
  /** The scenario's end (epoch ms); nothing happens after it. */
  readonly end: number;
  /** Benign traffic only: no planted incidents. */
  readonly benign: boolean;
}

/** The smallest organisation and range in which every incident can be planted with its baseline. */
export const MIN_USERS = 40;
export const MIN_DAYS = 7;
export const MAX_USERS = 5_000;
export const MAX_DAYS = 60;

/** A signed-webhook body, when its event happened and when Zoom delivered it (later when only a retry got through). */
export interface ScenarioWebhook {
  readonly at: number;
  readonly deliveredAt: number;
  readonly event: string;
  readonly body: string;
}

/** One row of the data-access feed (e.g. CloudTrail S3 data events): who read what, when. */
export interface DataAccessRow {
  readonly principal: string;
  readonly event_time: string;
  readonly object_key: string;
}

/** The config keys the scenario decides (the rest are the defaults). */
export interface ScenarioConfig {
  readonly internalDomains: readonly string[];
  readonly watchedUsers: readonly string[];
  readonly minClientVersion: string;
  readonly planTier: 'business';
}

/** Everything the demo feeds the pipeline, and the truth to score it against. */
export interface Scenario {
  readonly options: ScenarioOptions;
  /** The Zoom API simulator's organisation (API data for the pollers and the correlation). */
  readonly org: SimulatedOrg;
  /** Webhook bodies in delivery order, for events from `webhooksFrom` on, delivered by the end. */
  readonly webhooks: readonly ScenarioWebhook[];
  readonly webhooksFrom: number;
  readonly dataAccess: readonly DataAccessRow[];
  readonly config: ScenarioConfig;
  readonly manifest: Manifest;
}

const ACCOUNT_ID = 'sim-account-id';
const SENSITIVE = compileTopicPatterns(configSchema.parse({}).sensitiveMeetingPatterns);
const sensitive = (topic: string) => SENSITIVE.some((r) => r.test(topic));

/** Generates the scenario for `options`. */
export function generateScenario(options: ScenarioOptions): Scenario {
  const { seed, users, days, end, benign } = options;
  if (!Number.isInteger(users) || users < MIN_USERS || users > MAX_USERS) throw new RangeError(`users must be ${MIN_USERS}-${MAX_USERS}, got ${users}`);
  if (!Number.isInteger(days) || days < MIN_DAYS || days > MAX_DAYS) throw new RangeError(`days must be ${MIN_DAYS}-${MAX_DAYS}, got ${days}`);
  const t = timeline(end, days);
  const people = generatePeople(seed, users, t);
  const factory = new MeetingFactory(new Prng(seed, 'scenario-meetings'));
  const sessions = new SessionBuilder(new Prng(seed, 'scenario-sessions'), t);
  const meetings = generateCalendar(seed, people, t, factory, sessions);
  const bg = generateBackground(seed, people, t, factory, sessions, meetings);
  const planted: PlantedExtras = benign
    ? { activities: [], operationLogs: [], events: [], dataAccess: [], roles: new Map(), versions: new Map(), incidents: [] }
    : plantIncidents({ seed, people, t, meetings, factory, sessions, accountId: ACCOUNT_ID, sensitive });
  meetings.sort((a, b) => a.start - b.start || a.id - b.id);
  const patterns = backgroundPatterns(people, meetings, bg);

  const rng = new Prng(seed, 'scenario-background');
  const background = recordingFates(rng, people, t, meetings);
  const activities = [...signIns(rng, people, t, meetings, planted.versions), ...planted.activities].sort(byTime);
  const operationLogs = [...adminLog(rng, people, t, meetings), ...planted.operationLogs].sort(byTime);
  const dataAccess = [...dataAccessFeed(rng, people, t, meetings), ...planted.dataAccess].sort((a, b) => (a.event_time < b.event_time ? -1 : a.event_time > b.event_time ? 1 : 0));

  const events: WebhookEvent[] = [];
  for (const m of meetings) {
    events.push(...meetingEvents(m, ACCOUNT_ID, t.liveFrom, end));
    const removed = recordingRemovedEvent(m, ACCOUNT_ID);
    if (removed && removed.at >= t.liveFrom) events.push(removed);
  }
  events.push(...accountEvents(people, t), ...planted.events.filter((e) => e.at >= t.liveFrom));
  // Posted as Zoom delivers them; stable, so events of one instant keep their order (started before joins, joins
  // before leaves).
  const delivered = (e: WebhookEvent) => e.deliveredAt ?? e.at;
  const webhooks = events.map((e, i) => ({ e, i })).sort((a, b) => delivered(a.e) - delivered(b.e) || a.i - b.i)
    .map(({ e }) => ({ at: e.at, deliveredAt: delivered(e), event: e.event, body: webhookBody({ event: e.event, eventTs: e.at, payload: e.payload }) }));

  const org = simulatedOrg(people, t, meetings, activities, operationLogs, planted.roles, seed);
  const config: ScenarioConfig = { internalDomains: people.domains, watchedUsers: people.watched, minClientVersion: '6.0.0', planTier: 'business' };
  const manifest: Manifest = {
    seed, users, days, benign, from: formatDay(t.days[0]!), to: formatDay(t.days[t.days.length - 1]!), end: iso(end), webhooks_from: iso(t.liveFrom),
    counts: {
      users: org.users.length, meetings: org.meetings.length, participant_sessions: org.meetings.reduce((n, m) => n + m.participants.length, 0),
      activities: activities.length, operation_logs: operationLogs.length, recordings: org.recordings.length, deleted_recordings: background.deleted,
      webhooks: webhooks.length, data_access_rows: dataAccess.length,
    },
    incidents: planted.incidents,
    background: patterns,
    meetings: meetings.map((m) => ({ meeting_uuid: m.uuid, meeting_id: String(m.id), topic: m.topic, start_time: iso(m.start) })),
  };
  return { options, org, webhooks, webhooksFrom: t.liveFrom, dataAccess, config, manifest };
}

const byTime = <T extends { time: string }>(a: T, b: T) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0);

/**
 * Benign recording fates, for meetings no incident owns: hosts trash a few recordings of their own internal,
 * non-sensitive meetings a few hours later, and hosts or participants download some. Returns how many were deleted.
 */
function recordingFates(rng: Prng, people: People, t: Timeline, meetings: MeetingPlan[]): { deleted: number } {
  let deleted = 0;
  const watched = new Set(people.watched);
  // The operation log names a deleted recording by meeting number only, so another instance of the same number with
  // outsiders would make an internal recording's deletion look like one after an external meeting.
  const outsideSeries = new Set(meetings.filter((m) => hadOutsiders(m, people.domains)).map((m) => m.id));
  const tidy = (m: MeetingPlan) => !outsideSeries.has(m.id) && !sensitive(m.topic) && !watched.has(m.host.email);
  for (const m of meetings) {
    if (!m.recorded || m.fixed || !m.inApi) continue;
    if (rng.chance(0.25) && tidy(m)) {
      const at = m.end + rng.int(2, 40) * HOUR_MS + rng.int(0, 59) * MIN_MS;
      if (at <= t.end - 10 * MIN_MS) {
        m.deletion = { at, operator: m.host, event: 'recording.trashed' };
        deleted++;
        continue;
      }
    }
    if (rng.chance(0.15)) {
      const insiders = m.sessions.filter((s) => s.zoomUserId !== '' && s.person.kind === 'internal');
      const who = rng.chance(0.5) || insiders.length === 0 ? m.host.email : rng.pick(insiders).email;
      const at = m.end + rng.int(1, 30) * HOUR_MS;
      if (at <= t.end - 10 * MIN_MS) m.downloads.push({ at, operator: who });
    }
  }
  // At least one host tidies up inside the webhook window, so the realtime path sees a harmless deletion too.
  if (!meetings.some((m) => m.deletion && m.deletion.at >= t.liveFrom && !m.fixed)) {
    const recent = meetings.filter((m) => !m.fixed && m.inApi && m.kind === 'weekly' && m.end >= t.liveFrom && m.end + 90 * MIN_MS <= t.end - 10 * MIN_MS
      && tidy(m)).at(-1);
    if (recent) {
      recent.recorded = true;
      recent.downloads = [];
      recent.deletion = { at: recent.end + 90 * MIN_MS, operator: recent.host, event: 'recording.trashed' };
      deleted++;
    }
  }
  return { deleted };
}

/**
 * Sign-ins and sign-outs of every working employee on working days, from where they are: the IP of a meeting they
 * are in at that moment, else their home or trip IP. A few records lack ip/client/version, as Zoom's do.
 */
function signIns(rng: Prng, people: People, t: Timeline, meetings: readonly MeetingPlan[], versions: ReadonlyMap<string, string>): SimActivity[] {
  const byPerson = new Map<string, Session[]>();
  for (const m of meetings) for (const s of m.sessions) if (s.zoomUserId !== '') byPerson.set(s.email, [...(byPerson.get(s.email) ?? []), s]);
  const out: SimActivity[] = [];
  for (const day of t.workingDays) {
    for (const e of people.employees) {
      const signIn = day + rng.int(7 * 60, 9 * 60 + 30) * MIN_MS + rng.int(0, 59) * 1000;
      if (!working(e, signIn) || signIn > t.end - 5 * MIN_MS || !rng.chance(0.85)) continue;
      const inMeeting = (at: number) => byPerson.get(e.email)?.find((s) => s.join <= at && at <= s.leave);
      const ipAt = (at: number) => inMeeting(at)?.ip ?? placeAt(e, at).ip;
      const byod = e.byod && rng.chance(0.15);
      const client = byod ? e.byod!.client : e.device.client;
      const version = versions.get(e.email) ?? versionAt(e, signIn);
      out.push(rng.chance(0.03)
        ? { email: e.email, time: iso(signIn), type: 'Sign in' }
        : { email: e.email, time: iso(signIn), type: 'Sign in', ip_address: ipAt(signIn), client_type: client, version });
      const signOut = day + rng.int(16 * 60 + 30, 19 * 60) * MIN_MS + rng.int(0, 59) * 1000;
      if (rng.chance(0.8) && working(e, signOut) && signOut <= t.end - 5 * MIN_MS) {
        out.push({ email: e.email, time: iso(signOut), type: 'Sign out', ip_address: ipAt(signOut), client_type: client, version });
      }
    }
  }
  return out;
}

/** The benign admin operation log: harmless or strengthening setting changes, joiners, leavers, recording deletions and downloads. */
function adminLog(rng: Prng, people: People, t: Timeline, meetings: readonly MeetingPlan[]): SimOperationLog[] {
  const out: SimOperationLog[] = [];
  const admins = [people.owner, ...people.admins];
  const harmless = [
    'Join before host: from Off to On', 'Cloud recording: from Off to On', 'Allow removed participants to rejoin: from Off to On',
    'Screen sharing: from Host Only to All Participants', 'Waiting Room: from Off to On', 'Security  - Sign in with Two-Factor Authentication: from Off to On',
    'Require a passcode when scheduling new meetings: from Off to On', 'Meeting Polls/Quizzes: from Off to On',
  ];
  for (const day of t.workingDays) {
    if (!rng.chance(0.6)) continue;
    const at = day + rng.int(9 * 60, 17 * 60) * MIN_MS;
    if (at <= t.end - 10 * MIN_MS) out.push({ time: iso(at), operator: rng.pick(admins).email, category_type: 'Account', action: 'Update', operation_detail: rng.pick(harmless) });
  }
  const first = t.workingDays[0];
  if (first !== undefined) {
    // Zoom omits operator and action on some records; a demotion is not a privilege grant.
    out.push({ time: iso(first + 6 * HOUR_MS), category_type: 'Account', operation_detail: 'Account Profile: Vanity URL updated' });
    const demoted = people.employees.find((e) => e.status === 'active' && e.roleId === '2' && e.lastDay === undefined);
    if (demoted) out.push({ time: iso(first + 11 * HOUR_MS), operator: people.owner.email, category_type: 'User', action: 'Update', operation_detail: `Update User ${demoted.email}  - User Role: from Admin to Member` });
  }
  if (people.newHire?.activeFrom !== undefined) {
    out.push({ time: iso(people.newHire.activeFrom - HOUR_MS), operator: people.owner.email, category_type: 'User', action: 'Add', operation_detail: `Add User ${people.newHire.email}` });
  }
  for (const leaver of people.leavers) {
    if (leaver.deactivatedAt !== undefined && leaver.deactivatedAt <= t.end) {
      out.push({ time: iso(leaver.deactivatedAt), operator: people.owner.email, category_type: 'User', action: 'Deactivate', operation_detail: `Deactivate User ${leaver.email}` });
    }
  }
  for (const m of meetings) {
    if (!m.inApi) continue;
    if (m.deletion) {
      const verb = m.deletion.event === 'recording.deleted' ? 'Delete Recording Permanently' : 'Delete Recording';
      out.push({ time: iso(m.deletion.at), operator: m.deletion.operator.email, category_type: 'Recording', action: 'Delete', operation_detail: `${verb}: ${m.topic} (${spacedId(m.id)})` });
    }
    for (const d of m.downloads) {
      out.push({ time: iso(d.at), operator: d.operator, category_type: 'Recording', action: 'Download', operation_detail: `Download cloud recording for meeting ${spacedId(m.id)}` });
    }
  }
  return out;
}

/**
 * The data-access feed's benign rows: finance and legal staff reading their files during the day. A row by a host
 * within 31 minutes after a meeting of theirs with outsiders is moved an hour later (the correlation's window is 30).
 */
function dataAccessFeed(rng: Prng, people: People, t: Timeline, meetings: readonly MeetingPlan[]): DataAccessRow[] {
  const readers = people.employees.filter((e) => e.status === 'active' && (e.dept === 'Finance' || e.dept === 'Legal' || e.dept === 'Sales'));
  const files = ['s3://finance-reports/2026/q3-forecast.xlsx', 's3://finance-reports/pricing/list-prices.csv', 's3://legal-contracts/msa-template.docx', 's3://sales-ops/pipeline-export.csv'];
  const risky = meetings.filter((m) => hadOutsiders(m, people.domains));
  const out: DataAccessRow[] = [];
  for (const day of t.workingDays) {
    for (let i = 0; i < Math.max(2, Math.round(readers.length / 6)) && readers.length > 0; i++) {
      const who = rng.pick(readers);
      let at = day + rng.int(8 * 60, 18 * 60) * MIN_MS;
      while (risky.some((m) => m.host.email === who.email && at >= m.end - MIN_MS && at <= m.end + 31 * MIN_MS)) at += HOUR_MS;
      if (at > t.end - 5 * MIN_MS || !working(who, at)) continue;
      out.push({ principal: who.email, event_time: iso(at), object_key: rng.pick(files) });
    }
  }
  return out;
}

/** Benign account webhooks in the window: the late leaver's deactivation, a strengthened setting, a profile change. */
function accountEvents(people: People, t: Timeline): WebhookEvent[] {
  const out: WebhookEvent[] = [];
  for (const leaver of people.leavers) {
    if (leaver.deactivatedAt === undefined || leaver.deactivatedAt < t.liveFrom || leaver.deactivatedAt > t.end) continue;
    out.push({ at: leaver.deactivatedAt, event: 'user.deactivated', payload: {
      account_id: ACCOUNT_ID, operator: people.owner.email, operator_id: people.owner.userId,
      object: { id: leaver.userId, first_name: leaver.first, last_name: leaver.last, email: leaver.email, type: 2 },
    } });
  }
  const settingAt = t.liveFrom + 10 * HOUR_MS;
  if (settingAt < t.end) {
    out.push({ at: settingAt, event: 'account.settings_updated', payload: {
      account_id: ACCOUNT_ID, operator: people.owner.email, operator_id: people.owner.userId, time_stamp: settingAt,
      object: { id: ACCOUNT_ID, settings: { security: { password_requirement: { minimum_password_length: 12 } }, in_meeting: { chat: true } } },
      old_object: { id: ACCOUNT_ID, settings: { security: { password_requirement: { minimum_password_length: 8 } }, in_meeting: { chat: false } } },
    } });
  }
  const mover = people.employees.find((e) => e.status === 'active' && e.dept === 'Support' && e.lastDay === undefined);
  const moveAt = t.liveFrom + 11 * HOUR_MS;
  if (mover && moveAt < t.end) {
    out.push({ at: moveAt, event: 'user.updated', payload: {
      account_id: ACCOUNT_ID, operator: people.owner.email, operator_id: people.owner.userId,
      object: { id: mover.userId, dept: 'Customer Success' }, old_object: { id: mover.userId, dept: 'Support' },
    } });
  }
  return out;
}

function participant(m: MeetingPlan, s: Session): SimParticipant {
  const dial = s.person.kind === 'dial_in';
  // Outsiders signed in to their own company's Zoom account show a user id too, but are no members of this one.
  const inside = s.zoomUserId !== '' && s.person.kind === 'internal';
  const kind = dial ? 'dial_in' : inside ? 'internal' : s.email === '' ? 'guest' : 'external';
  return {
    kind, id: s.zoomUserId, user_id: s.participantId, participant_user_id: s.zoomUserId, participant_uuid: s.participantUuid,
    user_name: s.name, email: s.email, registrant_id: s.registrantId, join_time: iso(s.join), leave_time: iso(s.leave),
    leave_reason: `${s.name} left the meeting.<br>Reason: left the meeting.`, role: s.person === m.host ? 'host' : 'attendee',
    device: dial ? 'Phone' : s.device.family, client: dial ? '' : s.device.client, os: dial ? '' : s.device.os, os_version: dial ? '' : s.device.osVersion,
    device_name: inside ? `${s.name}'s ${s.device.family}` : '', version: dial ? '' : s.version, ip_address: s.ip,
    internal_ip_addresses: inside ? [`10.${s.ip.length % 8}.${Number(s.participantId) % 250}.${(s.participantUuid.charCodeAt(0) % 250) + 2}`] : [],
    location: s.location, network_type: dial ? 'Others' : s.device.family === 'iOS' || s.device.family === 'Android' ? 'Wifi' : 'Wired',
    data_center: 'US', full_data_center: 'United States (SC Crossconnect)', connection_type: dial ? 'PSTN' : 'UDP',
    pc_name: inside ? s.device.pcName : '', domain: inside && s.device.pcName !== '' ? 'CORP' : '', mac_addr: inside ? s.device.macAddr : '',
    harddisk_id: inside ? s.device.harddiskId : '', camera: inside ? 'Integrated Camera' : '', microphone: inside ? 'Built-in Microphone' : '',
    speaker: inside ? 'Built-in Speakers' : '', share_desktop: s.shared, share_application: false, share_whiteboard: false, recording: false,
    audio_call: dial ? [{ call_number: s.name, call_type: 'call-in', zoom_number: '+1 646 555 0100' }] : [],
  };
}

function simMeeting(m: MeetingPlan): SimMeeting {
  const shown = m.sessions.filter((s) => !s.waitingRoomOnly).sort((a, b) => a.join - b.join);
  return {
    uuid: m.uuid, id: m.id, host_id: m.host.userId, host_email: m.host.email, host_name: m.host.name, topic: m.topic, type: m.type,
    start_time: iso(m.start), end_time: iso(m.end), duration: Math.round((m.end - m.start) / MIN_MS),
    has_screen_share: shown.some((s) => s.shared), has_recording: m.recorded, has_chat: m.hasChat, has_pstn: shown.some((s) => s.person.kind === 'dial_in'),
    participants: shown.map((s) => participant(m, s)),
  };
}

function simRecording(rng: Prng, m: MeetingPlan): SimRecording {
  const file = (type: string, ext: string, recType: string, size: number): SimRecordingFile => {
    const id = `${rng.chars(8).toLowerCase()}-${rng.chars(4).toLowerCase()}-${rng.chars(4).toLowerCase()}-${rng.chars(12).toLowerCase()}`;
    return {
      id, meeting_id: m.uuid, recording_start: iso(m.start), recording_end: iso(m.end), file_type: type, file_extension: ext, file_size: size,
      play_url: `https://example.zoom.us/rec/play/${id}`, download_url: `https://example.zoom.us/rec/download/${id}`, status: 'completed', recording_type: recType,
      ...(m.deletion ? { deleted_time: iso(m.deletion.at) } : {}),
    };
  };
  const files = [file('MP4', 'MP4', 'shared_screen_with_speaker_view', rng.int(20, 400) * 1_000_000), file('M4A', 'M4A', 'audio_only', rng.int(2, 40) * 1_000_000)];
  if (m.hasChat) files.push(file('CHAT', 'TXT', 'chat_file', rng.int(1, 50) * 1000));
  return {
    uuid: m.uuid, id: m.id, account_id: ACCOUNT_ID, host_id: m.host.userId, topic: m.topic, type: m.type, start_time: iso(m.start), timezone: 'UTC',
    duration: Math.round((m.end - m.start) / MIN_MS), total_size: files.reduce((n, f) => n + f.file_size, 0), recording_count: files.length,
    share_url: `https://example.zoom.us/rec/share/${rng.chars(32)}`, recording_files: files, trashed: m.deletion !== undefined,
  };
}

function simUser(e: Employee, lastLogin: SimActivity | undefined, role: string | undefined): SimUser {
  return {
    id: e.userId, email: e.email, first_name: e.first, last_name: e.last, display_name: e.name, type: e.licensed ? 2 : 1, status: e.status,
    role_id: role ?? e.roleId, dept: e.dept, group_ids: [], im_group_ids: [],
    ...(lastLogin ? { last_login_time: lastLogin.time, ...(lastLogin.version ? { last_client_version: lastLogin.version } : {}) } : {}),
    created_at: iso(e.createdAt), user_created_at: iso(e.createdAt), timezone: e.timezone, verified: e.status === 'pending' ? 0 : 1, pmi: e.pmi,
    employee_unique_id: `E${e.pmi % 100_000}`, custom_attributes: [],
  };
}

function simulatedOrg(
  people: People, t: Timeline, meetings: readonly MeetingPlan[], activities: readonly SimActivity[], operationLogs: readonly SimOperationLog[],
  roles: ReadonlyMap<string, string>, seed: number,
): SimulatedOrg {
  const rng = new Prng(seed, 'scenario-recordings');
  const lastLogin = new Map<string, SimActivity>();
  for (const a of activities) if (a.type === 'Sign in') lastLogin.set(a.email, a);
  const listed = meetings.filter((m) => m.inApi);
  const leaver = people.leavers[people.leavers.length - 1];
  return {
    seed, accountId: ACCOUNT_ID, domain: people.domain, from: formatDay(t.days[0]!), to: formatDay(t.days[t.days.length - 1]!),
    users: people.employees.map((e) => simUser(e, lastLogin.get(e.email), roles.get(e.userId))),
    departed: leaver ? { userId: leaver.userId, email: leaver.email, departedAt: iso(leaver.deactivatedAt ?? t.end) } : { userId: '', email: '', departedAt: iso(t.end) },
    activities: [...activities], operationLogs: [...operationLogs],
    meetings: listed.map(simMeeting),
    recordings: listed.filter((m) => m.recorded).map((m) => simRecording(rng, m)),
    chat: { channels: [], messages: [] },
  };
}
