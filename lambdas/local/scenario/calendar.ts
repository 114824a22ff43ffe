import { Prng } from '#core/prng.ts';
import type { SimRecordingSettings } from '../zoom-simulator/org.ts';
import { placeAt, versionAt, working, type Device, type Employee, type People, type Person } from './people.ts';
import { DAY_MS, HOUR_MS, MIN_MS, type Timeline } from './timeline.ts';

/*
 * The scenario's routine meetings: recurring team meetings and standups (some letting people join before the host),
 * one-to-ones on the leads' personal meeting IDs, leadership and board meetings, customer calls, a partner project,
 * interviews and the weekly all-hands. Each meeting is a plan of join sessions (who, from which device and IP, when);
 * the simulator's API data and the webhook bodies are both derived from these plans, so the two collectors describe
 * the same meetings. background.ts adds the meetings with outsiders en masse (investors, customers, escalations).
 */

/** What a meeting is, which decides who attends and whether it is recorded. */
export type MeetingKind =
  | 'weekly'
  | 'standup'
  | 'one_on_one'
  | 'leadership'
  | 'board'
  | 'finance'
  | 'legal'
  | 'customer'
  | 'partner'
  | 'interview'
  | 'all_hands'
  | 'investor'
  | 'briefing'
  | 'escalation'
  | 'handover'
  | 'planted';

/** One join session of one participant (Zoom reports a row per session). */
export interface Session {
  readonly person: Person;
  /** What the participant showed: the name typed, the email, and the Zoom user id when signed in to the account. */
  readonly name: string;
  readonly email: string;
  readonly zoomUserId: string;
  readonly join: number;
  readonly leave: number;
  readonly device: Device;
  readonly ip: string;
  readonly location: string;
  version: string;
  readonly role: 'host' | 'attendee';
  readonly shared: boolean;
  readonly registrantId: string;
  /** Per-meeting participant id (`user_id`), new for every session. */
  readonly participantId: string;
  /** Stable across one person's sessions in one meeting. */
  readonly participantUuid: string;
  /** Sat in the waiting room and was never admitted: seen only by webhooks. */
  readonly waitingRoomOnly?: boolean;
  /** Zoom delivered this session's joined and left webhooks late, on a retry: how long after the event (ms). */
  readonly lateDelivery?: { readonly joinedMs: number; readonly leftMs: number };
}

/** A recording's deletion: who, when, and how it reached Zoom's logs and webhooks. */
export interface Deletion {
  readonly at: number;
  readonly operator: Person;
  readonly event: 'recording.trashed' | 'recording.deleted';
  /** Part of a batch deletion (the webhook is sent once for the whole batch, by the incident). */
  readonly batch?: boolean;
}

/** One meeting instance. */
export interface MeetingPlan {
  readonly uuid: string;
  readonly id: number;
  /** 2 scheduled, 4 on the host's PMI, 8 recurring. */
  readonly type: 2 | 4 | 8;
  readonly topic: string;
  readonly kind: MeetingKind;
  readonly host: Employee;
  readonly start: number;
  end: number;
  sessions: Session[];
  recorded: boolean;
  readonly hasChat: boolean;
  deletion?: Deletion;
  /** Recording downloads seen in the operation log. */
  downloads: { readonly at: number; readonly operator: string }[];
  /** False for a meeting Zoom's report APIs never return (the report never becomes ready). */
  inApi: boolean;
  /** Set by a planted incident that owns the meeting's recording fate (no benign deletion or download). */
  fixed?: boolean;
  /** Join before host is on: attendees who come before the host are announced by meeting.participant_jbh_joined too. */
  jbh?: boolean;
  /** Remote-control hand-overs, in the meeting activities report (audit-trail.ts plants them). */
  remoteControl?: RemoteControl[];
  /** How the recording is shared when chosen on purpose (audit-trail.ts); else a routine sharing is drawn. */
  sharing?: SimRecordingSettings;
}

/** A remote-control hand-over: `sharer` gives `controller` control of their screen at `at`, asked for or not. */
export interface RemoteControl {
  readonly at: number;
  readonly sharer: Session;
  readonly controller: Session;
  readonly requested: boolean;
}

/** When the host first joined the meeting (Infinity if never): anyone in before that joined before the host. */
export const hostJoin = (m: MeetingPlan): number =>
  Math.min(...m.sessions.filter((s) => s.person === m.host && !s.waitingRoomOnly).map((s) => s.join));

/** How meetings are created, with their uuids, ids and participant ids. */
export class MeetingFactory {
  private readonly ids = new Set<number>();
  constructor(private readonly rng: Prng) {}

  /** A meeting number no other meeting uses. */
  newId(): number {
    let v = this.rng.int(81_000_000_000, 99_999_999_999);
    while (this.ids.has(v)) v = this.rng.int(81_000_000_000, 99_999_999_999);
    this.ids.add(v);
    return v;
  }

  /** A meeting instance UUID (base64 of 16 bytes; one in five contains '/' so clients must double-encode it). */
  newUuid(): string {
    const uuid = Buffer.from(this.rng.bytes(16)).toString('base64');
    return this.rng.chance(0.2) ? `/${uuid.slice(1, 10)}//${uuid.slice(12)}` : uuid;
  }

  meeting(
    fields: Omit<MeetingPlan, 'uuid' | 'sessions' | 'recorded' | 'downloads' | 'inApi' | 'hasChat' | 'end'> &
      Partial<Pick<MeetingPlan, 'recorded' | 'hasChat' | 'end'>>,
  ): MeetingPlan {
    return {
      uuid: this.newUuid(),
      sessions: [],
      recorded: false,
      downloads: [],
      inApi: true,
      hasChat: this.rng.chance(0.4),
      end: fields.start,
      ...fields,
    };
  }
}

/** The devices each employee has used so far, so a BYOD device first appears only in the baseline. */
export class SessionBuilder {
  private readonly joins = new Map<string, number>();
  private readonly pids = new Map<string, number>();
  private readonly puuids = new Map<string, string>();
  constructor(
    private readonly rng: Prng,
    private readonly t: Timeline,
  ) {}

  /**
   * A benign session: the person's own device (a BYOD tablet every fourth join, never for the first time in the last
   * 30 hours), their IP and location at that time, their client version, signed in when they are an employee.
   */
  session(
    m: MeetingPlan,
    person: Person,
    join: number,
    leave: number,
    opts: {
      shared?: boolean;
      device?: Device;
      place?: { ip: string; location: string };
      name?: string;
      email?: string;
      zoomUserId?: string;
      registrantId?: string;
      waitingRoomOnly?: boolean;
      lateDelivery?: Session['lateDelivery'];
    } = {},
  ): Session {
    const count = this.joins.get(person.email || person.name) ?? 0;
    this.joins.set(person.email || person.name, count + 1);
    const byod = person.byod && count % 4 === 3 && join < this.t.end - 30 * HOUR_MS;
    const where = opts.place ?? placeAt(person, join);
    const pid = (this.pids.get(m.uuid) ?? 16_778_240) + 1;
    this.pids.set(m.uuid, pid);
    const personKey = `${m.uuid}\u0000${person.email || person.name}`;
    let puuid = this.puuids.get(personKey);
    if (!puuid) {
      puuid = this.rng.chars(22, '-_');
      this.puuids.set(personKey, puuid);
    }
    return {
      person,
      name: opts.name ?? person.name,
      email: opts.email ?? person.email,
      zoomUserId: opts.zoomUserId ?? person.userId,
      join,
      leave,
      device: opts.device ?? (byod ? person.byod! : person.device),
      ip: where.ip,
      location: where.location,
      version: versionAt(person, join),
      role: person === m.host ? 'host' : 'attendee',
      shared: opts.shared ?? false,
      registrantId: opts.registrantId ?? '',
      participantId: String(pid),
      participantUuid: puuid,
      ...(opts.waitingRoomOnly ? { waitingRoomOnly: true } : {}),
      ...(opts.lateDelivery ? { lateDelivery: opts.lateDelivery } : {}),
    };
  }

  /**
   * When one attendee of a crowd joins: most within five minutes of `from`, the first minutes busiest, a few late.
   */
  crowdJoin(from: number): number {
    const late = this.rng.chance(0.05) ? this.rng.int(5, 9) * MIN_MS : 0;
    return from + late + Math.floor(5 * MIN_MS * this.rng.next() ** 1.6);
  }

  /**
   * Fills a meeting with ordinary attendance: the host starts it, attendees come in over the first minutes, a dropped
   * connection now and then (a second session), and `sharers` presenting. A crowd (over 20) joins within about five
   * minutes, many a minute, as at a real all-hands. With `jbh` (join before host) one to three attendees start the
   * meeting and the host comes one to four minutes later; otherwise nobody joins before the host, whose join is the
   * meeting's start, as in Zoom's reports.
   */
  attend(m: MeetingPlan, attendees: readonly Person[], durationMin: number, sharers: readonly Person[] = [], opts: { jbh?: boolean } = {}): void {
    const end = m.start + durationMin * MIN_MS;
    const crowd = attendees.length > 20;
    const others = attendees.filter((a) => a !== m.host);
    const early = new Set(opts.jbh && others.length > 0 ? this.rng.sample(others, this.rng.int(1, Math.min(3, others.length))) : []);
    const hostJoin = early.size > 0 ? m.start + this.rng.int(60, 240) * 1000 : m.start;
    if (early.size > 0) m.jbh = true;
    let first = true;
    const joinOf = (p: Person): number => {
      if (p === m.host) return hostJoin;
      if (early.has(p)) {
        // The first one in starts the meeting: Zoom's start time is their join.
        const at = first ? m.start : m.start + this.rng.int(1, Math.floor((hostJoin - m.start) / 1000) - 1) * 1000;
        first = false;
        return at;
      }
      return crowd ? this.crowdJoin(hostJoin) : hostJoin + this.rng.int(0, 4) * MIN_MS + this.rng.int(0, 50) * 1000;
    };
    const people = [m.host as Person, ...others];
    people.forEach((p) => {
      const isHost = p === m.host;
      const join = joinOf(p);
      const leave = isHost ? end : end - this.rng.int(0, 3) * MIN_MS;
      const shared = sharers.includes(p);
      if (!crowd && durationMin >= 25 && this.rng.chance(0.06)) {
        const drop = join + this.rng.int(5, 15) * MIN_MS;
        m.sessions.push(this.session(m, p, join, drop, { shared }), this.session(m, p, drop + MIN_MS, leave, { shared: false }));
      } else {
        m.sessions.push(this.session(m, p, join, leave, { shared }));
      }
    });
    m.end = Math.max(end, ...m.sessions.map((s) => s.leave));
  }
}

/** Benign meetings of the whole range, oldest first. */
export function generateCalendar(seed: number, people: People, t: Timeline, factory: MeetingFactory, sessions: SessionBuilder): MeetingPlan[] {
  const rng = new Prng(seed, 'scenario-calendar');
  const meetings: MeetingPlan[] = [];
  const latestEnd = t.end - 40 * MIN_MS;
  const at = (day: number, h: number, m = 0) => day + h * HOUR_MS + m * MIN_MS;
  const present = (list: readonly Employee[], when: number) => list.filter((e) => working(e, when) && rng.chance(0.92));
  const { ceo, cfo, counsel, cto, vpSales } = people.execs;
  const sales = people.teams.filter((tm) => tm.dept === 'Sales').flatMap((tm) => [tm.lead, ...tm.members]);
  const finance = people.teams.filter((tm) => tm.dept === 'Finance').flatMap((tm) => [tm.lead, ...tm.members]);
  const legal = people.teams.filter((tm) => tm.dept === 'Legal').flatMap((tm) => [tm.lead, ...tm.members]);
  const leads = people.teams.map((tm) => tm.lead);
  const partnerTeam = people.teams.find((tm) => tm.dept === 'Engineering') ?? people.teams[0];
  const partnerId = factory.newId();
  const leadershipId = factory.newId();
  const financeId = factory.newId();
  const legalId = factory.newId();
  // The all-hands is weekly, on the weekday the webhook window opens, so the live path always sees one.
  const allHandsId = factory.newId();
  const allHandsWeekday = new Date(t.liveFrom).getUTCDay();
  const boardDay = t.workingDays[Math.floor(t.workingDays.length * 0.65)];
  const staff = people.employees.filter((e) => e.status !== 'pending');
  // Half the teams let people join their recurring meetings before the lead; about half of each team presents in
  // its weekly, the rest never share their screen.
  const jbhTeams = new Set(people.teams.filter((_, i) => i % 2 === 1));
  const presenters = new Map(people.teams.map((tm) => [tm, new Set(rng.sample(tm.members, Math.ceil(tm.members.length / 2)))]));

  const add = (m: MeetingPlan, attendees: readonly Person[], minutes: number, sharers: readonly Person[] = [], recordChance = 0, jbh = false) => {
    if (m.start + minutes * MIN_MS > latestEnd || !working(m.host, m.start)) return;
    sessions.attend(m, attendees, minutes, sharers, { jbh });
    if (m.end > latestEnd) return;
    m.recorded = rng.chance(recordChance);
    meetings.push(m);
  };

  for (const day of t.workingDays) {
    const weekday = new Date(day).getUTCDay();
    for (const tm of people.teams) {
      const crew = [tm.lead, ...tm.members];
      // With join before host, the first attendee starts the meeting a minute or three before the hour.
      const jbh = jbhTeams.has(tm) && rng.chance(0.75);
      const early = jbh ? rng.int(1, 3) : 0;
      if (tm.standupId !== undefined) {
        const m = factory.meeting({
          id: tm.standupId,
          type: 8,
          topic: `${tm.name} standup`,
          kind: 'standup',
          host: tm.lead,
          start: at(day, 9, (tm.slot % 4) * 15) - early * MIN_MS,
        });
        add(m, present(crew, m.start), 15, [], 0, jbh);
      }
      if (tm.weeklyDay === weekday) {
        const m = factory.meeting({
          id: tm.weeklyId,
          type: 8,
          topic: `${tm.name} weekly`,
          kind: 'weekly',
          host: tm.lead,
          start: at(day, 10 + (tm.slot % 6), 30 * (tm.slot % 2)) - early * MIN_MS,
        });
        const attendees = present(crew, m.start);
        const speakers = attendees.filter((a) => presenters.get(tm)?.has(a));
        add(m, attendees, 45, [tm.lead, ...rng.sample(speakers, 1)], 0.3, jbh);
      }
      // One-to-ones on the lead's personal meeting ID: every other member, every other week.
      tm.members.forEach((member, i) => {
        const week = Math.floor((day - t.days[0]!) / (7 * DAY_MS));
        if (i % 2 !== 0 || (i / 2 + week) % 2 !== 0 || 1 + (i % 5) !== weekday) return;
        const start = at(day, 13 + (i % 4), 30 * (i % 2));
        if (!working(member, start)) return;
        const m = factory.meeting({
          id: tm.lead.pmi,
          type: 4,
          topic: `${tm.lead.name}'s Personal Meeting Room`,
          kind: 'one_on_one',
          host: tm.lead,
          start,
        });
        add(m, [member], 30);
      });
    }
    if (weekday === 1) {
      const m = factory.meeting({ id: leadershipId, type: 8, topic: 'Leadership sync', kind: 'leadership', host: ceo, start: at(day, 16) });
      add(m, present([cfo, counsel, cto, vpSales, people.owner, ...leads.slice(0, 4)], m.start), 50, [cfo], 1);
    }
    if (weekday === 4 && finance.length > 0) {
      const m = factory.meeting({ id: financeId, type: 8, topic: 'Finance month-end close', kind: 'finance', host: cfo, start: at(day, 14) });
      add(m, present(finance, m.start), 40, finance.slice(0, 1));
    }
    if (weekday === 2 && legal.length > 0) {
      const m = factory.meeting({ id: legalId, type: 8, topic: 'Legal team weekly', kind: 'legal', host: counsel, start: at(day, 15) });
      add(m, present(legal, m.start), 30);
    }
    if (weekday === 3 && partnerTeam) {
      // The partner's consultants present their progress every week (one meeting number, so never "silent").
      const m = factory.meeting({
        id: partnerId,
        type: 8,
        topic: 'Project Atlas sync',
        kind: 'partner',
        host: partnerTeam.lead,
        start: at(day, 15, 30),
      });
      const internal = present(partnerTeam.members.slice(0, 3), m.start);
      add(m, [...internal, ...people.partners], 45, [people.partners[rng.int(0, people.partners.length - 1)]!], 0.5);
    }
    // Customer calls: a sales host, sometimes a colleague, the customer's contacts, now and then a guest or a dial-in.
    const calls = Math.max(1, Math.round(staff.length / 60));
    for (let c = 0; c < calls && sales.length > 0; c++) {
      const customer = rng.pick(people.customers);
      const host = rng.pick(rng.chance(0.15) ? [vpSales] : sales);
      const m = factory.meeting({
        id: factory.newId(),
        type: 2,
        topic: `${rng.pick(['Customer call', 'Renewal review', 'Product demo', 'Quarterly business review'])} - ${customer.name}`,
        kind: 'customer',
        host,
        start: at(day, 14 + c, 15 * rng.int(0, 2)),
      });
      const attendees: Person[] = [...rng.sample(customer.contacts, rng.int(1, 2))];
      if (rng.chance(0.4)) attendees.push(rng.pick(sales.filter((s) => s !== host).length > 0 ? sales.filter((s) => s !== host) : [host]));
      if (rng.chance(0.15)) attendees.push(people.stranger('guest'));
      if (rng.chance(0.1)) attendees.push(people.stranger('dial_in'));
      add(
        m,
        attendees.filter((p) => p.kind !== 'internal' || working(p as Employee, m.start)),
        rng.int(30, 55),
        [host],
        0.6,
      );
    }
    // Interviews: a lead meets a candidate.
    for (let c = 0; c < Math.max(1, Math.round(staff.length / 200)); c++) {
      const lead = rng.pick(leads);
      const m = factory.meeting({
        id: factory.newId(),
        type: 2,
        topic: 'Interview - candidate',
        kind: 'interview',
        host: lead,
        start: at(day, 11, 30),
      });
      add(m, [people.stranger('candidate')], 45);
    }
    if (weekday === allHandsWeekday) {
      // Nearly everyone, signed in, within about five minutes of the start (SessionBuilder.attend's crowd).
      const m = factory.meeting({ id: allHandsId, type: 8, topic: 'Company all-hands', kind: 'all_hands', host: ceo, start: at(day, 17) });
      add(
        m,
        staff.filter((e) => working(e, m.start) && (e === ceo || rng.chance(0.95))),
        40,
        [ceo, cto],
        1,
      );
    }
    if (day === boardDay) {
      const m = factory.meeting({
        id: factory.newId(),
        type: 2,
        topic: 'Board prep - quarterly review',
        kind: 'board',
        host: ceo,
        start: at(day, 12),
      });
      add(m, [cfo, counsel, cto], 60, [cfo], 1);
    }
  }
  return meetings.sort((a, b) => a.start - b.start || a.id - b.id);
}

/** Whether a meeting had anyone from outside (external email, no email, or not signed in). */
export function hadOutsiders(m: MeetingPlan, domains: readonly string[]): boolean {
  return m.sessions.some((s) => s.email === '' || s.zoomUserId === '' || !domains.includes(s.email.split('@')[1] ?? ''));
}
