import type { Employee, Team } from '../people.ts';
import { DAY_MS, HOUR_MS, MIN_MS, dayOf } from '../timeline.ts';
import { isoSeconds as iso } from '../../zoom-simulator/org.ts';
import type { PlantKit } from './kit.ts';

/*
 * Incidents of the account's own users: impossible travel, a leaver who joins the old standup, an outdated client, a
 * stolen session at a standup.
 */

/** 10. The same account joins from New York and, 40 minutes later, from Lagos. */
export function impossibleTravel(k: PlantKit): void {
  const { sessions, before, pick, plant, incident, colleagues } = k;
  const victim = pick((e) => e.home.location.endsWith('(US)'));
  const first = plant('Pricing sync', pick(), before(10), 45, [victim]);
  const second = plant('Quarterly roadmap sync', pick(), first.end + 40 * MIN_MS, 30, colleagues(victim, 1));
  const where = { ip: '102.89.34.7', location: 'Lagos (NG)' };
  const join = second.start + 2 * MIN_MS;
  second.sessions.push(sessions.session(second, victim, join, second.start + 30 * MIN_MS, { place: where }));
  incident({
    id: 'impossible-travel',
    detection: 'zoom.participant.impossible_travel',
    paths: ['scheduled'],
    time: iso(join),
    summary: `${victim.email} leaves a meeting in ${victim.home.location} and joins another from ${where.location} 40 minutes later`,
    // Only the user: the alert names the latest join of the day's country changes, which may be the flight "home".
    match: { user_email: victim.email },
    related: [victim.email, where.ip, first.uuid, second.uuid],
  });
}

/**
 * 11. The leaver, deactivated this week, joins the old team's standup with the work email. Returns the leaver's team
 * (whose standup incident 15 leaves alone).
 */
export function leaverJoinsStandup(k: PlantKit): Team | undefined {
  const { people, t, sessions, before, plant, incident, lastDayInstance, teamOf } = k;
  const leaver = people.leavers.find((l) => l !== people.lateLeaver && (l.deactivatedAt ?? 0) >= t.liveFrom);
  const leaverTeam = leaver ? teamOf(leaver) : undefined;
  if (!leaver || leaverTeam?.standupId === undefined) return leaverTeam;
  const standupId = leaverTeam.standupId;
  const m = lastDayInstance(standupId, () =>
    plant(
      `${leaverTeam.name} standup`,
      leaverTeam.lead,
      before(5),
      15,
      leaverTeam.members.filter((x) => x.lastDay === undefined),
      standupId,
      8,
    ),
  );
  const join = m.start + 3 * MIN_MS;
  m.sessions.push(sessions.session(m, leaver, join, m.end, { zoomUserId: '' }));
  incident({
    id: 'leaver-joins',
    detection: 'zoom.participant.join_after_deactivation',
    paths: ['realtime', 'scheduled'],
    time: iso(join),
    summary: `${leaver.email}, deactivated ${iso(leaver.deactivatedAt ?? 0)}, joins "${m.topic}"`,
    match: { user_email: leaver.email, meeting_uuid: m.uuid },
    related: [leaver.email, leaver.name, m.uuid],
  });
  return leaverTeam;
}

/** The client version of the laptop never updated (incident 13): older than the configured minimum. */
export const OUTDATED_VERSION = '5.17.11 (31580)';

/** 13. A laptop never updated: every join yesterday runs a client older than the minimum. */
export function outdatedClient(k: PlantKit): void {
  const { meetings, E, out, pick, plant, incident } = k;
  const yesterday = dayOf(E) - DAY_MS;
  const joinedYesterday = (e: Employee) =>
    meetings.some((m) => m.sessions.some((s) => s.person === e && s.zoomUserId !== '' && dayOf(s.join) === yesterday));
  const stale = pick(joinedYesterday);
  if (!joinedYesterday(stale)) plant('Ops handover', pick(), yesterday + 12 * HOUR_MS, 30, [stale]);
  for (const m of meetings) for (const s of m.sessions) if (s.person === stale) s.version = OUTDATED_VERSION;
  incident({
    id: 'outdated-client',
    detection: 'zoom.participant.outdated_client',
    paths: ['scheduled'],
    time: iso(yesterday + 12 * HOUR_MS),
    summary: `${stale.email} joins meetings with Zoom ${OUTDATED_VERSION}, older than the 6.0.0 minimum`,
    match: { user_email: stale.email },
    related: [stale.email],
  });
  out.versions.set(stale.email, OUTDATED_VERSION);
}

/** 15. Someone holding a developer's session joins their daily standup (not the leaver's team's) from an unfamiliar IP. */
export function unfamiliarIpAtStandup(k: PlantKit, leaverTeam: Team | undefined): void {
  const { people, factory, sessions, before, baselineJoins, pick, plant, incident, lastDayInstance, teamOf } = k;
  const standups = people.teams.filter((tm) => tm.standupId !== undefined && tm !== leaverTeam);
  const member = pick((e) => standups.some((tm) => tm.members.includes(e) && baselineJoins(e, tm.standupId) >= 3));
  const team = standups.find((tm) => tm.members.includes(member)) ?? teamOf(member);
  const standupId = team?.standupId ?? team?.weeklyId ?? factory.newId();
  const m = lastDayInstance(standupId, () =>
    plant(
      `${team?.name ?? 'Team'} standup`,
      team?.lead ?? pick(),
      before(4),
      15,
      (team?.members ?? []).filter((x) => x !== member && x.lastDay === undefined),
      standupId,
      8,
    ),
  );
  m.sessions = m.sessions.filter((s) => s.person !== member);
  const where = { ip: '45.146.164.110', location: member.home.location };
  const join = m.start + 2 * MIN_MS;
  m.sessions.push(sessions.session(m, member, join, m.end, { place: where }));
  incident({
    id: 'unfamiliar-ip-standup',
    detection: 'zoom.participant.unexpected_ip_recurring_meeting',
    paths: ['scheduled'],
    time: iso(join),
    summary: `${member.email} joins "${m.topic}" from ${where.ip}, never used for it before`,
    match: { user_email: member.email, meeting_id: String(standupId) },
    related: [member.email, where.ip],
  });
}
