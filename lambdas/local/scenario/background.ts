import { Prng } from '#core/prng.ts';
import { hostJoin, type MeetingFactory, type MeetingPlan, type SessionBuilder } from './calendar.ts';
import type { BackgroundPattern } from './manifest.ts';
import { device } from './generate-people.ts';
import { CLIENT_VERSIONS } from './people-data.ts';
import { working, type Device, type Employee, type People, type Person, type Place } from './people.ts';
import { HOUR_MS, MIN_MS, type Timeline } from './timeline.ts';
import { RETRY_DELAYS_MS } from './webhooks.ts';

/*
 * The benign background every real company has and detections must live with, generated with or without planted
 * incidents: registration-required meetings full of outsiders (the CEO's investor update and the CFO's follow-up
 * with the same analysts, a customer product briefing), a daily escalation call with the same customer contacts,
 * and a leaver whose last meeting's webhooks reach us after the deactivation. The weekly all-hands, joins before the
 * host and silent attendees come from the routine calendar (calendar.ts), the VPN users and the business trip from
 * generate-people.ts; backgroundPatterns names them all for the manifest, so an alert on one can be told apart.
 */

/** The meetings and outsiders the background added. */
export interface Background {
  /** The investor update and its follow-up. */
  readonly investor: readonly MeetingPlan[];
  readonly analysts: readonly Person[];
  readonly briefing: MeetingPlan | undefined;
  readonly briefingGuests: readonly Person[];
  /** The daily escalation call's instances and the customer's contacts in it. */
  readonly escalation: readonly MeetingPlan[];
  readonly escalationContacts: readonly Person[];
  /** The late leaver's handover, whose joined/left webhooks Zoom delivered after the deactivation. */
  readonly handover: MeetingPlan | undefined;
}

/** Investment firms whose analysts register for the investor update: office egress prefix and city. */
const ANALYST_FIRMS = [
  { domain: 'northbridge-capital.com', prefix: 63, city: 'New York (US)' },
  { domain: 'meridian-research.com', prefix: 97, city: 'Boston (US)' },
  { domain: 'alder-securities.co.uk', prefix: 128, city: 'London (GB)' },
  { domain: 'kestrel-partners.com', prefix: 152, city: 'Chicago (US)' },
  { domain: 'halcyon-am.ca', prefix: 199, city: 'Toronto (CA)' },
  { domain: 'brightwater-funds.com', prefix: 12, city: 'San Francisco (US)' },
  { domain: 'corvid-equity.de', prefix: 87, city: 'Frankfurt (DE)' },
] as const;

const BROWSER: Device = { family: 'Windows', os: 'Windows', osVersion: '10.0.22631', client: 'Browser', pcName: '', macAddr: '', harddiskId: '' };

/** Adds the background meetings to `meetings` and returns what the manifest names. */
export function generateBackground(
  seed: number,
  people: People,
  t: Timeline,
  factory: MeetingFactory,
  sessions: SessionBuilder,
  meetings: MeetingPlan[],
): Background {
  const rng = new Prng(seed, 'scenario-background-meetings');
  const latestEnd = t.end - 40 * MIN_MS;
  const { ceo, cfo, vpSales } = people.execs;
  /** Zoom user ids of outsiders who sign in to their own company's Zoom account. */
  const ownAccount = new Map<Person, string>();
  const stable = (e: Employee) => e.status === 'active' && e.lastDay === undefined && e.activeFrom === undefined;
  const membersOf = (depts: readonly string[]) =>
    people.teams
      .filter((tm) => depts.includes(tm.dept))
      .flatMap((tm) => [tm.lead, ...tm.members])
      .filter(stable);
  const outsider = (domain: string, home: Place): Person => {
    const n = people.outsiderName();
    const dev = rng.chance(0.15) ? device(rng, 'byod') : device(rng, 'outside');
    return {
      kind: 'external',
      name: `${n.first} ${n.last}`,
      email: `${n.first.toLowerCase()}.${n.last.toLowerCase()}@${domain}`,
      userId: '',
      home,
      device: dev,
      version: rng.pick(CLIENT_VERSIONS),
    };
  };
  const quad = (prefix: string | number) => `${prefix}.${rng.int(1, 250)}.${rng.int(0, 255)}.${rng.int(2, 254)}`;
  const signsIn = (p: Person, chance: number) => {
    if (rng.chance(chance)) ownAccount.set(p, rng.chars(22, '-_'));
  };
  const fits = (start: number, minutes: number, host: Employee) => start + minutes * MIN_MS <= latestEnd && working(host, start);

  /**
   * A registration-required meeting: the host starts it; everyone else, colleagues included, comes through their
   * registration link (a registrant id on every row), most within five minutes of the start.
   */
  const registered = (m: MeetingPlan, attendees: readonly Person[], minutes: number, sharers: readonly Person[]): MeetingPlan => {
    const end = m.start + minutes * MIN_MS;
    m.sessions.push(sessions.session(m, m.host, m.start, end, { shared: sharers.includes(m.host) }));
    for (const p of attendees) {
      const opts = { registrantId: rng.chars(22, '-_'), zoomUserId: p.kind === 'internal' ? p.userId : (ownAccount.get(p) ?? '') };
      const join = sessions.crowdJoin(m.start);
      const leave = end - rng.int(0, 6) * MIN_MS;
      if (rng.chance(0.06)) {
        // A dropped connection: the rejoin comes through the same registration.
        const drop = join + rng.int(5, 20) * MIN_MS;
        m.sessions.push(
          sessions.session(m, p, join, drop, opts),
          sessions.session(m, p, drop + MIN_MS, leave, { ...opts, shared: sharers.includes(p) }),
        );
      } else {
        m.sessions.push(sessions.session(m, p, join, leave, { ...opts, shared: sharers.includes(p) }));
      }
    }
    m.end = Math.max(end, ...m.sessions.map((s) => s.leave));
    meetings.push(m);
    return m;
  };

  // The quarterly investor update: the CEO and CFO brief 15-40 registered analysts the working day before the webhook
  // window opens; the next working day, inside it, the CFO takes follow-up questions from some of the same analysts.
  const investor: MeetingPlan[] = [];
  const liveIndex = t.workingDays.indexOf(t.liveFrom);
  const updateDay = t.workingDays[Math.max(0, liveIndex - 1)]!;
  const month = new Date(updateDay).getUTCMonth();
  const quarter = month < 3 ? 4 : Math.floor(month / 3);
  const analysts = Array.from({ length: Math.min(40, Math.max(15, Math.round(people.employees.length / 8))) }, () => {
    const firm = rng.pick(ANALYST_FIRMS);
    const home = rng.chance(0.5)
      ? { ip: `${firm.prefix}.20.${ANALYST_FIRMS.indexOf(firm) + 10}.5`, location: firm.city }
      : { ip: quad(firm.prefix), location: firm.city };
    const a = outsider(firm.domain, home);
    signsIn(a, 0.55);
    return a;
  });
  const relations = membersOf(['Finance'])
    .filter((e) => e !== cfo)
    .slice(0, 1);
  const updateStart = updateDay + 13 * HOUR_MS + 30 * MIN_MS;
  if (fits(updateStart, 60, ceo)) {
    const m = factory.meeting({
      id: factory.newId(),
      type: 2,
      topic: `Q${quarter} earnings call - investor briefing`,
      kind: 'investor',
      host: ceo,
      start: updateStart,
      recorded: true,
    });
    investor.push(registered(m, [cfo, ...relations, ...analysts], 60, [ceo, cfo]));
  }
  const followStart = t.liveFrom + 15 * HOUR_MS;
  if (fits(followStart, 40, cfo)) {
    const signedIn = analysts.filter((a) => ownAccount.has(a));
    const guests = [
      ...rng.sample(signedIn, rng.int(4, 8)),
      ...rng.sample(
        analysts.filter((a) => !ownAccount.has(a)),
        rng.int(1, 2),
      ),
    ];
    const m = factory.meeting({
      id: factory.newId(),
      type: 2,
      topic: `Q${quarter} earnings follow-up - analyst Q&A`,
      kind: 'investor',
      host: cfo,
      start: followStart,
    });
    investor.push(registered(m, [...relations, ...guests], 40, [cfo]));
  }

  // A product briefing for customers, held as a meeting with registration by the account team, on the latest
  // working day it fits: every customer contact and more of their colleagues, a good part signed in.
  const accountTeam = membersOf(['Sales', 'Product']).filter((e) => e !== vpSales);
  const briefingHost = people.teams.find((tm) => tm.name === 'Solutions' && stable(tm.lead))?.lead ?? accountTeam[0];
  const briefingGuests: Person[] = people.customers.flatMap((c) => c.contacts);
  const wanted = Math.min(40, Math.max(12, Math.round(people.employees.length / 10)));
  for (let i = 0; briefingGuests.length < wanted; i++) {
    const c = people.customers[i % people.customers.length]!;
    const prefix = c.contacts[0]!.home.ip.split('.').slice(0, 2).join('.');
    briefingGuests.push(outsider(c.domain, { ip: quad(prefix), location: c.contacts[0]!.home.location }));
  }
  for (const g of briefingGuests) signsIn(g, 0.4);
  let briefing: MeetingPlan | undefined;
  const briefingDay = [...t.workingDays].reverse().find((d) => briefingHost && fits(d + 16 * HOUR_MS, 45, briefingHost));
  if (briefingHost && briefingDay !== undefined) {
    const m = factory.meeting({
      id: factory.newId(),
      type: 2,
      topic: 'Customer product briefing - what is new this quarter',
      kind: 'briefing',
      host: briefingHost,
      start: briefingDay + 16 * HOUR_MS,
      recorded: true,
    });
    briefing = registered(m, [...accountTeam.filter((e) => e !== briefingHost).slice(0, 2), ...briefingGuests], 45, [briefingHost]);
  }

  // The daily escalation call with one customer: the same account manager (a colleague stands in now and then), the
  // same two to four contacts every working day, one of them in a browser without signing in, support engineers
  // listening in. Contacts share their screen on the odd day only.
  const escalation: MeetingPlan[] = [];
  const customer = rng.pick(people.customers.length > 2 ? people.customers.slice(2) : people.customers);
  const contacts: Person[] = [...customer.contacts];
  if (contacts.length < 4 && rng.chance(0.6))
    contacts.push(
      outsider(customer.domain, { ip: quad(contacts[0]!.home.ip.split('.').slice(0, 2).join('.')), location: contacts[0]!.home.location }),
    );
  const inBrowser = new Set(rng.sample(contacts, 1));
  // One contact presents, on one or two days.
  const presenter = rng.pick(contacts);
  const presenting = new Set(rng.sample(t.workingDays, rng.int(1, 2)));
  for (const c of contacts) if (!inBrowser.has(c)) signsIn(c, 0.7);
  const manager = rng.pick(accountTeam.filter((e) => e.dept === 'Sales').length > 0 ? accountTeam.filter((e) => e.dept === 'Sales') : [vpSales]);
  const standby = membersOf(['Support']).find((e) => e !== manager) ?? accountTeam.find((e) => e !== manager) ?? manager;
  const sharedSoFar = new Set(meetings.flatMap((m) => m.sessions.filter((s) => s.shared).map((s) => s.person)));
  const standupTeams = people.teams.filter((tm) => tm.standupId !== undefined);
  const engineers = rng.sample(
    [...standupTeams.filter((tm) => tm.dept === 'Support'), ...standupTeams.filter((tm) => tm.dept !== 'Support')]
      .flatMap((tm) => tm.members)
      .filter((e) => stable(e) && e !== standby && !sharedSoFar.has(e))
      .slice(0, 8),
    people.employees.length >= 100 ? 4 : 2,
  );
  const escalationId = factory.newId();
  for (const day of t.workingDays) {
    const host = rng.chance(0.85) ? manager : standby;
    const start = day + 15 * HOUR_MS + 30 * MIN_MS;
    if (!fits(start, 30, host)) continue;
    const m = factory.meeting({ id: escalationId, type: 8, topic: `${customer.name} escalation - daily sync`, kind: 'escalation', host, start });
    const team = [host === manager ? standby : manager].filter((e) => e !== host && rng.chance(0.7));
    // The engineers on the escalation are there every day; they listen and never present.
    const crew = [...team, ...engineers];
    const present = contacts.filter(() => rng.chance(0.9));
    const guests = present.length >= 2 ? present : contacts.slice(0, 2);
    const end = start + 30 * MIN_MS;
    m.sessions.push(sessions.session(m, host, start, end, { shared: true }));
    for (const p of crew) m.sessions.push(sessions.session(m, p, start + rng.int(0, 150) * 1000, end - rng.int(0, 2) * MIN_MS));
    for (const p of guests) {
      const join = start + rng.int(0, 240) * 1000;
      const leave = end - rng.int(0, 2) * MIN_MS;
      const shared = p === presenter && presenting.has(day);
      m.sessions.push(
        inBrowser.has(p)
          ? sessions.session(m, p, join, leave, { shared, email: '', zoomUserId: '', device: BROWSER })
          : sessions.session(m, p, join, leave, { shared, zoomUserId: ownAccount.get(p) ?? '' }),
      );
    }
    m.end = Math.max(end, ...m.sessions.map((s) => s.leave));
    meetings.push(m);
    escalation.push(m);
  }

  // The late leaver's handover, the afternoon of their last day: Zoom's first attempts to deliver their joined and
  // left webhooks fail, and the retries land after the user.deactivated webhook of 14:50.
  let handover: MeetingPlan | undefined;
  const leaver = people.lateLeaver;
  const team = leaver ? people.teams.find((tm) => tm.members.includes(leaver)) : undefined;
  const handoverStart = t.liveFrom + 14 * HOUR_MS;
  if (leaver && team && fits(handoverStart, 35, team.lead) && working(leaver, handoverStart + 35 * MIN_MS)) {
    const m = factory.meeting({
      id: factory.newId(),
      type: 2,
      topic: `Handover - ${leaver.first}'s projects`,
      kind: 'handover',
      host: team.lead,
      start: handoverStart,
    });
    const end = handoverStart + 35 * MIN_MS;
    m.sessions.push(sessions.session(m, team.lead, handoverStart, end, { shared: true }));
    m.sessions.push(
      sessions.session(m, leaver, handoverStart + rng.int(30, 150) * 1000, end - rng.int(0, 2) * MIN_MS, {
        shared: true,
        lateDelivery: { joinedMs: RETRY_DELAYS_MS[2], leftMs: RETRY_DELAYS_MS[1] },
      }),
    );
    for (const p of team.members.filter((e) => e !== leaver && working(e, handoverStart)).slice(0, 2)) {
      m.sessions.push(sessions.session(m, p, handoverStart + rng.int(0, 180) * 1000, end - rng.int(0, 2) * MIN_MS));
    }
    m.end = end;
    meetings.push(m);
    handover = m;
  }

  return { investor, analysts, briefing, briefingGuests, escalation, escalationContacts: contacts, handover };
}

/** An employee who attends many meetings and never shares: how many instances they did not host, of how many hosts and series. */
export interface SilentAttendee {
  readonly employee: Employee;
  readonly instances: number;
  readonly hosts: number;
  readonly series: number;
}

/** Employees, signed in, in at least `min` meeting instances they did not host, who never shared their screen in any. */
export function silentAttendees(people: People, meetings: readonly MeetingPlan[], min: number): SilentAttendee[] {
  const seen = new Map<Employee, { uuids: Set<string>; hosts: Set<string>; series: Set<number> }>();
  const sharers = new Set<Person>();
  const byPerson = new Map<Person, Employee>(people.employees.map((e) => [e, e]));
  for (const m of meetings) {
    for (const s of m.sessions) {
      if (s.shared) sharers.add(s.person);
      const e = byPerson.get(s.person);
      if (!e || s.person === m.host || s.zoomUserId === '' || s.waitingRoomOnly) continue;
      const entry = seen.get(e) ?? { uuids: new Set(), hosts: new Set(), series: new Set() };
      entry.uuids.add(m.uuid);
      entry.hosts.add(m.host.email);
      entry.series.add(m.id);
      seen.set(e, entry);
    }
  }
  return [...seen]
    .filter(([e, v]) => !sharers.has(e) && v.uuids.size >= min)
    .map(([employee, v]) => ({ employee, instances: v.uuids.size, hosts: v.hosts.size, series: v.series.size }))
    .sort((a, b) => b.instances - a.instances || a.employee.email.localeCompare(b.employee.email));
}

/**
 * The background patterns for the manifest, most specific first: an alert is put down to the first whose
 * identities (people, IPs, meetings) it names.
 */
export function backgroundPatterns(people: People, meetings: readonly MeetingPlan[], bg: Background): BackgroundPattern[] {
  const out: BackgroundPattern[] = [];
  const ids = (ms: readonly MeetingPlan[]) => [...new Set(ms.flatMap((m) => [m.uuid, String(m.id)]))];
  const who = (ps: readonly Person[]) => [...new Set(ps.flatMap((p) => [p.email, p.name].filter((v) => v !== '')))];
  const leaver = people.lateLeaver;
  if (leaver && bg.handover) {
    out.push({
      id: 'late-leaver-webhooks',
      summary:
        `${leaver.email} attends "${bg.handover.topic}" before the deactivation at ${new Date(leaver.deactivatedAt ?? 0).toISOString()}; ` +
        'Zoom delivers those joined/left webhooks on a retry, after the user.deactivated webhook',
      related: [leaver.email, leaver.name, bg.handover.uuid],
    });
  }
  if (people.vpnUsers.length > 0) {
    out.push({
      id: 'vpn',
      summary: `${people.vpnUsers.length} employees whose corporate VPN egresses in ${people.vpnUsers[0]!.vpn!.egress.location}: sign-ins and joins alternate with home during the day`,
      related: [...who(people.vpnUsers), ...people.vpnUsers.map((e) => e.vpn!.egress.ip)],
    });
  }
  const trip = people.traveller?.travel;
  if (people.traveller && trip) {
    out.push({
      id: 'business-trip',
      summary: `${people.traveller.email} travels to ${trip.place.location}`,
      related: [people.traveller.email, trip.place.ip],
    });
  }
  if (bg.escalation.length > 0) {
    out.push({
      id: 'escalation-call',
      summary: `"${bg.escalation[0]!.topic}" on ${bg.escalation.length} working days with the same ${bg.escalationContacts.length} contacts`,
      related: [...ids(bg.escalation), ...who(bg.escalationContacts)],
    });
  }
  if (bg.investor.length > 0) {
    const signedIn = bg.investor[0]!.sessions.filter((s) => s.person.kind === 'external' && s.zoomUserId !== '');
    out.push({
      id: 'investor-update',
      summary:
        `"${bg.investor.map((m) => m.topic).join('" and "')}" hosted by ${bg.investor.map((m) => m.host.email).join(' and ')}: ` +
        `${bg.analysts.length} registered analysts, ${new Set(signedIn.map((s) => s.person)).size} signed in`,
      related: [...ids(bg.investor), ...who(bg.analysts)],
    });
  }
  if (bg.briefing) {
    out.push({
      id: 'customer-briefing',
      summary: `"${bg.briefing.topic}" with ${bg.briefingGuests.length} registered customer contacts`,
      related: [...ids([bg.briefing]), ...who(bg.briefingGuests)],
    });
  }
  const allHands = meetings.filter((m) => m.kind === 'all_hands');
  if (allHands.length > 0) {
    out.push({
      id: 'all-hands',
      summary: `${allHands.length} weekly all-hands, up to ${Math.max(...allHands.map((m) => m.sessions.length))} join sessions each`,
      related: ids(allHands),
    });
  }
  const jbh = meetings.filter((m) => m.jbh && m.sessions.some((s) => s.join < hostJoin(m)));
  if (jbh.length > 0) {
    out.push({
      id: 'join-before-host',
      summary: `${jbh.length} recurring team meeting instances where attendees joined before the host`,
      related: jbh.map((m) => m.uuid),
    });
  }
  const silent = silentAttendees(people, meetings, 10);
  if (silent.length > 0) {
    const many = silent.filter((s) => s.instances > 20);
    out.push({
      id: 'silent-employees',
      summary:
        `${silent.length} employees in 10 or more meetings they did not host who never share; ${many.length} in more than 20, ` +
        `${many.filter((s) => s.hosts >= 3 && s.series >= 3).length} of them with 3 or more hosts and series`,
      related: who(silent.map((s) => s.employee)),
    });
  }
  return out;
}
