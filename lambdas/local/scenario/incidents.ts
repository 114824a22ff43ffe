import type { SimActivity, SimOperationLog } from '../zoom-simulator/org.ts';
import { Prng } from '#core/prng.ts';
import { hostJoin, type MeetingFactory, type MeetingPlan, type SessionBuilder } from './calendar.ts';
import type { PlantedIncident } from './manifest.ts';
import type { Device, Employee, People, Person } from './people.ts';
import { DAY_MS, HOUR_MS, MIN_MS, dayOf, type Timeline } from './timeline.ts';
import { type WebhookEvent } from './webhooks.ts';
import { isoSeconds as iso } from '../zoom-simulator/org.ts';

/*
 * The planted incidents: at least one for every scheduled detection (queries/detections), every realtime check and
 * every post-meeting correlation, each written into the same meetings, logs and webhooks the benign traffic uses, and
 * each labelled for the manifest with the detection it should raise and the entities that identify it.
 */

/** What the incidents add besides meetings. */
export interface PlantedExtras {
  readonly activities: SimActivity[];
  readonly operationLogs: SimOperationLog[];
  readonly events: WebhookEvent[];
  readonly dataAccess: { principal: string; event_time: string; object_key: string }[];
  /** Users whose account role the incidents changed (Zoom user id -> role id). */
  readonly roles: Map<string, '0' | '1' | '2'>;
  /** Users whose client version the incidents changed (email -> version), for their sign-ins too. */
  readonly versions: Map<string, string>;
  readonly incidents: PlantedIncident[];
}

/** What planting needs. */
export interface PlantContext {
  readonly seed: number;
  readonly people: People;
  readonly t: Timeline;
  readonly meetings: MeetingPlan[];
  readonly factory: MeetingFactory;
  readonly sessions: SessionBuilder;
  readonly accountId: string;
  /** Whether a topic matches a sensitive-meeting pattern of the config. */
  readonly sensitive: (topic: string) => boolean;
}

export const OUTDATED_VERSION = '5.17.11 (31580)';

/** Plants every incident into the scenario; returns what they add besides meetings (which go into `ctx.meetings`). */
export function plantIncidents(ctx: PlantContext): PlantedExtras {
  const { people, t, meetings, factory, sessions } = ctx;
  const rng = new Prng(ctx.seed, 'scenario-incidents');
  const E = t.end;
  const minute = (ms: number) => Math.floor(ms / MIN_MS) * MIN_MS;
  const before = (h: number, m = 0) => minute(E - h * HOUR_MS - m * MIN_MS);
  const out: PlantedExtras = { activities: [], operationLogs: [], events: [], dataAccess: [], roles: new Map(), versions: new Map(), incidents: [] };
  const { ceo, cfo, counsel, cto, vpSales } = people.execs;
  const [adminA, adminB] = people.admins;
  const watched = new Set(people.watched);
  const used = new Set<string>();
  const baselineEnd = E - 30 * HOUR_MS;
  const baselineJoins = (e: Employee, id?: number) => new Set(meetings
    .filter((m) => m.start < baselineEnd && (id === undefined || m.id === id) && m.sessions.some((s) => s.person === e && s.zoomUserId !== ''))
    .map((m) => m.uuid)).size;
  /** Ordinary staff who work through the whole scenario and have at least three meetings before the last day. */
  const eligible = (filter: (e: Employee) => boolean = () => true, reuse = false) => people.employees.filter((e) =>
    e.status === 'active' && e.roleId === '2' && e.activeFrom === undefined && e.lastDay === undefined && e.travel === undefined && e.vpn === undefined
    && !watched.has(e.email) && !Object.values(people.execs).includes(e) && (reuse || !used.has(e.email)) && filter(e) && baselineJoins(e) >= 3);
  /** Someone for an incident: not in an earlier one while the company is big enough, else anyone who fits. */
  const pick = (filter?: (e: Employee) => boolean): Employee => {
    const pools = [eligible(filter), eligible(), eligible(filter, true), eligible(undefined, true)];
    const chosen = rng.pick(pools.find((p) => p.length > 0) ?? people.employees.filter((e) => e.status === 'active'));
    used.add(chosen.email);
    return chosen;
  };
  const plant = (topic: string, host: Employee, start: number, minutes: number, attendees: readonly Person[], id = factory.newId(), type: 2 | 4 | 8 = 2): MeetingPlan => {
    const m = factory.meeting({ id, type, topic, kind: 'planted', host, start });
    sessions.attend(m, attendees, minutes);
    m.fixed = true;
    meetings.push(m);
    return m;
  };
  const incident = (i: PlantedIncident) => out.incidents.push(i);
  const outsider = (domain: string | '', where: { ip: string; location: string }, dev: Partial<Device> = {}): Person => {
    const n = people.outsiderName();
    return {
      kind: domain === '' ? 'guest' : 'external', name: `${n.first} ${n.last}`, email: domain === '' ? '' : `${n.first.toLowerCase()}.${n.last.toLowerCase()}@${domain}`,
      userId: '', home: where, version: '6.2.5 (45640)',
      device: { family: 'Windows', os: 'Windows', osVersion: '10.0.19045', client: 'Windows', pcName: '', macAddr: '', harddiskId: '', ...dev },
    };
  };
  const guestNamed = (name: string, where: { ip: string; location: string }): Person => ({ ...outsider('', where), name });
  /** The meeting's instance in the last day, or a planted one with the usual crew when the series has none there. */
  const lastDayInstance = (id: number, make: () => MeetingPlan): MeetingPlan =>
    meetings.find((m) => m.id === id && m.start >= E - 22 * HOUR_MS && m.end <= E - HOUR_MS && !m.fixed) ?? make();
  const teamOf = (e: Employee) => people.teams.find((tm) => tm.members.includes(e) || tm.lead === e);
  const colleagues = (e: Employee, n: number) => eligible((x) => x !== e).slice(0, 40).filter((_, i) => i % 3 === 0).slice(0, n);

  // 1. A sign-in from a foreign IP while the user sits in a meeting from home (stolen credentials).
  {
    const victim = pick();
    const host = pick();
    const m = plant('Sprint review', host, before(6), 50, [victim, ...colleagues(victim, 2)]);
    const at = m.start + 22 * MIN_MS;
    const ip = '185.220.101.34';
    out.activities.push({ email: victim.email, time: iso(at), type: 'Sign in', ip_address: ip, client_type: 'Browser' });
    incident({ id: 'sign-in-during-meeting', detection: 'zoom.activity.parallel_session_ip', paths: ['scheduled'], time: iso(at),
      summary: `${victim.email} signs in from ${ip} while in "${m.topic}" from home`, match: { user_email: victim.email, ip_address: ip }, related: [victim.email, ip, m.uuid] });
  }

  // 2. Someone with a forwarded link joins a registration-only meeting without registering.
  {
    const host = pick((e) => e.dept === 'Product' || e.dept === 'Marketing');
    const m = plant('Product roadmap preview', host, before(8), 50, []);
    const registrants = people.customers.slice(0, 3).map((c) => c.contacts[0]!);
    registrants.forEach((p, i) => m.sessions.push(sessions.session(m, p, m.start + (i + 1) * MIN_MS, m.start + 50 * MIN_MS, { registrantId: rng.chars(22, '-_') })));
    const leaker = people.stranger('candidate');
    const join = m.start + 9 * MIN_MS;
    m.sessions.push(sessions.session(m, leaker, join, m.start + 40 * MIN_MS));
    incident({ id: 'unregistered-join', detection: 'zoom.meeting.direct_link_access', paths: ['scheduled'], time: iso(join),
      summary: `${leaker.email} joins "${m.topic}" (registration required) through the plain join link`, match: { user_email: leaker.email, meeting_uuid: m.uuid },
      related: [leaker.email, m.uuid] });
  }

  // 3-4. A compromised admin account promotes a user to Admin and turns two-factor sign-in off.
  if (adminA) {
    const promoted = pick();
    const at = before(5, 30);
    out.operationLogs.push({ time: iso(at), operator: adminA.email, category_type: 'User', action: 'Update', operation_detail: `Update User ${promoted.email}  - User Role: from Member to Admin` });
    out.events.push({ at, event: 'user.updated', payload: { account_id: ctx.accountId, operator: adminA.email, operator_id: adminA.userId, object: { id: promoted.userId, role_name: 'Admin' }, old_object: { id: promoted.userId, role_name: 'Member' } } });
    out.roles.set(promoted.userId, '1');
    incident({ id: 'admin-role-granted', detection: 'zoom.operation.privileged_role_granted', paths: ['scheduled'], time: iso(at),
      summary: `${adminA.email} raises ${promoted.email} from Member to Admin`, match: { user_email: promoted.email }, related: [promoted.email, adminA.email] });
    const off = before(5, 20);
    out.operationLogs.push({ time: iso(off), operator: adminA.email, category_type: 'Account', action: 'Update', operation_detail: 'Security  - Sign in with Two-Factor Authentication: from On to Off' });
    incident({ id: 'two-factor-off', detection: 'zoom.operation.security_setting_weakened', paths: ['scheduled'], time: iso(off),
      summary: `${adminA.email} turns two-factor sign-in off for the account (operation log)`, match: { operator: adminA.email }, related: [adminA.email] });
  }

  // 5. Another admin switches the waiting room off account-wide (webhook: realtime, and the scheduled detection).
  if (adminB) {
    const at = before(3, 15);
    out.events.push({ at, event: 'account.settings_updated', payload: {
      account_id: ctx.accountId, operator: adminB.email, operator_id: adminB.userId, time_stamp: at,
      object: { id: ctx.accountId, settings: { in_meeting: { waiting_room: false } } }, old_object: { id: ctx.accountId, settings: { in_meeting: { waiting_room: true } } },
    } });
    incident({ id: 'waiting-room-off', detection: 'zoom.operation.security_setting_weakened', paths: ['realtime', 'scheduled'], time: iso(at),
      summary: `${adminB.email} turns the waiting room off for every meeting (account.settings_updated)`, match: { operator: adminB.email }, related: [adminB.email] });
  }

  // 6. A guest checks which links work: three stays of a minute or two in other people's meetings.
  {
    const where = { ip: '45.83.64.21', location: 'Amsterdam (NL)' };
    const recon = guestNamed((() => { const n = people.outsiderName(); return `${n.first} ${n.last}`; })(), where);
    const targets = meetings.filter((m) => !m.fixed && m.start >= E - 6 * DAY_MS && m.end <= E - 2 * HOUR_MS && m.end - m.start >= 20 * MIN_MS
      && !watched.has(m.host.email) && !ctx.sensitive(m.topic) && (m.kind === 'weekly' || m.kind === 'customer' || m.kind === 'standup'));
    const chosen = rng.sample(targets, 3).sort((a, b) => a.start - b.start);
    for (const m of chosen) {
      const join = m.start + 6 * MIN_MS;
      m.sessions.push(sessions.session(m, recon, join, join + rng.int(70, 200) * 1000));
    }
    if (chosen.length > 0) {
      incident({ id: 'brief-join-recon', detection: 'zoom.participant.brief_join_recon', paths: ['scheduled'], time: iso(chosen[chosen.length - 1]!.start + 6 * MIN_MS),
        summary: `guest "${recon.name}" stays 1-3 minutes in ${chosen.length} meetings (${chosen.map((m) => m.topic).join(', ')})`, match: { user_name: recon.name },
        related: [recon.name, where.ip] });
    }
  }

  // 7. An outside adviser sits in two merger meetings within a week.
  {
    const adviser = outsider('harbor-advisory.com', { ip: '145.40.68.19', location: 'Amsterdam (NL)' }, { family: 'Mac', os: 'Mac', osVersion: '14.5', client: 'Mac' });
    const a = plant('Project Falcon merger - diligence', counsel, minute(dayOf(E - 5 * DAY_MS) + 15 * HOUR_MS), 50, [cfo, adviser]);
    const b = plant('Project Falcon merger - term sheet', counsel, before(50), 45, [cfo, adviser]);
    // The second meeting may fall inside the webhook window, where the realtime check sees the join first.
    const live = b.sessions.some((s) => s.person === adviser && s.join >= t.liveFrom);
    incident({ id: 'adviser-in-merger-meetings', detection: 'zoom.participant.external_in_sensitive_meeting', paths: live ? ['realtime', 'scheduled'] : ['scheduled'], time: iso(b.start),
      summary: `${adviser.email} attends two "Project Falcon merger" meetings`, match: { user_email: adviser.email }, related: [adviser.email, a.uuid, b.uuid] });
  }

  // 8. An anonymous guest in the CEO's board meeting (realtime, and the scheduled detection).
  {
    const m = plant('Board prep - Q4 forecast', ceo, before(4), 50, [cfo, counsel, cto]);
    m.recorded = true;
    const guest = guestNamed('Guest 4471', { ip: '196.52.43.12', location: 'Johannesburg (ZA)' });
    const join = m.start + 12 * MIN_MS;
    m.sessions.push(sessions.session(m, guest, join, m.start + 50 * MIN_MS));
    incident({ id: 'guest-in-board-meeting', detection: 'zoom.participant.external_in_sensitive_meeting', paths: ['realtime', 'scheduled'], time: iso(join),
      summary: `unauthenticated guest "${guest.name}" joins "${m.topic}" hosted by the CEO`, match: { user_name: guest.name }, related: [guest.name, m.uuid, guest.home.ip] });
  }

  // 9. A guest named one letter away from the CEO joins a payment meeting.
  {
    const host = pick();
    const m = plant('Vendor payment review', host, before(7), 45, colleagues(host, 2));
    const fake = `${ceo.first} ${ceo.last.slice(0, -1)}y`;
    const join = m.start + 7 * MIN_MS;
    m.sessions.push(sessions.session(m, guestNamed(fake, { ip: '37.120.193.5', location: 'Bucharest (RO)' }), join, m.start + 45 * MIN_MS));
    incident({ id: 'ceo-impersonation', detection: 'zoom.participant.guest_impersonates_internal', paths: ['realtime', 'scheduled'], time: iso(join),
      summary: `guest "${fake}" (one letter from ${ceo.name}, a watched user) joins "${m.topic}"`, match: { user_name: fake, meeting_uuid: m.uuid },
      related: [fake, m.uuid, '37.120.193.5'] });
  }

  // 10. The same account joins from New York and, 40 minutes later, from Lagos.
  {
    const victim = pick((e) => e.home.location.endsWith('(US)'));
    const first = plant('Pricing sync', pick(), before(10), 45, [victim]);
    const second = plant('Quarterly roadmap sync', pick(), first.end + 40 * MIN_MS, 30, colleagues(victim, 1));
    const where = { ip: '102.89.34.7', location: 'Lagos (NG)' };
    const join = second.start + 2 * MIN_MS;
    second.sessions.push(sessions.session(second, victim, join, second.start + 30 * MIN_MS, { place: where }));
    incident({ id: 'impossible-travel', detection: 'zoom.participant.impossible_travel', paths: ['scheduled'], time: iso(join),
      summary: `${victim.email} leaves a meeting in ${victim.home.location} and joins another from ${where.location} 40 minutes later`,
      // Only the user: the alert names the latest join of the day's country changes, which may be the flight "home".
      match: { user_email: victim.email }, related: [victim.email, where.ip, first.uuid, second.uuid] });
  }

  // 11. The leaver, deactivated this week, joins the old team's standup with the work email.
  const leaver = people.leavers.find((l) => l !== people.lateLeaver && (l.deactivatedAt ?? 0) >= t.liveFrom);
  const leaverTeam = leaver ? teamOf(leaver) : undefined;
  if (leaver && leaverTeam?.standupId !== undefined) {
    const standupId = leaverTeam.standupId;
    const m = lastDayInstance(standupId, () => plant(`${leaverTeam.name} standup`, leaverTeam.lead, before(5), 15, leaverTeam.members.filter((x) => x.lastDay === undefined), standupId, 8));
    const join = m.start + 3 * MIN_MS;
    m.sessions.push(sessions.session(m, leaver, join, m.end, { zoomUserId: '' }));
    incident({ id: 'leaver-joins', detection: 'zoom.participant.join_after_deactivation', paths: ['realtime', 'scheduled'], time: iso(join),
      summary: `${leaver.email}, deactivated ${iso(leaver.deactivatedAt ?? 0)}, joins "${m.topic}"`, match: { user_email: leaver.email, meeting_uuid: m.uuid },
      related: [leaver.email, leaver.name, m.uuid] });
  }

  // 12. A public link: 18 strangers from 18 IPs pour into a community call within one minute.
  {
    const host = pick((e) => e.dept === 'Marketing');
    const m = plant('Community AMA', host, before(11), 45, colleagues(host, 2));
    const burst = m.start + 15 * MIN_MS;
    for (let i = 0; i < 18; i++) {
      const raider = guestNamed(`Raider ${String(i + 1).padStart(2, '0')}`, { ip: `5.188.${10 + i}.${rng.int(2, 254)}`, location: 'Moscow (RU)' });
      const join = burst + i * 2_000;
      m.sessions.push(sessions.session(m, raider, join, join + rng.int(120, 240) * 1000));
    }
    incident({ id: 'zoombombing', detection: 'zoom.participant.join_burst_many_ips', paths: ['realtime', 'scheduled'], time: iso(burst),
      summary: `18 guests from 18 IPs join "${m.topic}" within 40 seconds`, match: { meeting_uuid: m.uuid }, related: [m.uuid] });
  }

  // 13. A laptop never updated: every join yesterday runs a client older than the minimum.
  {
    const yesterday = dayOf(E) - DAY_MS;
    const joinedYesterday = (e: Employee) => meetings.some((m) => m.sessions.some((s) => s.person === e && s.zoomUserId !== '' && dayOf(s.join) === yesterday));
    const stale = pick(joinedYesterday);
    if (!joinedYesterday(stale)) plant('Ops handover', pick(), yesterday + 12 * HOUR_MS, 30, [stale]);
    for (const m of meetings) for (const s of m.sessions) if (s.person === stale) s.version = OUTDATED_VERSION;
    incident({ id: 'outdated-client', detection: 'zoom.participant.outdated_client', paths: ['scheduled'], time: iso(yesterday + 12 * HOUR_MS),
      summary: `${stale.email} joins meetings with Zoom ${OUTDATED_VERSION}, older than the 6.0.0 minimum`, match: { user_email: stale.email }, related: [stale.email] });
    out.versions.set(stale.email, OUTDATED_VERSION);
  }

  // 14. A note-taker bot nobody approved sits silently in more than twenty meetings of many hosts and series
  // (zoom.participant.silent_presence asks for breadth: its min_meetings, min_hosts and min_series).
  {
    const bot = guestNamed('Fireflies.ai Notetaker', { ip: '34.123.45.67', location: 'Council Bluffs (US)' });
    // Not the last day's meetings: later incidents rework some of their sessions (an unfamiliar IP at a standup).
    const pool = meetings.filter((m) => !m.fixed && m.start >= E - 29 * DAY_MS && m.end <= E - DAY_MS && !watched.has(m.host.email) && !ctx.sensitive(m.topic)
      && (m.kind === 'weekly' || m.kind === 'standup' || m.kind === 'one_on_one' || m.kind === 'interview' || m.kind === 'partner'));
    // Round robin over hosts, then over each host's series, so the bot spreads as widely as the calendar allows.
    const byHost = new Map<string, MeetingPlan[]>();
    for (const m of pool) byHost.set(m.host.email, [...(byHost.get(m.host.email) ?? []), m]);
    const hosts = [...byHost.values()].map((ms) => ms.sort((x, y) => x.start - y.start || x.id - y.id))
      .sort((x, y) => y.length - x.length || x[0]!.host.email.localeCompare(y[0]!.host.email));
    const chosen: MeetingPlan[] = [];
    for (let round = 0; chosen.length < 24 && round < 40; round++) {
      for (const ms of hosts) if (ms[round] && chosen.length < 24) chosen.push(ms[round]!);
    }
    // The bot comes in once the host has started the meeting (it never makes a meeting look joined-before-host).
    for (const m of chosen) m.sessions.push(sessions.session(m, bot, Math.min(hostJoin(m) + MIN_MS, m.end), m.end));
    incident({ id: 'silent-notetaker', detection: 'zoom.participant.silent_presence', paths: ['scheduled'], time: iso(Math.max(...chosen.map((m) => m.start))),
      summary: `"${bot.name}" sits in ${chosen.length} meetings of ${new Set(chosen.map((m) => m.id)).size} series and ${new Set(chosen.map((m) => m.host.email)).size} hosts and never shares`, match: { user_name: bot.name },
      related: [bot.name, bot.home.ip] });
  }

  // 15. Someone holding a developer's session joins their daily standup from an unfamiliar IP.
  {
    const standups = people.teams.filter((tm) => tm.standupId !== undefined && tm !== leaverTeam);
    const member = pick((e) => standups.some((tm) => tm.members.includes(e) && baselineJoins(e, tm.standupId) >= 3));
    const team = standups.find((tm) => tm.members.includes(member)) ?? teamOf(member);
    const standupId = team?.standupId ?? team?.weeklyId ?? factory.newId();
    const m = lastDayInstance(standupId, () => plant(`${team?.name ?? 'Team'} standup`, team?.lead ?? pick(), before(4), 15, (team?.members ?? []).filter((x) => x !== member && x.lastDay === undefined), standupId, 8));
    m.sessions = m.sessions.filter((s) => s.person !== member);
    const where = { ip: '45.146.164.110', location: member.home.location };
    const join = m.start + 2 * MIN_MS;
    m.sessions.push(sessions.session(m, member, join, m.end, { place: where }));
    incident({ id: 'unfamiliar-ip-standup', detection: 'zoom.participant.unexpected_ip_recurring_meeting', paths: ['scheduled'], time: iso(join),
      summary: `${member.email} joins "${m.topic}" from ${where.ip}, never used for it before`, match: { user_email: member.email, meeting_id: String(standupId) },
      related: [member.email, where.ip] });
  }

  // 16-17. The CEO's pipeline review: a staff member on an unknown machine, and an unknown outsider left waiting.
  {
    const x = pick((e) => e.dept === 'Sales' || e.dept === 'Finance' || e.dept === 'Product');
    const m = plant('Pipeline review', ceo, before(3), 45, [vpSales, cfo]);
    const machine: Device = { family: 'Windows', os: 'Windows', osVersion: '10.0.19045', client: 'Windows', pcName: 'DESKTOP-7QK2M1Z', macAddr: '3c:7c:3f:1a:9e:02', harddiskId: 'S4EVNF0M812345' };
    const join = m.start + 3 * MIN_MS;
    m.sessions.push(sessions.session(m, x, join, m.start + 45 * MIN_MS, { device: machine }));
    incident({ id: 'unknown-device-ceo-meeting', detection: 'zoom.participant.unknown_device_watched_meeting', paths: ['scheduled'], time: iso(join),
      summary: `${x.email} joins the CEO's "${m.topic}" from ${machine.pcName}, a machine never seen for them`, match: { user_email: x.email, device: machine.pcName },
      related: [x.email, machine.pcName, m.uuid] });
    const stranger = outsider('quantum-leap.io', { ip: '89.248.165.52', location: 'Riga (LV)' });
    const wait = m.start + 2 * MIN_MS;
    m.sessions.push(sessions.session(m, stranger, wait, wait + 11 * MIN_MS, { waitingRoomOnly: true }));
    incident({ id: 'stranger-waiting-for-ceo', detection: 'zoom.participant.waiting_room_unknown_external', paths: ['realtime'], time: iso(wait),
      summary: `${stranger.email}, unknown to the account, waits to be admitted to the CEO's "${m.topic}"`, match: { user_email: stranger.email },
      related: [stranger.email, m.uuid] });
  }

  // 18. A sales rep trashes the recording of a customer call three hours after it.
  {
    const host = pick((e) => e.dept === 'Sales');
    const customer = people.customers[1] ?? people.customers[0]!;
    const m = plant(`Customer call - ${customer.name} renewal`, host, before(9), 45, customer.contacts.slice(0, 2));
    m.recorded = true;
    m.deletion = { at: before(6), operator: host, event: 'recording.trashed' };
    incident({ id: 'recording-trashed-after-customer-call', detection: 'zoom.recording.deleted_after_external_meeting', paths: ['realtime', 'scheduled'], time: iso(m.deletion.at),
      summary: `${host.email} trashes the recording of "${m.topic}" (external participants) 3 hours after it ended`, match: { meeting_uuid: m.uuid },
      related: [m.uuid] });
  }

  // 19. The compromised admin trashes twelve old recordings in one batch.
  if (adminA) {
    // Meetings that ended over a day before, internal ones first (a small company has few), unrecorded ones first.
    const internal = (m: MeetingPlan) => m.sessions.every((s) => s.zoomUserId !== '');
    const old = meetings.filter((m) => !m.fixed && m.end < E - 30 * HOUR_MS && m.inApi)
      .sort((a, b) => Number(internal(b)) - Number(internal(a)) || Number(a.recorded) - Number(b.recorded) || b.start - a.start).slice(0, 12);
    const at = before(4, 30);
    old.forEach((m, i) => {
      m.recorded = true;
      m.fixed = true;
      m.deletion = { at: at + i * 15_000, operator: adminA, event: 'recording.trashed', batch: true };
    });
    out.events.push({ at, event: 'recording.batch_trashed', payload: { account_id: ctx.accountId, operator: adminA.email, operator_id: adminA.userId, object: { meeting_uuids: old.map((m) => m.uuid) } } });
    incident({ id: 'bulk-recording-deletion', detection: 'zoom.recording.deleted_after_external_meeting', paths: ['realtime', 'scheduled'], time: iso(at),
      summary: `${adminA.email} trashes ${old.length} recordings within minutes (recording.batch_trashed)`, match: { operator: adminA.email }, related: [adminA.email] });
  }

  // 20-21. Someone outside the CFO's earnings meeting downloads its recording; the CFO later deletes it.
  {
    const finance = people.teams.filter((tm) => tm.dept === 'Finance').flatMap((tm) => [tm.lead, ...tm.members]).filter((e) => e.lastDay === undefined && e.activeFrom === undefined).slice(0, 3);
    const m = plant('Q3 earnings prep', cfo, before(12), 50, finance.length > 0 ? finance : [counsel]);
    m.recorded = true;
    const clerk = pick((e) => e.dept === 'Legal' || e.dept === 'People' || e.dept === 'Support');
    const at = before(10);
    m.downloads.push({ at, operator: clerk.email });
    incident({ id: 'recording-downloaded-by-outsider', detection: 'zoom.recording.download_by_non_participant', paths: ['correlation', 'scheduled'], time: iso(at),
      summary: `${clerk.email}, not in "${m.topic}", downloads its cloud recording`, match: { operator: clerk.email, meeting_id: String(m.id) },
      related: [clerk.email, m.uuid] });
    m.deletion = { at: before(2), operator: cfo, event: 'recording.deleted' };
    incident({ id: 'sensitive-recording-deleted', detection: 'zoom.recording.deleted', paths: ['realtime'], time: iso(m.deletion.at),
      summary: `${cfo.email} deletes the recording of "${m.topic}" (a sensitive topic)`, match: { meeting_uuid: m.uuid }, related: [m.uuid] });
  }

  // 22. After a customer call, its host opens the pricing files (data-access feed, within 30 minutes).
  {
    const host = pick((e) => e.dept === 'Sales');
    const customer = people.customers[0]!;
    const m = plant(`Customer call - ${customer.name} renewal`, host, before(5), 45, customer.contacts.slice(0, 2));
    const at = m.end + 12 * MIN_MS;
    out.dataAccess.push({ principal: `arn:aws:sts::111122223333:assumed-role/Staff/${host.email}`, event_time: iso(at), object_key: 's3://finance-reports/pricing/2026-discount-matrix.xlsx' });
    incident({ id: 'host-data-access-after-customer-call', detection: 'zoom.correlation.host_data_access_after_external_meeting', paths: ['correlation'], time: iso(at),
      summary: `${host.email} reads the discount matrix 12 minutes after "${m.topic}" with ${customer.name}`, match: { host_email: host.email, meeting_uuid: m.uuid },
      related: [m.uuid] });
  }

  // 23. A meeting whose participant report Zoom never produces (it ended, but the report API keeps saying "does not exist").
  {
    const host = pick();
    const m = plant('Partner escalation', host, before(2, 10), 35, colleagues(host, 1));
    m.inApi = false;
    incident({ id: 'report-never-ready', detection: 'zoom.correlation.participants_unavailable', paths: ['correlation'], time: iso(m.end),
      summary: `"${m.topic}" ended but Zoom's participant report never became ready`, match: { meeting_uuid: m.uuid }, related: [m.uuid] });
  }

  return out;
}
