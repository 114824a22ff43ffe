import { hostJoin, type MeetingPlan } from '../calendar.ts';
import type { Device } from '../people.ts';
import { DAY_MS, HOUR_MS, MIN_MS, dayOf } from '../timeline.ts';
import { isoSeconds as iso } from '../../zoom-simulator/org.ts';
import type { PlantKit } from './kit.ts';

/*
 * Incidents of outsiders in meetings: a forwarded registration link, a guest probing links, an adviser in merger
 * meetings, a guest in the board meeting, a guest named like the CEO, a zoombombing burst, a silent note-taker bot
 * and the CEO's pipeline review (an unknown machine, a stranger left waiting).
 */

/** 2. Someone with a forwarded link joins a registration-only meeting without registering. */
export function unregisteredJoin(k: PlantKit): void {
  const { people, sessions, rng, before, pick, plant, incident } = k;
  const host = pick((e) => e.dept === 'Product' || e.dept === 'Marketing');
  const m = plant('Product roadmap preview', host, before(8), 50, []);
  const registrants = people.customers.slice(0, 3).map((c) => c.contacts[0]!);
  registrants.forEach((p, i) =>
    m.sessions.push(sessions.session(m, p, m.start + (i + 1) * MIN_MS, m.start + 50 * MIN_MS, { registrantId: rng.chars(22, '-_') })),
  );
  const leaker = people.stranger('candidate');
  const join = m.start + 9 * MIN_MS;
  m.sessions.push(sessions.session(m, leaker, join, m.start + 40 * MIN_MS));
  incident({
    id: 'unregistered-join',
    detection: 'zoom.meeting.direct_link_access',
    paths: ['scheduled'],
    time: iso(join),
    summary: `${leaker.email} joins "${m.topic}" (registration required) through the plain join link`,
    match: { user_email: leaker.email, meeting_uuid: m.uuid },
    related: [leaker.email, m.uuid],
  });
}

/** 6. A guest checks which links work: three stays of a minute or two in other people's meetings. */
export function briefJoinRecon(k: PlantKit): void {
  const { people, meetings, sessions, rng, E, watched, incident, guestNamed, sensitive } = k;
  const where = { ip: '45.83.64.21', location: 'Amsterdam (NL)' };
  const recon = guestNamed(
    (() => {
      const n = people.outsiderName();
      return `${n.first} ${n.last}`;
    })(),
    where,
  );
  const targets = meetings.filter(
    (m) =>
      !m.fixed &&
      m.start >= E - 6 * DAY_MS &&
      m.end <= E - 2 * HOUR_MS &&
      m.end - m.start >= 20 * MIN_MS &&
      !watched.has(m.host.email) &&
      !sensitive(m.topic) &&
      (m.kind === 'weekly' || m.kind === 'customer' || m.kind === 'standup'),
  );
  const chosen = rng.sample(targets, 3).sort((a, b) => a.start - b.start);
  for (const m of chosen) {
    const join = m.start + 6 * MIN_MS;
    m.sessions.push(sessions.session(m, recon, join, join + rng.int(70, 200) * 1000));
  }
  if (chosen.length > 0) {
    incident({
      id: 'brief-join-recon',
      detection: 'zoom.participant.brief_join_recon',
      paths: ['scheduled'],
      time: iso(chosen[chosen.length - 1]!.start + 6 * MIN_MS),
      summary: `guest "${recon.name}" stays 1-3 minutes in ${chosen.length} meetings (${chosen.map((m) => m.topic).join(', ')})`,
      match: { user_name: recon.name },
      related: [recon.name, where.ip],
    });
  }
}

/** 7. An outside adviser sits in two merger meetings within a week. */
export function adviserInMergerMeetings(k: PlantKit): void {
  const { t, E, minute, before, plant, incident, outsider } = k;
  const { cfo, counsel } = k.people.execs;
  const adviser = outsider(
    'harbor-advisory.com',
    { ip: '145.40.68.19', location: 'Amsterdam (NL)' },
    { family: 'Mac', os: 'Mac', osVersion: '14.5', client: 'Mac' },
  );
  const a = plant('Project Falcon merger - diligence', counsel, minute(dayOf(E - 5 * DAY_MS) + 15 * HOUR_MS), 50, [cfo, adviser]);
  const b = plant('Project Falcon merger - term sheet', counsel, before(50), 45, [cfo, adviser]);
  // The second meeting may fall inside the webhook window, where the realtime check sees the join first.
  const live = b.sessions.some((s) => s.person === adviser && s.join >= t.liveFrom);
  incident({
    id: 'adviser-in-merger-meetings',
    detection: 'zoom.participant.external_in_sensitive_meeting',
    paths: live ? ['realtime', 'scheduled'] : ['scheduled'],
    time: iso(b.start),
    summary: `${adviser.email} attends two "Project Falcon merger" meetings`,
    match: { user_email: adviser.email },
    related: [adviser.email, a.uuid, b.uuid],
  });
}

/** 8. An anonymous guest in the CEO's board meeting (realtime, and the scheduled detection). */
export function guestInBoardMeeting(k: PlantKit): void {
  const { sessions, before, plant, incident, guestNamed } = k;
  const { ceo, cfo, counsel, cto } = k.people.execs;
  const m = plant('Board prep - Q4 forecast', ceo, before(4), 50, [cfo, counsel, cto]);
  m.recorded = true;
  const guest = guestNamed('Guest 4471', { ip: '196.52.43.12', location: 'Johannesburg (ZA)' });
  const join = m.start + 12 * MIN_MS;
  m.sessions.push(sessions.session(m, guest, join, m.start + 50 * MIN_MS));
  incident({
    id: 'guest-in-board-meeting',
    detection: 'zoom.participant.external_in_sensitive_meeting',
    paths: ['realtime', 'scheduled'],
    time: iso(join),
    summary: `unauthenticated guest "${guest.name}" joins "${m.topic}" hosted by the CEO`,
    match: { user_name: guest.name },
    related: [guest.name, m.uuid, guest.home.ip],
  });
}

/** 9. A guest named one letter away from the CEO joins a payment meeting. */
export function ceoImpersonation(k: PlantKit): void {
  const { sessions, before, pick, plant, incident, guestNamed, colleagues } = k;
  const { ceo } = k.people.execs;
  const host = pick();
  const m = plant('Vendor payment review', host, before(7), 45, colleagues(host, 2));
  const fake = `${ceo.first} ${ceo.last.slice(0, -1)}y`;
  const join = m.start + 7 * MIN_MS;
  m.sessions.push(sessions.session(m, guestNamed(fake, { ip: '37.120.193.5', location: 'Bucharest (RO)' }), join, m.start + 45 * MIN_MS));
  incident({
    id: 'ceo-impersonation',
    detection: 'zoom.participant.guest_impersonates_internal',
    paths: ['realtime', 'scheduled'],
    time: iso(join),
    summary: `guest "${fake}" (one letter from ${ceo.name}, a watched user) joins "${m.topic}"`,
    match: { user_name: fake, meeting_uuid: m.uuid },
    related: [fake, m.uuid, '37.120.193.5'],
  });
}

/** 12. A public link: 18 strangers from 18 IPs pour into a community call within one minute. */
export function zoombombing(k: PlantKit): void {
  const { sessions, rng, before, pick, plant, incident, guestNamed, colleagues } = k;
  const host = pick((e) => e.dept === 'Marketing');
  const m = plant('Community AMA', host, before(11), 45, colleagues(host, 2));
  const burst = m.start + 15 * MIN_MS;
  for (let i = 0; i < 18; i++) {
    const raider = guestNamed(`Raider ${String(i + 1).padStart(2, '0')}`, { ip: `5.188.${10 + i}.${rng.int(2, 254)}`, location: 'Moscow (RU)' });
    const join = burst + i * 2_000;
    m.sessions.push(sessions.session(m, raider, join, join + rng.int(120, 240) * 1000));
  }
  incident({
    id: 'zoombombing',
    detection: 'zoom.participant.join_burst_many_ips',
    paths: ['realtime', 'scheduled'],
    time: iso(burst),
    summary: `18 guests from 18 IPs join "${m.topic}" within 40 seconds`,
    match: { meeting_uuid: m.uuid },
    related: [m.uuid],
  });
}

/**
 * 14. A note-taker bot nobody approved sits silently in more than twenty meetings of many hosts and series
 * (zoom.participant.silent_presence asks for breadth: its min_meetings, min_hosts and min_series).
 */
export function silentNotetaker(k: PlantKit): void {
  const { meetings, sessions, E, watched, incident, guestNamed, sensitive } = k;
  const bot = guestNamed('Fireflies.ai Notetaker', { ip: '34.123.45.67', location: 'Council Bluffs (US)' });
  // Not the last day's meetings: later incidents rework some of their sessions (an unfamiliar IP at a standup).
  const pool = meetings.filter(
    (m) =>
      !m.fixed &&
      m.start >= E - 29 * DAY_MS &&
      m.end <= E - DAY_MS &&
      !watched.has(m.host.email) &&
      !sensitive(m.topic) &&
      (m.kind === 'weekly' || m.kind === 'standup' || m.kind === 'one_on_one' || m.kind === 'interview' || m.kind === 'partner'),
  );
  // Round robin over hosts, then over each host's series, so the bot spreads as widely as the calendar allows.
  const byHost = new Map<string, MeetingPlan[]>();
  for (const m of pool) byHost.set(m.host.email, [...(byHost.get(m.host.email) ?? []), m]);
  const hosts = [...byHost.values()]
    .map((ms) => ms.sort((x, y) => x.start - y.start || x.id - y.id))
    .sort((x, y) => y.length - x.length || x[0]!.host.email.localeCompare(y[0]!.host.email));
  const chosen: MeetingPlan[] = [];
  for (let round = 0; chosen.length < 24 && round < 40; round++) {
    for (const ms of hosts) if (ms[round] && chosen.length < 24) chosen.push(ms[round]!);
  }
  // The bot comes in once the host has started the meeting (it never makes a meeting look joined-before-host).
  for (const m of chosen) m.sessions.push(sessions.session(m, bot, Math.min(hostJoin(m) + MIN_MS, m.end), m.end));
  incident({
    id: 'silent-notetaker',
    detection: 'zoom.participant.silent_presence',
    paths: ['scheduled'],
    time: iso(Math.max(...chosen.map((m) => m.start))),
    summary: `"${bot.name}" sits in ${chosen.length} meetings of ${new Set(chosen.map((m) => m.id)).size} series and ${new Set(chosen.map((m) => m.host.email)).size} hosts and never shares`,
    match: { user_name: bot.name },
    related: [bot.name, bot.home.ip],
  });
}

/** 16-17. The CEO's pipeline review: a staff member on an unknown machine, and an unknown outsider left waiting. */
export function ceoPipelineReview(k: PlantKit): void {
  const { sessions, before, pick, plant, incident, outsider } = k;
  const { ceo, cfo, vpSales } = k.people.execs;
  const x = pick((e) => e.dept === 'Sales' || e.dept === 'Finance' || e.dept === 'Product');
  const m = plant('Pipeline review', ceo, before(3), 45, [vpSales, cfo]);
  const machine: Device = {
    family: 'Windows',
    os: 'Windows',
    osVersion: '10.0.19045',
    client: 'Windows',
    pcName: 'DESKTOP-7QK2M1Z',
    macAddr: '3c:7c:3f:1a:9e:02',
    harddiskId: 'S4EVNF0M812345',
  };
  const join = m.start + 3 * MIN_MS;
  m.sessions.push(sessions.session(m, x, join, m.start + 45 * MIN_MS, { device: machine }));
  incident({
    id: 'unknown-device-ceo-meeting',
    detection: 'zoom.participant.unknown_device_watched_meeting',
    paths: ['scheduled'],
    time: iso(join),
    summary: `${x.email} joins the CEO's "${m.topic}" from ${machine.pcName}, a machine never seen for them`,
    match: { user_email: x.email, device: machine.pcName },
    related: [x.email, machine.pcName, m.uuid],
  });
  const stranger = outsider('quantum-leap.io', { ip: '89.248.165.52', location: 'Riga (LV)' });
  const wait = m.start + 2 * MIN_MS;
  m.sessions.push(sessions.session(m, stranger, wait, wait + 11 * MIN_MS, { waitingRoomOnly: true }));
  incident({
    id: 'stranger-waiting-for-ceo',
    detection: 'zoom.participant.waiting_room_unknown_external',
    paths: ['realtime'],
    time: iso(wait),
    summary: `${stranger.email}, unknown to the account, waits to be admitted to the CEO's "${m.topic}"`,
    match: { user_email: stranger.email },
    related: [stranger.email, m.uuid],
  });
}
