import { Prng } from '#core/prng.ts';
import {
  DAY,
  HOUR,
  MIN,
  PLACES,
  type Attendance,
  type Behaviour,
  type External,
  type Person,
  type Plan,
  type Place,
  type RecordingPlan,
  type Who,
} from './model.ts';
import { LAST_NAMES, PERSONAL_DOMAINS } from './names.ts';
import { officeDay } from './network.ts';
import { NET, oneOff, outsiderName, works, type Customer, type Directory, type RoomDevice } from './people.ts';
import { atLocal, dayStart, dayStr, h01, hInt, isWeekend, localOf, meetingUuid, slug, weekday } from './util.ts';

/*
 * The fortnight's meetings, department by department, each with its own rhythm: engineering standups, sprint
 * ceremonies, pairing and incident bridges; sales huddles and many customer calls; support escalations on a standing
 * bridge; HR interviews and onboarding; finance month-end close, audit fieldwork and the board; marketing webinars
 * and public office hours; executives' staff meetings, investor calls and a confidential acquisition.
 */

type Style = 'standup' | 'meeting' | 'large' | 'external' | 'host';

export interface MeetingSpec {
  readonly key: string;
  readonly host: Person;
  readonly topic: string;
  readonly type: 2 | 4 | 8;
  readonly series?: string;
  readonly start: number;
  readonly minutes: number;
  readonly attendees: Attendance[];
  readonly waitingRoom?: boolean;
  readonly registration?: boolean;
  readonly chat?: boolean;
  readonly record?: number | boolean;
  readonly transcript?: boolean;
  readonly category: string;
  readonly tags?: string[];
  readonly hostLateMin?: number;
  /** The host is not there (a recurring meeting started by whoever joins first). */
  readonly hostAbsent?: boolean;
}

export class Calendar {
  readonly plans: Plan[] = [];
  readonly behaviours: Behaviour[] = [];
  private readonly byKey = new Map<string, Plan>();
  /** Employees' full names, which an outsider's drawn name avoids (people.ts outsiderName). */
  readonly staffNames: ReadonlySet<string>;

  constructor(
    readonly dir: Directory,
    readonly seed: number,
    readonly firstDay: number,
    readonly lastDay: number,
    readonly endMs: number,
  ) {
    this.staffNames = new Set(dir.people.map((p) => p.name));
  }

  rng(label: string): Prng {
    return new Prng(this.seed, `second-org:calendar:${label}`);
  }

  seriesId(series: string): number {
    return hInt(81_000_000_000, 99_899_999_999, this.seed, 'series', series);
  }

  /** Local dates (UTC midnights) covering the range, one day of margin each side for time zones. */
  days(): number[] {
    const out: number[] = [];
    for (let d = this.firstDay - DAY; d <= this.lastDay + DAY; d += DAY) out.push(d);
    return out;
  }

  /** Whether `p` can be reached at `ms` at all (employed, not deactivated, not on holiday): the on-call case, weekends included. */
  reachable(p: Person, ms: number): boolean {
    const local = localOf(ms, p.place);
    if (p.status === 'pending' || (p.status === 'inactive' && p.lastDay === undefined)) return false;
    if (p.startDay !== undefined && local.day < p.startDay) return false;
    if (p.deactivatedAt !== undefined && ms >= p.deactivatedAt) return false;
    return !p.pto.has(dayStr(local.day));
  }

  /** Whether `p` can take a meeting at `ms` (working that local day, within waking work hours unless `late`). */
  avail(p: Person, ms: number, late = false): boolean {
    const local = localOf(ms, p.place);
    if (!works(p, local.day)) return false;
    if (p.deactivatedAt !== undefined && ms >= p.deactivatedAt) return false;
    return late || (local.minutes >= 7 * 60 + 30 && local.minutes <= 19 * 60 + 30);
  }

  attend(rng: Prng, who: Who, style: Style, minutes: number, extra: Partial<Attendance> = {}): Attendance {
    const r = rng.next();
    const joinOffset =
      style === 'host'
        ? rng.int(-3, 1)
        : style === 'standup'
          ? r < 0.7
            ? rng.int(-1, 1)
            : r < 0.92
              ? rng.int(2, 4)
              : rng.int(5, 9)
          : style === 'large'
            ? r < 0.5
              ? rng.int(-3, 1)
              : r < 0.85
                ? rng.int(1, 5)
                : rng.int(5, 20)
            : style === 'external'
              ? r < 0.5
                ? rng.int(-4, 0)
                : r < 0.9
                  ? rng.int(0, 5)
                  : rng.int(5, 12)
              : r < 0.6
                ? rng.int(-2, 2)
                : r < 0.9
                  ? rng.int(2, 6)
                  : rng.int(7, 15);
    const leaveEarly =
      style === 'host' ? 0 : rng.chance(style === 'large' ? 0.22 : 0.12) ? rng.int(3, Math.max(4, Math.min(25, Math.floor(minutes / 2)))) : 0;
    const internal = 'p' in who;
    const drop =
      minutes >= 30 && rng.chance(0.06)
        ? { afterMin: rng.int(5, minutes - 15), gapMin: rng.int(1, 3), switchDevice: internal && rng.chance(0.3) }
        : undefined;
    const mobile = internal && style !== 'host' && rng.chance(0.04);
    const dialIn = internal && style !== 'host' && !mobile && rng.chance(0.015);
    return {
      who,
      joinOffset,
      leaveEarly,
      ...(drop ? { drop } : {}),
      ...(mobile ? { mobile } : {}),
      ...(dialIn ? { dialIn } : {}),
      ...(style === 'host' ? { host: true } : {}),
      ...extra,
    };
  }

  /** Adds a planned meeting; the same key twice is a bug. */
  meet(spec: MeetingSpec): Plan {
    if (this.byKey.has(spec.key)) throw new Error(`duplicate meeting key ${spec.key}`);
    const id = spec.series
      ? this.seriesId(spec.series)
      : spec.type === 4
        ? spec.host.pmi
        : hInt(81_000_000_000, 99_899_999_999, this.seed, 'meeting', spec.key);
    const overrun = Math.round((h01('overrun', this.seed, spec.key) - 0.55) * Math.min(20, spec.minutes / 3));
    const end = spec.start + Math.max(5, spec.minutes + overrun) * MIN;
    const recordChance = typeof spec.record === 'number' ? spec.record : spec.record ? 1 : 0;
    const recorded = h01('rec', this.seed, spec.key) < recordChance;
    const recording: RecordingPlan | undefined = recorded
      ? { transcript: spec.transcript ?? h01('vtt', this.seed, spec.key) < 0.5, downloads: [] }
      : undefined;
    // A host on holiday does not host: a recurring meeting then runs without them (join before host).
    const hostIn = !spec.hostAbsent && this.reachable(spec.host, spec.start);
    const hasHost = spec.attendees.some((a) => a.host);
    const attendees =
      hostIn && !hasHost ? [{ who: { p: spec.host }, joinOffset: -1, leaveEarly: 0, host: true } as Attendance, ...spec.attendees] : spec.attendees;
    // One attendance per person: drop duplicates (a person listed twice by two rules).
    const seen = new Set<string>();
    const unique = attendees.filter((a) => {
      const k = 'p' in a.who ? a.who.p.email : a.who.x.key;
      if (seen.has(k)) return false;
      seen.add(k);
      return true;
    });
    const plan: Plan = {
      key: spec.key,
      uuid: meetingUuid(this.seed, spec.key),
      id,
      host: spec.host,
      topic: spec.topic,
      type: spec.type,
      start: spec.start,
      scheduledMin: spec.minutes,
      end,
      attendees: unique,
      waitingRoom: spec.waitingRoom ?? false,
      registration: spec.registration ?? false,
      chat: spec.chat ?? h01('chat', this.seed, spec.key) < 0.35,
      ...(recording ? { recording } : {}),
      category: spec.category,
      tags: spec.tags ?? [],
      ...(spec.hostLateMin !== undefined ? { hostLateMin: spec.hostLateMin } : {}),
    };
    this.plans.push(plan);
    this.byKey.set(spec.key, plan);
    return plan;
  }

  get(key: string): Plan | undefined {
    return this.byKey.get(key);
  }

  note(b: Behaviour): void {
    const existing = this.behaviours.find((x) => x.id === b.id);
    if (existing) {
      for (const k of ['emails', 'names', 'meetings', 'ips'] as const) for (const v of b[k]) if (!existing[k].includes(v)) existing[k].push(v);
      return;
    }
    this.behaviours.push({ ...b, emails: [...b.emails], names: [...b.names], meetings: [...b.meetings], ips: [...b.ips] });
  }
}

const P = (p: Person): Who => ({ p });
const X = (x: External): Who => ({ x });
const pmiTopic = (p: Person) => `${p.name}'s Personal Meeting Room`;
const half = (m: number) => Math.round(m / 30) * 30;

/** Every generator, in a fixed order (each draws from its own random stream). */
export function buildCalendar(dir: Directory, seed: number, firstDay: number, lastDay: number, endMs: number): Calendar {
  const cal = new Calendar(dir, seed, firstDay, lastDay, endMs);
  engineering(cal);
  product(cal);
  sales(cal);
  customerSuccess(cal);
  marketing(cal);
  finance(cal);
  people(cal);
  legal(cal);
  executives(cal);
  company(cal);
  itWork(cal);
  adHoc(cal);
  return cal;
}

const active = (cal: Calendar) => cal.dir.people.filter((p) => p.status === 'active' || p.lastDay !== undefined);
const team = (cal: Calendar, name: string) => active(cal).filter((p) => p.team === name);
const K = (cal: Calendar, key: string): Person => {
  const p = cal.dir.key[key];
  if (!p) throw new Error(`no person with key ${key}`);
  return p;
};

/** Sprint boundaries: two-week sprints starting on Mondays from 2026-11-16. */
const isSprintStart = (day: number) => weekday(day) === 1 && Math.round((day - Date.parse('2026-11-16T00:00:00Z')) / DAY) % 14 === 0;

function engineering(cal: Calendar): void {
  const rng = cal.rng('engineering');
  const squads = ['Platform', 'Data', 'Web', 'Mobile', 'Integrations', 'Payments'];
  const contractors = cal.dir.outsiders.contractors ?? [];
  const pms = active(cal).filter((p) => p.title === 'Product Manager');
  const designers = active(cal).filter((p) => p.title === 'Product Designer');
  cal.note({
    id: 'contractors-daily',
    summary: 'Vistula Software contractors (external emails) attend the Integrations squad standup and pair with its engineers every day',
    emails: contractors.map((c) => c.email),
    names: contractors.map((c) => c.name),
    meetings: [],
    ips: contractors.map((c) => c.ip),
  });
  for (const [si, squad] of squads.entries()) {
    const members = team(cal, squad);
    const em = members.find((p) => p.title === 'Engineering Manager')!;
    const place = em.place;
    const pm = pms[si % pms.length]!;
    const designer = designers[si % designers.length]!;
    for (const day of cal.days()) {
      if (isWeekend(day)) continue;
      const standup = atLocal(day, 9 * 60 + 45, place);
      const present = members.filter((p) => cal.avail(p, standup) && rng.chance(0.93));
      if (present.length >= 2) {
        const atts = present.filter((p) => p !== em).map((p) => cal.attend(rng, P(p), 'standup', 15));
        if (squad === 'Integrations') for (const c of contractors) if (rng.chance(0.9)) atts.push(cal.attend(rng, X(c), 'standup', 15));
        if (rng.chance(0.3) && cal.avail(pm, standup)) atts.push(cal.attend(rng, P(pm), 'standup', 15));
        const emIn = cal.avail(em, standup) && present.includes(em);
        cal.meet({
          key: `standup:${squad}:${dayStr(day)}`,
          host: em,
          topic: `${squad} squad standup`,
          type: 8,
          series: `standup:${squad}`,
          start: standup,
          minutes: 15,
          attendees: atts,
          category: 'standup',
          hostAbsent: !emIn,
        });
      }
      // Sprint ceremonies.
      if (isSprintStart(day)) {
        const t = atLocal(day, 10 * 60 + 30, place);
        const atts = members.filter((p) => p !== em && cal.avail(p, t)).map((p) => cal.attend(rng, P(p), 'meeting', 90));
        for (const x of [pm, designer]) if (cal.avail(x, t)) atts.push(cal.attend(rng, P(x), 'meeting', 90));
        if (squad === 'Integrations') for (const c of contractors) atts.push(cal.attend(rng, X(c), 'meeting', 90));
        if (cal.avail(em, t))
          cal.meet({
            key: `planning:${squad}:${dayStr(day)}`,
            host: em,
            topic: `${squad} sprint planning`,
            type: 8,
            series: `planning:${squad}`,
            start: t,
            minutes: 90,
            attendees: atts,
            category: 'sprint',
            tags: ['screen share'],
          });
      }
      if (weekday(day) === 5 && isSprintStart(day + 3 * DAY)) {
        const t = atLocal(day, 14 * 60, place);
        const atts = members.filter((p) => p !== em && cal.avail(p, t)).map((p) => cal.attend(rng, P(p), 'meeting', 60, { shares: rng.chance(0.5) }));
        for (const x of [pm, designer, K(cal, 'vpeng')]) if (cal.avail(x, t) && rng.chance(0.7)) atts.push(cal.attend(rng, P(x), 'meeting', 60));
        if (squad === 'Integrations') for (const c of contractors) atts.push(cal.attend(rng, X(c), 'meeting', 60, { shares: true }));
        if (atts.length >= 2 && cal.avail(em, t)) {
          const review = cal.meet({
            key: `review:${squad}:${dayStr(day)}`,
            host: em,
            topic: `${squad} sprint review & retro`,
            type: 8,
            series: `review:${squad}`,
            start: t,
            minutes: 60,
            attendees: atts,
            category: 'sprint',
            record: true,
            transcript: true,
          });
          void review;
        }
      }
      // 1:1s every other week on the manager's personal meeting room.
      for (const r of members.filter((p) => p !== em)) {
        const wd = hInt(1, 5, 'oneonone', r.email);
        const parity = hInt(0, 1, 'parity', r.email);
        const week = Math.floor((day - Date.parse('2026-11-02T00:00:00Z')) / (7 * DAY));
        if (weekday(day) !== wd || week % 2 !== parity) continue;
        const t = atLocal(day, half(hInt(11 * 60, 16 * 60, 'slot', r.email)), place);
        if (cal.avail(r, t) && cal.avail(em, t))
          cal.meet({
            key: `1on1:${r.email}:${dayStr(day)}`,
            host: em,
            topic: pmiTopic(em),
            type: 4,
            start: t,
            minutes: 30,
            attendees: [cal.attend(rng, P(r), 'meeting', 30)],
            category: '1:1',
          });
      }
      // Pairing sessions on an engineer's personal room, screen sharing for hours.
      const engineers = members.filter((p) => p.title === 'Software Engineer' && cal.avail(p, atLocal(day, 13 * 60, place)));
      const pairs = rng.int(0, 2);
      for (let i = 0; i < pairs && engineers.length >= 2; i++) {
        const [a, b] = rng.sample(engineers, 2) as [Person, Person];
        const t = atLocal(day, half(rng.int(10 * 60, 15 * 60)), a.place);
        const mins = rng.int(45, 150);
        cal.meet({
          key: `pair:${squad}:${dayStr(day)}:${i}`,
          host: a,
          topic: pmiTopic(a),
          type: 4,
          start: t,
          minutes: mins,
          attendees: [cal.attend(rng, P(b), 'meeting', mins, { shares: true })],
          category: 'pairing',
          tags: ['screen share'],
          record: 0.08,
        });
      }
      if (squad === 'Integrations' && engineers.length > 0 && rng.chance(0.6)) {
        const a = rng.pick(engineers);
        const c = rng.pick(contractors);
        const t = atLocal(day, half(rng.int(9 * 60 + 30, 11 * 60 + 30)), a.place);
        cal.meet({
          key: `pair:contractor:${dayStr(day)}`,
          host: a,
          topic: pmiTopic(a),
          type: 4,
          start: t,
          minutes: rng.int(40, 120),
          attendees: [cal.attend(rng, X(c), 'meeting', 60, { shares: true })],
          category: 'pairing',
          tags: ['contractor'],
        });
      }
    }
  }
  const eng = active(cal).filter((p) => p.dept === 'Engineering');
  const nyc = PLACES.NYC;
  for (const day of cal.days()) {
    if (isWeekend(day)) continue;
    const wd = weekday(day);
    if (wd === 3) {
      const t = atLocal(day, 11 * 60, nyc);
      const atts = eng
        .filter((p) => p !== K(cal, 'cto') && cal.avail(p, t, p.place.tz >= 0) && rng.chance(0.85))
        .map((p) => cal.attend(rng, P(p), 'large', 45));
      if (cal.avail(K(cal, 'cto'), t))
        cal.meet({
          key: `eng-allhands:${dayStr(day)}`,
          host: K(cal, 'cto'),
          topic: 'Engineering all-hands',
          type: 8,
          series: 'eng-allhands',
          start: t,
          minutes: 45,
          attendees: atts,
          category: 'all-hands',
          record: true,
          transcript: true,
        });
    }
    if (wd === 4) {
      const t = atLocal(day, 14 * 60, nyc);
      const pool = eng.filter((p) => (p.title !== 'Software Engineer' || h01('staff', p.email) < 0.2) && cal.avail(p, t));
      const atts = rng.sample(pool, rng.int(8, 14)).map((p) => cal.attend(rng, P(p), 'meeting', 60, { shares: rng.chance(0.2) }));
      cal.meet({
        key: `arch:${dayStr(day)}`,
        host: K(cal, 'vpeng'),
        topic: 'Architecture review',
        type: 8,
        series: 'arch-review',
        start: t,
        minutes: 60,
        attendees: atts,
        category: 'review',
        record: 0.5,
      });
    }
    if (wd === 2 || wd === 4) {
      const features = [
        'usage-based billing',
        'SSO for workspaces',
        'forecast explainability',
        'mobile offline mode',
        'Snowflake connector v2',
        'audit log export',
        'alerting rules engine',
        'data retention controls',
      ];
      const feature = features[hInt(0, features.length - 1, 'feature', day)]!;
      const t = atLocal(day, 13 * 60, nyc);
      const host = rng.pick(pms);
      if (cal.avail(host, t)) {
        const pool = [...designers, ...eng.filter((p) => p.title !== 'Site Reliability Engineer')].filter((p) => cal.avail(p, t));
        const atts = rng.sample(pool, rng.int(4, 8)).map((p) => cal.attend(rng, P(p), 'meeting', 45, { shares: p.team === 'Design' }));
        cal.meet({
          key: `design:${dayStr(day)}`,
          host,
          topic: `Design review: ${feature}`,
          type: 2,
          start: t,
          minutes: 45,
          attendees: atts,
          category: 'review',
          record: 0.4,
          tags: ['screen share'],
        });
      }
    }
    if (wd === 1) {
      const t = atLocal(day, 10 * 60, nyc);
      const sre = team(cal, 'SRE').filter((p) => cal.avail(p, t));
      if (sre.length >= 2)
        cal.meet({
          key: `oncall:${dayStr(day)}`,
          host: K(cal, 'srelead'),
          topic: 'On-call handoff',
          type: 8,
          series: 'oncall-handoff',
          start: t,
          minutes: 20,
          attendees: sre.map((p) => cal.attend(rng, P(p), 'standup', 20)),
          category: 'standup',
        });
    }
    if (wd === 3) {
      const t = atLocal(day, 15 * 60, nyc);
      const sec = ['seclead', 'seceng', 'itdir', 'itadmin1', 'itadmin2', 'srelead'].map((k) => K(cal, k)).filter((p) => cal.avail(p, t));
      cal.meet({
        key: `security-weekly:${dayStr(day)}`,
        host: K(cal, 'seclead'),
        topic: 'Security weekly',
        type: 8,
        series: 'security-weekly',
        start: t,
        minutes: 45,
        attendees: sec.map((p) => cal.attend(rng, P(p), 'meeting', 45)),
        category: 'team',
      });
    }
  }
  // Incidents: a bridge on the on-call engineer's personal room (one at night, people on phones), then a review.
  const sre = team(cal, 'SRE');
  const incidentDays = [cal.firstDay + rng.int(1, 4) * DAY, cal.firstDay + rng.int(5, 9) * DAY, cal.lastDay - rng.int(1, 3) * DAY];
  for (const [i, day] of incidentDays.entries()) {
    const night = i === 1;
    const onCall = sre.filter((p) => cal.reachable(p, day + 12 * HOUR))[i % sre.length] ?? sre[i % sre.length]!;
    const t = night ? atLocal(day, 2 * 60 + 17, onCall.place) : atLocal(day, rng.int(10 * 60, 16 * 60), onCall.place);
    const n = 1000 + hInt(100, 899, cal.seed, 'inc', i);
    // Paged responders come whatever the day; the night one finds people in bed, on their phones.
    const responders = rng.sample(
      eng.filter((p) => p !== onCall && (night || isWeekend(localOf(t, p.place).day) ? cal.reachable(p, t) : cal.avail(p, t))),
      rng.int(5, 11),
    );
    const atts = responders.map((p) =>
      cal.attend(rng, P(p), 'large', 90, {
        joinOffset: rng.int(2, 35),
        ...(night && rng.chance(0.5) ? { mobile: true } : {}),
        ...(night && rng.chance(0.1) ? { dialIn: true } : {}),
      }),
    );
    const summaries = ['elevated API latency', 'forecast jobs stuck in queue', 'Snowflake sync failures for EU tenants'];
    cal.meet({
      key: `incident:${i}`,
      host: onCall,
      topic: pmiTopic(onCall),
      type: 4,
      start: t,
      minutes: rng.int(60, 150),
      attendees: atts,
      category: 'incident',
      tags: ['incident bridge', night ? 'night' : 'day'],
      record: 0.3,
    });
    const reviewDay = day + 2 * DAY + (isWeekend(day + 2 * DAY) ? 2 * DAY : 0);
    const rt = atLocal(reviewDay, 14 * 60, PLACES.NYC);
    cal.meet({
      key: `incident-review:${i}`,
      host: K(cal, 'srelead'),
      topic: `Incident review: INC-${n} ${summaries[i]}`,
      type: 2,
      start: rt,
      minutes: 45,
      attendees: [...responders.slice(0, 6), onCall, K(cal, 'vpeng')]
        .filter((p) => cal.avail(p, rt))
        .map((p) => cal.attend(rng, P(p), 'meeting', 45)),
      category: 'review',
      record: true,
    });
  }
  // Vendors: the cloud provider's account review and the penetration test readout.
  const cloud = cal.dir.outsiders.cloud ?? [];
  const vt = atLocal(cal.firstDay + 7 * DAY + (isWeekend(cal.firstDay + 7 * DAY) ? 2 * DAY : 0), 13 * 60, PLACES.NYC);
  cal.meet({
    key: 'vendor:nimbus',
    host: K(cal, 'vpeng'),
    topic: 'Nimbus Cloud – quarterly account review',
    type: 2,
    start: vt,
    minutes: 60,
    attendees: [P(K(cal, 'srelead')), P(K(cal, 'cfo'))]
      .map((w) => cal.attend(rng, w, 'meeting', 60))
      .concat(cloud.map((c) => cal.attend(rng, X(c), 'external', 60, { shares: true }))),
    category: 'vendor',
    waitingRoom: true,
  });
  const pen = cal.dir.outsiders.pentest ?? [];
  const pt = atLocal(cal.firstDay + 3 * DAY + (isWeekend(cal.firstDay + 3 * DAY) ? 2 * DAY : 0), 11 * 60, PLACES.NYC);
  cal.meet({
    key: 'vendor:pentest',
    host: K(cal, 'seclead'),
    topic: 'Penetration test readout – Ironclad Security',
    type: 2,
    start: pt,
    minutes: 75,
    attendees: [P(K(cal, 'seceng')), P(K(cal, 'cto')), P(K(cal, 'vpeng')), P(K(cal, 'itdir'))]
      .map((w) => cal.attend(rng, w, 'meeting', 75))
      .concat(pen.map((c) => cal.attend(rng, X(c), 'external', 75, { shares: true }))),
    category: 'vendor',
    waitingRoom: true,
    record: true,
  });
}

function product(cal: Calendar): void {
  const rng = cal.rng('product');
  const productTeam = active(cal).filter((p) => p.dept === 'Product');
  const researcher = K(cal, 'researcher');
  const scribly = cal.dir.outsiders.scribly ?? [];
  for (const day of cal.days()) {
    if (isWeekend(day)) continue;
    const wd = weekday(day);
    if (wd === 2) {
      const t = atLocal(day, 15 * 60, PLACES.NYC);
      const pool = [...productTeam, K(cal, 'cto'), K(cal, 'vpeng'), ...active(cal).filter((p) => p.title === 'Engineering Manager')].filter(
        (p) => p !== K(cal, 'vpprod') && cal.avail(p, t),
      );
      cal.meet({
        key: `product-review:${dayStr(day)}`,
        host: K(cal, 'vpprod'),
        topic: 'Product review',
        type: 8,
        series: 'product-review',
        start: t,
        minutes: 60,
        attendees: pool.map((p) => cal.attend(rng, P(p), 'meeting', 60, { shares: p.title === 'Product Manager' && rng.chance(0.4) })),
        category: 'review',
      });
    }
    // Customer research interviews, recorded with a note-taker; the recordings circulate widely.
    if ((wd === 2 || wd === 3 || wd === 4) && cal.avail(researcher, atLocal(day, 12 * 60, PLACES.NYC))) {
      const customer = rng.pick(cal.dir.customers);
      const contact = rng.pick(customer.contacts);
      const t = atLocal(day, half(rng.int(10 * 60, 16 * 60)), PLACES.NYC);
      const observers = rng.sample(
        productTeam.filter((p) => p !== researcher && cal.avail(p, t)),
        rng.int(1, 2),
      );
      const atts = [
        ...observers.map((p) => cal.attend(rng, P(p), 'meeting', 45)),
        cal.attend(rng, X(contact), 'external', 45, { waitingRoom: true }),
      ];
      if (scribly.length > 0) atts.push({ who: X(scribly[0]!), joinOffset: 0, leaveEarly: 0 });
      const plan = cal.meet({
        key: `research:${dayStr(day)}`,
        host: researcher,
        topic: `Customer research interview – ${customer.name}`,
        type: 2,
        start: t,
        minutes: 45,
        attendees: atts,
        category: 'research',
        waitingRoom: true,
        record: true,
        transcript: true,
        tags: ['note-taker bot'],
      });
      // Designers, PMs and engineers who were not in the interview download the recording to clip highlights.
      for (const viewer of rng.sample(
        active(cal).filter((p) => (p.dept === 'Product' || p.team === 'Web' || p.team === 'Mobile') && !observers.includes(p) && p !== researcher),
        rng.int(1, 3),
      )) {
        plan.recording!.downloads.push({
          at: plan.end + rng.int(3, 40) * HOUR,
          by: viewer,
          why: 'watches the customer research interview she/he missed (research recordings are shared with the whole product org)',
        });
        cal.note({
          id: 'research-recording-downloads',
          summary:
            'product, design and engineering staff download customer research interview recordings they were not in (research is shared by design)',
          emails: [viewer.email],
          names: [viewer.name],
          meetings: [plan.uuid],
          ips: [],
        });
      }
    }
  }
  const scribNames = scribly.map((s) => s.name);
  cal.note({
    id: 'approved-notetakers',
    summary:
      'approved note-taker bots (Callwise for sales calls, Scribly for product/CS) join external calls from cloud IPs, never sign in, and stay silent for the whole meeting',
    emails: [],
    names: [...new Set([...scribNames, 'Callwise Recorder'])],
    meetings: [],
    ips: [...NET.bots.callwise, ...NET.bots.scribly],
  });
  const rd = cal.firstDay + 8 * DAY + (isWeekend(cal.firstDay + 8 * DAY) ? 2 * DAY : 0);
  const rt = atLocal(rd, 13 * 60, PLACES.NYC);
  const leaders = ['cto', 'cro', 'vpeng', 'vpsales', 'dircs', 'mktdir', 'ceo'].map((k) => K(cal, k)).filter((p) => cal.avail(p, rt));
  cal.meet({
    key: 'roadmap-fy27',
    host: K(cal, 'vpprod'),
    topic: 'FY27 roadmap planning',
    type: 2,
    start: rt,
    minutes: 120,
    attendees: leaders.map((p) => cal.attend(rng, P(p), 'meeting', 120)),
    category: 'planning',
    record: true,
  });
}

/** A customer call hosted by `host` with some of `customer`'s contacts. */
function customerCall(
  cal: Calendar,
  rng: Prng,
  key: string,
  host: Person,
  customer: Customer,
  topic: string,
  start: number,
  minutes: number,
  extraInternal: Person[],
  opts: { pmi: boolean; bot: boolean; record: number; maxContacts?: number },
): Plan {
  const contacts = rng.sample(customer.contacts, rng.int(1, Math.min(opts.maxContacts ?? 4, customer.contacts.length)));
  const atts: Attendance[] = extraInternal
    .filter((p) => p !== host && cal.avail(p, start))
    .map((p) => cal.attend(rng, P(p), 'meeting', minutes, { shares: p.title === 'Solutions Engineer' }));
  for (const c of contacts)
    atts.push(
      cal.attend(rng, X(c), 'external', minutes, {
        waitingRoom: opts.pmi,
        ...(c.mode === 'phone' ? { dialIn: true } : {}),
        ...(c.mode === 'browser' ? { browser: true } : {}),
      }),
    );
  if (opts.bot) {
    const bot = rng.pick(cal.dir.outsiders.callwise ?? []);
    atts.push({ who: X(bot), joinOffset: 0, leaveEarly: 0 });
  }
  return cal.meet({
    key,
    host,
    topic: opts.pmi ? pmiTopic(host) : topic,
    type: opts.pmi ? 4 : 2,
    start,
    minutes,
    attendees: atts,
    category: 'customer call',
    waitingRoom: opts.pmi || rng.chance(0.3),
    record: opts.record,
    tags: [customer.domain],
  });
}

function sales(cal: Calendar): void {
  const rng = cal.rng('sales');
  const all = active(cal);
  const naTeam = all.filter((p) => p.team === 'Sales NA' || p.team === 'SDR' || (p.team === 'Solutions' && p.place.cc !== 'GB'));
  const emeaTeam = all.filter((p) => p.team === 'Sales EMEA' || (p.team === 'Solutions' && p.place.cc === 'GB'));
  const aes = all.filter((p) => p.title === 'Account Executive');
  const ses = all.filter((p) => p.title === 'Solutions Engineer');
  const sdrs = all.filter((p) => p.team === 'SDR');
  const mgrNA = K(cal, 'salesmgrNA');
  for (const day of cal.days()) {
    if (isWeekend(day)) continue;
    const wd = weekday(day);
    for (const [label, mgr, members, place] of [
      ['NA', mgrNA, naTeam, PLACES.NYC],
      ['EMEA', K(cal, 'salesmgrEMEA'), emeaTeam, PLACES.LON],
    ] as const) {
      const t = atLocal(day, 9 * 60, place);
      const present = members.filter((p) => p !== mgr && cal.avail(p, t) && rng.chance(0.9));
      if (present.length >= 2)
        cal.meet({
          key: `huddle:${label}:${dayStr(day)}`,
          host: mgr,
          topic: `${label} sales huddle`,
          type: 8,
          series: `huddle:${label}`,
          start: t,
          minutes: 15,
          attendees: present.map((p) => cal.attend(rng, P(p), 'standup', 15)),
          category: 'standup',
          hostAbsent: !cal.avail(mgr, t),
        });
    }
    if (wd === 1) {
      const t = atLocal(day, 16 * 60, PLACES.NYC);
      const pool = [...aes, mgrNA, K(cal, 'salesmgrEMEA'), K(cal, 'cro'), K(cal, 'salesops')].filter((p) => cal.avail(p, t));
      cal.meet({
        key: `forecast:${dayStr(day)}`,
        host: K(cal, 'vpsales'),
        topic: 'Weekly forecast call',
        type: 8,
        series: 'forecast',
        start: t,
        minutes: 45,
        attendees: pool.map((p) => cal.attend(rng, P(p), 'meeting', 45)),
        category: 'team',
        record: 0.5,
      });
    }
    if (wd === 3) {
      const t = atLocal(day, 14 * 60, PLACES.NYC);
      const pool = [K(cal, 'controller'), K(cal, 'contracts'), K(cal, 'vpsales'), ...rng.sample(aes, 3)].filter((p) => cal.avail(p, t));
      cal.meet({
        key: `dealdesk:${dayStr(day)}`,
        host: K(cal, 'salesops'),
        topic: 'Deal desk',
        type: 8,
        series: 'dealdesk',
        start: t,
        minutes: 45,
        attendees: pool.map((p) => cal.attend(rng, P(p), 'meeting', 45)),
        category: 'team',
      });
    }
    if (wd === 4) {
      const partners = cal.dir.outsiders.partners ?? [];
      const t = atLocal(day, 11 * 60, PLACES.NYC);
      cal.meet({
        key: `partner:${dayStr(day)}`,
        host: K(cal, 'vpsales'),
        topic: 'Keystone Integrators – partner sync',
        type: 8,
        series: 'partner-sync',
        start: t,
        minutes: 30,
        attendees: [
          ...rng.sample(partners, 2).map((x) => cal.attend(rng, X(x), 'external', 30)),
          ...rng
            .sample(aes, 2)
            .filter((p) => cal.avail(p, t))
            .map((p) => cal.attend(rng, P(p), 'meeting', 30)),
        ],
        category: 'partner call',
      });
    }
    // Account executives' customer calls: 1-4 a day, from their own calendars.
    for (const ae of aes) {
      const owned = cal.dir.customers.filter((c) => c.owner === ae);
      const book = owned.length > 0 ? owned : cal.dir.customers;
      const n = rng.int(1, 4);
      const used = new Set<number>();
      for (let i = 0; i < n; i++) {
        let slot = rng.int(9, 16) * 60 + (rng.chance(0.5) ? 30 : 0);
        while (used.has(slot)) slot = (slot + 60) % (17 * 60);
        used.add(slot);
        const t = atLocal(day, slot, ae.place);
        if (!cal.avail(ae, t)) continue;
        const customer = rng.chance(0.7) ? rng.pick(book) : rng.pick(cal.dir.customers);
        const kind = rng.pick(['Discovery', 'Demo', 'Pricing discussion', 'Renewal', 'MSA redlines', 'Check-in', 'Demo']);
        const extra: Person[] = [];
        if (kind === 'Demo') extra.push(rng.pick(ses));
        if (kind === 'MSA redlines') extra.push(K(cal, 'contracts'));
        if (rng.chance(0.08)) extra.push(ae.team === 'Sales EMEA' ? K(cal, 'salesmgrEMEA') : mgrNA);
        const minutes = kind === 'Check-in' ? 30 : rng.pick([30, 45, 60]);
        const plan = customerCall(
          cal,
          rng,
          `call:${ae.email}:${dayStr(day)}:${i}`,
          ae,
          customer,
          `${customer.name} <> Larkspur | ${kind}`,
          t,
          minutes,
          extra,
          { pmi: rng.chance(0.4), bot: rng.chance(0.9), record: 0.3 },
        );
        if (plan.recording && rng.chance(0.06)) {
          plan.recording.deleted = {
            at: plan.end + rng.int(20, 300) * MIN,
            by: ae,
            permanent: false,
            why: 'the customer asked at the end of the call not to keep a recording',
            viaAdminConsole: false,
          };
          cal.note({
            id: 'customer-asked-delete',
            summary: 'an account executive deletes a call recording because the customer asked for it not to be kept',
            emails: [ae.email],
            names: [ae.name],
            meetings: [plan.uuid],
            ips: [],
          });
        }
        if (plan.recording && rng.chance(0.15)) {
          const mgr = ae.team === 'Sales EMEA' ? K(cal, 'salesmgrEMEA') : mgrNA;
          if (!plan.attendees.some((a) => 'p' in a.who && a.who.p === mgr)) {
            plan.recording.downloads.push({
              at: plan.end + rng.int(2, 30) * HOUR,
              by: mgr,
              why: "sales manager reviews the rep's call recording for coaching",
            });
            cal.note({
              id: 'coaching-downloads',
              summary: "sales managers download their reps' customer call recordings for coaching without having been on the call",
              emails: [mgr.email],
              names: [mgr.name],
              meetings: [plan.uuid],
              ips: [],
            });
          }
        }
        if (plan.recording && rng.chance(0.3))
          plan.recording.downloads.push({ at: plan.end + rng.int(1, 8) * HOUR, by: ae, why: 'host downloads own recording to attach it to the CRM' });
      }
    }
    // SDRs: short first calls with prospects; many no-shows.
    for (const sdr of sdrs) {
      for (let i = 0; i < rng.int(1, 3); i++) {
        const t = atLocal(day, rng.int(9, 16) * 60 + (rng.chance(0.5) ? 30 : 0), sdr.place);
        if (!cal.avail(sdr, t)) continue;
        const customer = rng.pick(cal.dir.customers);
        const noShow = rng.chance(0.25);
        const contact = rng.pick(customer.contacts);
        cal.meet({
          key: `sdr:${sdr.email}:${dayStr(day)}:${i}`,
          host: sdr,
          topic: `Intro: Larkspur x ${customer.name}`,
          type: 2,
          start: t,
          minutes: 20,
          attendees: noShow ? [] : [cal.attend(rng, X(contact), 'external', 20, contact.mode === 'browser' ? { browser: true } : {})],
          category: noShow ? 'no-show' : 'customer call',
          waitingRoom: true,
        });
      }
    }
  }
  cal.note({
    id: 'sales-calls',
    summary:
      'account executives meet 1-4 customers a day from ~55 customer domains, often on their personal meeting room link with a waiting room; customer contacts join signed in, from a browser without an email, or by phone',
    emails: aes.map((a) => a.email),
    names: [],
    meetings: [],
    ips: [],
  });
  const twin = cal.dir.nameCollision;
  cal.note({
    id: 'name-twin',
    summary: `a customer contact at ${twin.contact.org} has exactly the same name as solutions engineer ${twin.employee.name}`,
    emails: [twin.contact.email],
    names: [twin.contact.name],
    meetings: [],
    ips: [twin.contact.ip],
  });
}

function customerSuccess(cal: Calendar): void {
  const rng = cal.rng('cs');
  const all = active(cal);
  const usSupport = all.filter((p) => p.team === 'Support' && p.office !== 'MNL');
  const mnl = all.filter((p) => p.office === 'MNL');
  const csms = all.filter((p) => p.team === 'CSM');
  const supmgr = K(cal, 'supmgr');
  const supeng = all.filter((p) => p.title === 'Support Engineer');
  const scribly = cal.dir.outsiders.scribly ?? [];
  const escalations: number[] = [];
  for (const day of cal.days()) if (!isWeekend(day) && h01('esc', cal.seed, day) < 0.5) escalations.push(day);
  for (const day of cal.days()) {
    if (isWeekend(day)) continue;
    const wd = weekday(day);
    const t = atLocal(day, 9 * 60, PLACES.NYC);
    const present = usSupport.filter((p) => p !== supmgr && cal.avail(p, t));
    if (present.length >= 1)
      cal.meet({
        key: `support-standup:${dayStr(day)}`,
        host: supmgr,
        topic: 'Support standup',
        type: 8,
        series: 'support-standup',
        start: t,
        minutes: 15,
        attendees: present.map((p) => cal.attend(rng, P(p), 'standup', 15)),
        category: 'standup',
        hostAbsent: !cal.avail(supmgr, t),
      });
    // The Manila pod's shift handoff at 08:00 Manila (19:00 the evening before in New York).
    const mt = atLocal(day, 8 * 60, PLACES.MNL);
    const mp = mnl.filter((p) => cal.avail(p, mt));
    if (mp.length >= 2) {
      const atts = mp.slice(1).map((p) => cal.attend(rng, P(p), 'standup', 20));
      if (rng.chance(0.5)) atts.push(cal.attend(rng, P(supmgr), 'standup', 20, { mobile: true }));
      if (rng.chance(0.4)) atts.push(cal.attend(rng, P(supeng[0]!), 'standup', 20));
      cal.meet({
        key: `mnl-handoff:${dayStr(day)}`,
        host: mp[0]!,
        topic: 'Manila shift handoff',
        type: 8,
        series: 'mnl-handoff',
        start: mt,
        minutes: 20,
        attendees: atts,
        category: 'standup',
      });
    }
    if (wd === 4) {
      const ct = atLocal(day, 11 * 60, PLACES.NYC);
      cal.meet({
        key: `cs-team:${dayStr(day)}`,
        host: K(cal, 'dircs'),
        topic: 'Customer Success team meeting',
        type: 8,
        series: 'cs-team',
        start: ct,
        minutes: 45,
        attendees: [...csms, supmgr, ...supeng].filter((p) => cal.avail(p, ct)).map((p) => cal.attend(rng, P(p), 'meeting', 45)),
        category: 'team',
      });
    }
    // Escalations on the standing escalation bridge: the same link, reused with every customer.
    if (escalations.includes(day)) {
      const customer = rng.pick(cal.dir.customers);
      const et = atLocal(day, rng.int(9 * 60, 16 * 60), PLACES.NYC);
      const host = cal.avail(supmgr, et) ? supmgr : supeng[0]!;
      const internal = [
        customer.csm,
        ...rng.sample(supeng, 2),
        ...rng.sample(
          all.filter((p) => p.team === 'SRE' || p.team === 'Integrations'),
          rng.int(1, 3),
        ),
      ].filter((p) => p !== host && cal.avail(p, et));
      const mins = rng.int(45, 120);
      const atts: Attendance[] = internal.map((p) => cal.attend(rng, P(p), 'large', mins, { shares: p.team === 'SRE' && rng.chance(0.3) }));
      for (const c of rng.sample(customer.contacts, rng.int(2, Math.min(5, customer.contacts.length))))
        atts.push(
          cal.attend(rng, X(c), 'external', mins, {
            ...(c.mode === 'phone' ? { dialIn: true } : {}),
            ...(c.mode === 'browser' ? { browser: true } : {}),
            ...(rng.chance(0.2) ? { drop: { afterMin: rng.int(10, 30), gapMin: rng.int(1, 4), switchDevice: false } } : {}),
          }),
        );
      if (rng.chance(0.5) && scribly.length > 0) atts.push({ who: X(scribly[1] ?? scribly[0]!), joinOffset: 1, leaveEarly: 0 });
      cal.meet({
        key: `escalation:${dayStr(day)}`,
        host,
        topic: 'Escalation bridge',
        type: 8,
        series: 'escalation-bridge',
        start: et,
        minutes: mins,
        attendees: atts,
        category: 'escalation',
        record: 0.5,
        tags: [customer.domain, 'standing bridge'],
      });
      cal.note({
        id: 'escalation-bridge',
        summary:
          'support reuses one standing "Escalation bridge" meeting link for every customer escalation; different customers\' engineers join it each time, some by phone or browser',
        emails: [],
        names: [],
        meetings: [cal.get(`escalation:${dayStr(day)}`)!.uuid],
        ips: [],
      });
    }
    // CSMs: check-ins and quarterly business reviews (December is QBR season).
    for (const csm of csms) {
      const book = cal.dir.customers.filter((c) => c.csm === csm);
      for (let i = 0; i < rng.int(1, 2); i++) {
        const ct = atLocal(day, rng.int(9, 16) * 60 + (rng.chance(0.5) ? 30 : 0), csm.place);
        if (!cal.avail(csm, ct) || book.length === 0) continue;
        const customer = rng.pick(book);
        const qbr = rng.chance(0.3);
        const plan = customerCall(
          cal,
          rng,
          `csm:${csm.email}:${dayStr(day)}:${i}`,
          csm,
          customer,
          qbr ? `Q4 business review – ${customer.name}` : `${customer.name} check-in`,
          ct,
          qbr ? 60 : 30,
          qbr ? [customer.owner, ...(rng.chance(0.3) ? [K(cal, 'dircs')] : [])] : [],
          { pmi: !qbr && rng.chance(0.5), bot: false, record: qbr ? 0.6 : 0.1, maxContacts: qbr ? 6 : 2 },
        );
        if (qbr && scribly.length > 0 && rng.chance(0.7)) plan.attendees.push({ who: X(scribly[0]!), joinOffset: 0, leaveEarly: 0 });
      }
    }
    // Customer admin training: many of the customer's users, most in a browser.
    if (wd === 2 || (wd === 4 && rng.chance(0.5))) {
      const customer = rng.pick(cal.dir.customers);
      const csm = customer.csm;
      const tt = atLocal(day, 14 * 60, csm.place);
      if (cal.avail(csm, tt)) {
        const trainees: Attendance[] = [];
        for (let i = 0; i < rng.int(8, 20); i++) {
          const [first, last] = outsiderName(rng, cal.staffNames);
          const browser = rng.chance(0.6);
          const x = oneOff(
            cal.dir,
            'customer',
            `trainee:${customer.domain}`,
            browser && rng.chance(0.4) ? first : `${first} ${last}`,
            browser ? '' : `${slug(first)}.${slug(last)}@${customer.domain}`,
            customer.name,
            rng.chance(0.6) ? customer.place : rng.pick([PLACES.CHI, PLACES.DEN, PLACES.ATL, PLACES.LON, PLACES.BER]),
            { ...(rng.chance(0.6) ? { ip: customer.officeIp } : {}), mode: browser ? 'browser' : 'app' },
          );
          trainees.push(cal.attend(rng, X(x), 'large', 90, { browser }));
        }
        const helper = rng.pick(usSupport);
        if (cal.avail(helper, tt)) trainees.push(cal.attend(rng, P(helper), 'meeting', 90));
        cal.meet({
          key: `training:${dayStr(day)}`,
          host: csm,
          topic: `Larkspur admin training – ${customer.name}`,
          type: 2,
          start: tt,
          minutes: 90,
          attendees: trainees,
          category: 'training',
          record: true,
          transcript: true,
          tags: ['screen share', customer.domain],
        });
        cal.note({
          id: 'customer-training',
          summary:
            "CSMs run admin training for 8-20 of a customer's users at once, most joining from a browser without signing in, many from the customer's office IP",
          emails: [csm.email],
          names: [],
          meetings: [cal.get(`training:${dayStr(day)}`)!.uuid],
          ips: [customer.officeIp],
        });
      }
    }
  }
}

function marketing(cal: Calendar): void {
  const rng = cal.rng('marketing');
  const all = active(cal);
  const mkt = all.filter((p) => p.dept === 'Marketing');
  const mktops = K(cal, 'mktops');
  const community = K(cal, 'community');
  const pmms = all.filter((p) => p.key?.startsWith('pmm'));
  const registrant = (tag: string, i: number): External => {
    const [first, last] = outsiderName(rng, cal.staffNames);
    const personal = rng.chance(0.3);
    const customer = rng.pick(cal.dir.customers);
    const domain = personal
      ? rng.pick(PERSONAL_DOMAINS)
      : rng.chance(0.5)
        ? customer.domain
        : `${slug(rng.pick(LAST_NAMES))}-${rng.pick(['group', 'labs', 'analytics', 'inc', 'partners'])}.example`;
    const email = `${slug(first)}.${slug(last)}${personal ? rng.int(1, 99) : ''}@${domain}`;
    const browser = rng.chance(0.3);
    const place = rng.pick([
      PLACES.NYC,
      PLACES.CHI,
      PLACES.SFO,
      PLACES.AUS,
      PLACES.TOR,
      PLACES.LON,
      PLACES.BER,
      PLACES.PAR,
      PLACES.AMS,
      PLACES.BLR,
      PLACES.SIN,
      PLACES.SYD,
      PLACES.SAO,
      PLACES.DEN,
      PLACES.SEA,
    ]);
    return oneOff(cal.dir, 'attendee', `registrant:${tag}:${i}`, `${first} ${last}`, email, domain, place, { mode: browser ? 'browser' : 'app' });
  };
  const flagshipDay = (() => {
    let d = cal.lastDay - 5 * DAY;
    while (weekday(d) < 2 || weekday(d) > 4) d -= DAY;
    return d;
  })();
  for (const day of cal.days()) {
    if (isWeekend(day)) continue;
    const wd = weekday(day);
    if (wd === 1) {
      const t = atLocal(day, 13 * 60, PLACES.NYC);
      cal.meet({
        key: `mkt-weekly:${dayStr(day)}`,
        host: K(cal, 'mktdir'),
        topic: 'Marketing weekly',
        type: 8,
        series: 'mkt-weekly',
        start: t,
        minutes: 45,
        attendees: mkt.filter((p) => cal.avail(p, t)).map((p) => cal.attend(rng, P(p), 'meeting', 45)),
        category: 'team',
      });
    }
    if (wd === 2) {
      const agency = cal.dir.outsiders.agency ?? [];
      const t = atLocal(day, 11 * 60, PLACES.NYC);
      cal.meet({
        key: `agency:${dayStr(day)}`,
        host: K(cal, 'mktdir'),
        topic: 'Brightwave – campaign review',
        type: 8,
        series: 'agency',
        start: t,
        minutes: 45,
        attendees: [
          ...agency.map((x) => cal.attend(rng, X(x), 'external', 45, { shares: true })),
          ...mkt.filter((p) => p.title !== 'Events Manager' && cal.avail(p, t) && rng.chance(0.5)).map((p) => cal.attend(rng, P(p), 'meeting', 45)),
        ],
        category: 'vendor',
      });
    }
    // The weekly live product demo: registration required, a burst of registrants at the start.
    if (wd === 3) {
      const t = atLocal(day, 11 * 60, PLACES.NYC);
      const n = rng.int(25, 70);
      const atts: Attendance[] = [];
      for (let i = 0; i < n; i++) {
        const x = registrant(`demo:${dayStr(day)}`, i);
        atts.push(cal.attend(rng, X(x), 'large', 45, { registered: true, browser: x.mode === 'browser' }));
      }
      const presenters = [rng.pick(pmms), rng.pick(all.filter((p) => p.title === 'Solutions Engineer'))].filter((p) => cal.avail(p, t));
      for (const p of presenters) atts.push(cal.attend(rng, P(p), 'host', 45, { host: false, shares: true }));
      cal.meet({
        key: `live-demo:${dayStr(day)}`,
        host: mktops,
        topic: 'Live product demo: Larkspur in 30 minutes',
        type: 8,
        series: 'live-demo',
        start: t,
        minutes: 45,
        attendees: atts,
        category: 'webinar',
        registration: true,
        record: true,
        transcript: true,
      });
      cal.note({
        id: 'weekly-demo-webinar',
        summary:
          "marketing's weekly registration-required live demo: 25-70 registrants from many companies and personal addresses join within minutes of the start",
        emails: [mktops.email],
        names: [],
        meetings: [cal.get(`live-demo:${dayStr(day)}`)!.uuid],
        ips: [],
      });
    }
    if (day === flagshipDay) {
      const t = atLocal(day, 12 * 60, PLACES.NYC);
      const n = rng.int(120, 220);
      const atts: Attendance[] = [];
      for (let i = 0; i < n; i++) {
        const x = registrant('flagship', i);
        atts.push(cal.attend(rng, X(x), 'large', 60, { registered: true, browser: x.mode === 'browser' }));
      }
      for (const k of ['ceo', 'vpprod'])
        if (cal.avail(K(cal, k), t)) atts.push(cal.attend(rng, P(K(cal, k)), 'host', 60, { host: false, shares: k === 'vpprod' }));
      const speaker = cal.dir.customers[7]!.contacts[0]!;
      atts.push(cal.attend(rng, X(speaker), 'host', 60, { host: false }));
      cal.meet({
        key: 'flagship-webinar',
        host: mktops,
        topic: 'Larkspur Live: Forecasting in 2027',
        type: 2,
        start: t,
        minutes: 60,
        attendees: atts,
        category: 'webinar',
        registration: true,
        record: true,
        transcript: true,
      });
      cal.note({
        id: 'flagship-webinar',
        summary: 'the flagship webinar: 120-220 registered attendees from dozens of companies and countries join in the first minutes',
        emails: [mktops.email],
        names: [],
        meetings: [cal.get('flagship-webinar')!.uuid],
        ips: [],
      });
    }
    // Public community office hours on Mondays and Thursdays: the link is posted on the community forum and LinkedIn.
    if (wd === 1 || wd === 4) {
      const t = atLocal(day, 12 * 60, PLACES.NYC);
      if (cal.avail(community, t)) {
        const pool = cal.dir.outsiders.community ?? [];
        const atts = rng
          .sample(pool, rng.int(10, 28))
          .map((x) => cal.attend(rng, X(x), 'large', 45, { browser: x.mode === 'browser', ...(rng.chance(0.1) ? { briefMin: rng.int(1, 4) } : {}) }));
        for (const p of rng.sample(
          all.filter((p) => p.dept === 'Product' || p.title === 'Solutions Engineer'),
          2,
        ))
          if (cal.avail(p, t)) atts.push(cal.attend(rng, P(p), 'meeting', 45, { shares: rng.chance(0.5) }));
        cal.meet({
          key: `office-hours:${dayStr(day)}`,
          host: community,
          topic: 'Larkspur community office hours',
          type: 8,
          series: 'office-hours',
          start: t,
          minutes: 45,
          attendees: atts,
          category: 'public',
          record: true,
          tags: ['public link'],
        });
        cal.note({
          id: 'community-office-hours',
          summary:
            'public community office hours (link posted on the forum and LinkedIn): 10-28 community members, many not signed in, from all over the world; some pop in for a minute and leave',
          emails: [community.email],
          names: [],
          meetings: [cal.get(`office-hours:${dayStr(day)}`)!.uuid],
          ips: [],
        });
      }
    }
  }
  // The CEO records a podcast episode with an outside host.
  const press = cal.dir.outsiders.press ?? [];
  const pd = cal.firstDay + 4 * DAY + (isWeekend(cal.firstDay + 4 * DAY) ? 2 * DAY : 0);
  const pt = atLocal(pd, 15 * 60, PLACES.NYC);
  if (press.length > 0)
    cal.meet({
      key: 'podcast',
      host: pmms[0]!,
      topic: 'Forecast Weekly podcast – recording with Larkspur CEO',
      type: 2,
      start: pt,
      minutes: 60,
      attendees: [cal.attend(rng, P(K(cal, 'ceo')), 'meeting', 60), cal.attend(rng, X(press[0]!), 'external', 60)],
      category: 'press',
      record: true,
      waitingRoom: true,
    });
}

function finance(cal: Calendar): void {
  const rng = cal.rng('finance');
  const fin = active(cal).filter((p) => p.dept === 'Finance');
  const controller = K(cal, 'controller');
  const cfo = K(cal, 'cfo');
  const auditors = cal.dir.outsiders.auditors ?? [];
  const closeFrom = Date.parse('2026-11-27T00:00:00Z');
  const closeTo = Date.parse('2026-12-07T00:00:00Z');
  const auditFrom = Date.parse('2026-11-30T00:00:00Z');
  const auditTo = Date.parse('2026-12-04T00:00:00Z');
  for (const day of cal.days()) {
    if (isWeekend(day)) continue;
    const wd = weekday(day);
    if (day >= closeFrom && day <= closeTo) {
      const t = atLocal(day, 8 * 60 + 30, PLACES.NYC);
      cal.meet({
        key: `close:${dayStr(day)}`,
        host: controller,
        topic: 'November close – daily standup',
        type: 8,
        series: 'close-standup',
        start: t,
        minutes: 20,
        attendees: fin.filter((p) => p !== controller && cal.avail(p, t)).map((p) => cal.attend(rng, P(p), 'standup', 20)),
        category: 'standup',
      });
    }
    if (day === closeTo) {
      const t = atLocal(day, 15 * 60, PLACES.NYC);
      cal.meet({
        key: 'close-review',
        host: cfo,
        topic: 'November close review',
        type: 2,
        start: t,
        minutes: 60,
        attendees: fin.filter((p) => p !== cfo && cal.avail(p, t)).map((p) => cal.attend(rng, P(p), 'meeting', 60, { shares: p === controller })),
        category: 'review',
        record: true,
      });
    }
    if (day >= auditFrom && day <= auditTo) {
      const t = atLocal(day, 10 * 60, PLACES.NYC);
      const atts: Attendance[] = [
        ...rng
          .sample(auditors, rng.int(2, 4))
          .map((x) => cal.attend(rng, X(x), 'external', 45, { shares: rng.chance(0.3), browser: rng.chance(0.2) })),
        ...fin
          .filter(
            (p) =>
              (p.key === 'accountant1' || p.key === 'accountant2' || p.key === 'ap' || p.key === 'payroll') && cal.avail(p, t) && rng.chance(0.7),
          )
          .map((p) => cal.attend(rng, P(p), 'meeting', 45, { shares: rng.chance(0.3) })),
      ];
      cal.meet({
        key: `audit:${dayStr(day)}`,
        host: controller,
        topic: 'Brightline – interim audit fieldwork sync',
        type: 8,
        series: 'audit-fieldwork',
        start: t,
        minutes: 45,
        attendees: atts,
        category: 'audit',
        waitingRoom: true,
      });
      cal.note({
        id: 'audit-fieldwork',
        summary:
          'external auditors from Brightline Audit join daily fieldwork syncs with finance during interim audit week, sometimes from a browser',
        emails: auditors.map((a) => a.email),
        names: auditors.map((a) => a.name),
        meetings: [cal.get(`audit:${dayStr(day)}`)!.uuid],
        ips: auditors.map((a) => a.ip),
      });
    }
    if (wd === 4) {
      const t = atLocal(day, 11 * 60, PLACES.NYC);
      const ap = K(cal, 'ap');
      if (cal.avail(ap, t))
        cal.meet({
          key: `ap-weekly:${dayStr(day)}`,
          host: ap,
          topic: 'AP weekly – vendor payment run',
          type: 8,
          series: 'ap-weekly',
          start: t,
          minutes: 30,
          attendees: [controller, K(cal, 'accountant2')].filter((p) => cal.avail(p, t)).map((p) => cal.attend(rng, P(p), 'meeting', 30)),
          category: 'team',
        });
    }
    if (wd === 2 && h01('payroll', day) < 0.6) {
      const t = atLocal(day, 14 * 60, PLACES.NYC);
      const vendor = cal.dir.outsiders.payroll ?? [];
      const payroll = K(cal, 'payroll');
      if (cal.avail(payroll, t))
        cal.meet({
          key: `payroll:${dayStr(day)}`,
          host: payroll,
          topic: 'PayStream – payroll sync',
          type: 2,
          start: t,
          minutes: 30,
          attendees: vendor.map((x) => cal.attend(rng, X(x), 'external', 30)),
          category: 'vendor',
        });
    }
  }
  // FY27 budget reviews with each department head (December is budget season).
  const heads = ['cto', 'cro', 'cpo', 'gc', 'vpprod', 'mktdir', 'dircs', 'itdir'];
  for (const [i, k] of heads.entries()) {
    let d = cal.firstDay + (i + 2) * DAY;
    while (isWeekend(d)) d += DAY;
    const t = atLocal(d, half(rng.int(10 * 60, 16 * 60)), PLACES.NYC);
    const head = K(cal, k);
    if (!cal.avail(head, t)) continue;
    cal.meet({
      key: `budget:${k}`,
      host: K(cal, 'fpa'),
      topic: `FY27 budget review – ${head.dept === 'Executive' ? head.title : head.dept}`,
      type: 2,
      start: t,
      minutes: 45,
      attendees: [head, cfo].filter((p) => cal.avail(p, t)).map((p) => cal.attend(rng, P(p), 'meeting', 45)),
      category: 'planning',
      tags: ['screen share'],
    });
  }
  const bank = cal.dir.outsiders.bank ?? [];
  let bd = cal.firstDay + 6 * DAY;
  while (isWeekend(bd)) bd += DAY;
  const bt = atLocal(bd, 11 * 60, PLACES.NYC);
  cal.meet({
    key: 'treasury',
    host: cfo,
    topic: 'Treasury review – Harbor Bank',
    type: 2,
    start: bt,
    minutes: 45,
    attendees: [cal.attend(rng, P(controller), 'meeting', 45), ...bank.map((x) => cal.attend(rng, X(x), 'external', 45))],
    category: 'vendor',
    waitingRoom: true,
  });
  // A finance analyst records a working session by mistake (payroll figures on screen) and deletes it at once.
  const fpaAnalyst = fin.find((p) => p.title === 'FP&A Analyst')!;
  let od = cal.firstDay + 9 * DAY;
  while (isWeekend(od) || !works(fpaAnalyst, od)) od += DAY;
  const ot = atLocal(od, 14 * 60, PLACES.NYC);
  const oops = cal.meet({
    key: 'fin-working-session',
    host: fpaAnalyst,
    topic: pmiTopic(fpaAnalyst),
    type: 4,
    start: ot,
    minutes: 40,
    attendees: [cal.attend(rng, P(K(cal, 'fpa')), 'meeting', 40, { shares: true })],
    category: 'working session',
    record: true,
  });
  oops.recording!.deleted = {
    at: oops.end + 25 * MIN,
    by: fpaAnalyst,
    permanent: true,
    why: 'the working session was recorded by accident with salary figures on screen; deleted for good at once',
    viaAdminConsole: false,
  };
  cal.note({
    id: 'accidental-recording',
    summary: 'an FP&A analyst deletes (and empties from trash) a recording made by accident of a working session showing salary data',
    emails: [fpaAnalyst.email],
    names: [fpaAnalyst.name],
    meetings: [oops.uuid],
    ips: [],
  });
}

function people(cal: Calendar): void {
  const rng = cal.rng('people');
  const all = active(cal);
  const recruiters = all.filter((p) => p.team === 'Talent' && p.title === 'Recruiter');
  const openRoles: [string, Person[]][] = [
    ['Senior Software Engineer, Platform', team(cal, 'Platform')],
    ['Data Engineer', team(cal, 'Data')],
    ['Account Executive', all.filter((p) => p.title === 'Account Executive' || p.key === 'salesmgrNA')],
    ['Customer Success Manager', all.filter((p) => p.team === 'CSM' || p.key === 'dircs')],
    ['Product Designer', team(cal, 'Design')],
  ];
  for (const day of cal.days()) {
    if (isWeekend(day)) continue;
    for (let i = 0; i < rng.int(2, 4); i++) {
      const [role, panel] = rng.pick(openRoles);
      const [first, last] = outsiderName(rng, cal.staffNames);
      const guest = rng.chance(0.4);
      const candidate = oneOff(
        cal.dir,
        'candidate',
        'candidates',
        guest ? (rng.chance(0.3) ? `${first}` : `${first} ${last}`) : `${first} ${last}`,
        guest ? '' : `${slug(first)}${rng.chance(0.5) ? '.' : ''}${slug(last)}${rng.chance(0.4) ? rng.int(1, 99) : ''}@${rng.pick(PERSONAL_DOMAINS)}`,
        'candidate',
        rng.pick([PLACES.NYC, PLACES.BOS, PLACES.CHI, PLACES.ATL, PLACES.LON, PLACES.DEN, PLACES.TOR, PLACES.SFO]),
        { mode: guest ? 'browser' : 'app' },
      );
      const t = atLocal(day, half(rng.int(9 * 60 + 30, 16 * 60)), PLACES.NYC);
      const interviewers = rng.sample(
        panel.filter((p) => cal.avail(p, t)),
        rng.int(1, 3),
      );
      if (interviewers.length === 0) continue;
      const host = rng.chance(0.5) ? rng.pick(recruiters) : interviewers[0]!;
      if (!cal.avail(host, t)) continue;
      const mins = interviewers.length > 1 ? 60 : 45;
      // A panel: interviewers take turns and leave when their part is done.
      const atts: Attendance[] = [cal.attend(rng, X(candidate), 'external', mins, { waitingRoom: true, browser: guest })];
      interviewers.forEach((p, j) => {
        if (p === host) return;
        atts.push(
          cal.attend(rng, P(p), 'meeting', mins, {
            joinOffset: j * Math.floor(mins / interviewers.length) + rng.int(-1, 2),
            leaveEarly: Math.max(0, mins - (j + 1) * Math.floor(mins / interviewers.length)),
          }),
        );
      });
      const plan = cal.meet({
        key: `interview:${dayStr(day)}:${i}`,
        host,
        topic: `Interview: ${candidate.name} – ${role}`,
        type: 2,
        start: t,
        minutes: mins,
        attendees: atts,
        category: 'interview',
        waitingRoom: true,
        record: 0.25,
        tags: ['candidate'],
      });
      if (plan.recording) {
        const recruiter = recruiters.includes(host) ? host : rng.pick(recruiters);
        plan.recording.deleted = {
          at: plan.end + rng.int(2, 5) * DAY + rng.int(0, 6) * HOUR,
          by: host,
          permanent: false,
          why: 'HR policy: interview recordings are deleted within a week, once the hiring decision is made',
          viaAdminConsole: false,
        };
        cal.note({
          id: 'interview-recording-policy',
          summary: 'interview recordings (with consent) are deleted by their host within a week per HR policy',
          emails: [host.email],
          names: [host.name],
          meetings: [plan.uuid],
          ips: [],
        });
        const hm = panel.find((p) => p.title.includes('Manager') && !interviewers.includes(p));
        if (hm && rng.chance(0.5)) {
          plan.recording.downloads.push({
            at: plan.end + rng.int(2, 20) * HOUR,
            by: hm,
            why: 'hiring manager watches the interview she/he could not attend before the debrief',
          });
          cal.note({
            id: 'hiring-manager-downloads',
            summary: 'a hiring manager downloads the recording of an interview she/he was not in, before the debrief',
            emails: [hm.email],
            names: [hm.name],
            meetings: [plan.uuid],
            ips: [],
          });
        }
        if (rng.chance(0.3))
          plan.recording.downloads.push({
            at: plan.end + rng.int(1, 6) * HOUR,
            by: recruiter,
            why: 'recruiter saves the interview for the hiring committee',
          });
      }
    }
    if (weekday(day) === 2) {
      const t = atLocal(day, 14 * 60, PLACES.NYC);
      const agency = cal.dir.outsiders.recruiters ?? [];
      cal.meet({
        key: `recruiting-sync:${dayStr(day)}`,
        host: recruiters[0]!,
        topic: 'TalentBridge – recruiting sync',
        type: 8,
        series: 'recruiting-sync',
        start: t,
        minutes: 30,
        attendees: [
          ...agency.map((x) => cal.attend(rng, X(x), 'external', 30)),
          ...recruiters.slice(1).map((p) => cal.attend(rng, P(p), 'meeting', 30)),
        ],
        category: 'vendor',
      });
    }
    if (weekday(day) === 5) {
      const t = atLocal(day, 9 * 60, PLACES.NYC);
      cal.meet({
        key: `org-planning:${dayStr(day)}`,
        host: K(cal, 'cpo'),
        topic: 'Org planning – confidential',
        type: 8,
        series: 'org-planning',
        start: t,
        minutes: 45,
        attendees: ['ceo', 'cfo', 'cos']
          .map((k) => K(cal, k))
          .filter((p) => cal.avail(p, t))
          .map((p) => cal.attend(rng, P(p), 'meeting', 45)),
        category: 'exec',
      });
    }
  }
  // Onboarding: the new starters' orientation and IT setup on their first Monday.
  const starters = all.filter((p) => p.startDay === cal.dir.newHireDay);
  const d = cal.dir.newHireDay;
  const ot = atLocal(d, 10 * 60, PLACES.NYC);
  if (ot < cal.endMs) {
    const atts = starters.map((p) => cal.attend(rng, P(p), 'meeting', 120, { joinOffset: rng.int(-5, 3) }));
    atts.push(cal.attend(rng, P(K(cal, 'cpo')), 'meeting', 120, { leaveEarly: 95 }));
    atts.push(cal.attend(rng, P(K(cal, 'ceo')), 'meeting', 120, { joinOffset: 30, leaveEarly: 70 }));
    cal.meet({
      key: 'orientation',
      host: K(cal, 'peopleops'),
      topic: 'New hire orientation',
      type: 2,
      start: ot,
      minutes: 120,
      attendees: atts,
      category: 'onboarding',
      record: true,
    });
    const it = atLocal(d, 13 * 60 + 30, PLACES.NYC);
    cal.meet({
      key: 'it-setup',
      host: K(cal, 'itadmin2'),
      topic: 'IT setup – new starters',
      type: 2,
      start: it,
      minutes: 60,
      attendees: starters.map((p) => cal.attend(rng, P(p), 'meeting', 60, { shares: true })),
      category: 'onboarding',
    });
    cal.note({
      id: 'new-hires',
      summary:
        'four new employees start on Monday: accounts created days before, first sign-in from brand-new laptops and phones, orientation and IT setup calls',
      emails: starters.map((p) => p.email),
      names: starters.map((p) => p.name),
      meetings: [cal.get('orientation')!.uuid, cal.get('it-setup')!.uuid],
      ips: [],
    });
  }
  // Performance-review training for managers (two sessions), and the 2027 benefits Q&A with the broker.
  const managers = all.filter((p) => /Manager|Director|Lead|VP|Chief|Controller|Counsel/.test(p.title));
  for (const [i, offset] of [3, 8].entries()) {
    let td = cal.firstDay + offset * DAY;
    while (isWeekend(td)) td += DAY;
    const t = atLocal(td, 12 * 60, PLACES.NYC);
    const attendees = managers.filter((p) => cal.avail(p, t, p.place.tz >= 0) && rng.chance(0.45));
    const plan = cal.meet({
      key: `perf-training:${i}`,
      host: K(cal, 'hrbp1'),
      topic: 'Manager training: writing performance reviews',
      type: 2,
      start: t,
      minutes: 60,
      attendees: attendees.map((p) => cal.attend(rng, P(p), 'large', 60)),
      category: 'training',
      record: true,
    });
    for (const m of rng.sample(
      managers.filter((p) => !attendees.includes(p) && p.status === 'active'),
      rng.int(3, 6),
    )) {
      plan.recording!.downloads.push({ at: plan.end + rng.int(3, 50) * HOUR, by: m, why: 'manager who missed the training downloads the recording' });
      cal.note({
        id: 'training-recording-downloads',
        summary: 'managers who missed the performance-review training download its recording',
        emails: [m.email],
        names: [m.name],
        meetings: [plan.uuid],
        ips: [],
      });
    }
  }
  let bd = cal.firstDay + 5 * DAY;
  while (isWeekend(bd)) bd += DAY;
  const bt = atLocal(bd, 13 * 60, PLACES.NYC);
  const broker = cal.dir.outsiders.broker ?? [];
  cal.meet({
    key: 'benefits-qa',
    host: K(cal, 'peopleops'),
    topic: '2027 benefits Q&A with Meridian Benefits',
    type: 2,
    start: bt,
    minutes: 60,
    attendees: [
      ...broker.map((x) => cal.attend(rng, X(x), 'host', 60, { host: false, shares: true })),
      ...all.filter((p) => p.place.cc === 'US' && cal.avail(p, bt) && rng.chance(0.35)).map((p) => cal.attend(rng, P(p), 'large', 60)),
    ],
    category: 'company',
    record: true,
  });
}

function legal(cal: Calendar): void {
  const rng = cal.rng('legal');
  const counsel = cal.dir.outsiders.counsel ?? [];
  for (const day of cal.days()) {
    if (isWeekend(day)) continue;
    if (weekday(day) === 4) {
      const t = atLocal(day, 15 * 60, PLACES.NYC);
      const atts = [
        ...rng.sample(counsel, 2).map((x) => cal.attend(rng, X(x), 'external', 45)),
        ...[K(cal, 'counsel'), ...(rng.chance(0.5) ? [K(cal, 'cfo')] : [])]
          .filter((p) => cal.avail(p, t))
          .map((p) => cal.attend(rng, P(p), 'meeting', 45)),
      ];
      if (cal.avail(K(cal, 'gc'), t)) {
        cal.meet({
          key: `litigation:${dayStr(day)}`,
          host: K(cal, 'gc'),
          topic: 'Privileged & Confidential: litigation update (Hollis & Crane)',
          type: 8,
          series: 'litigation',
          start: t,
          minutes: 45,
          attendees: atts,
          category: 'legal',
          waitingRoom: true,
        });
        cal.note({
          id: 'outside-counsel',
          summary:
            'outside counsel from Hollis & Crane LLP attend the weekly privileged litigation update, the board meeting and the acquisition committee',
          emails: counsel.map((c) => c.email),
          names: counsel.map((c) => c.name),
          meetings: [cal.get(`litigation:${dayStr(day)}`)!.uuid],
          ips: counsel.map((c) => c.ip),
        });
      }
    }
    if (weekday(day) === 2) {
      const t = atLocal(day, 16 * 60, PLACES.NYC);
      const visitors = rng
        .sample(
          active(cal).filter((p) => p.dept === 'Sales' || p.dept === 'Customer Success'),
          rng.int(1, 3),
        )
        .filter((p) => cal.avail(p, t));
      if (visitors.length > 0)
        cal.meet({
          key: `legal-oh:${dayStr(day)}`,
          host: K(cal, 'contracts'),
          topic: pmiTopic(K(cal, 'contracts')),
          type: 4,
          start: t,
          minutes: 30,
          attendees: visitors.map((p) => cal.attend(rng, P(p), 'meeting', 30)),
          category: 'office hours',
        });
    }
  }
}

function executives(cal: Calendar): void {
  const rng = cal.rng('exec');
  const ceo = K(cal, 'ceo');
  const cfo = K(cal, 'cfo');
  const execs = ['cfo', 'cto', 'cro', 'gc', 'cpo', 'cos'].map((k) => K(cal, k));
  const board = cal.dir.outsiders.board ?? [];
  const bankers = cal.dir.outsiders.bankers ?? [];
  const counsel = cal.dir.outsiders.counsel ?? [];
  const target = cal.dir.outsiders.target ?? [];
  const investors = cal.dir.outsiders.investors ?? [];
  const ceoTrip = ceo.trips[0];
  for (const day of cal.days()) {
    if (isWeekend(day)) continue;
    const wd = weekday(day);
    if (wd === 1) {
      const t = atLocal(day, 10 * 60, PLACES.NYC);
      const away = ceoTrip && ceoTrip.from <= t && t < ceoTrip.until;
      const atts = execs.filter((p) => cal.avail(p, t)).map((p) => cal.attend(rng, P(p), 'meeting', 60));
      if (cal.avail(K(cal, 'eaCeo'), t) && rng.chance(0.5)) atts.push(cal.attend(rng, P(K(cal, 'eaCeo')), 'meeting', 60));
      if (away) {
        // Travelling, the CEO joins her own staff meeting from the hotel business centre's PC in a browser, not signed in.
        atts.push({ who: P(ceo), joinOffset: 2, leaveEarly: 0, browser: true, displayName: ceo.name });
        cal.meet({
          key: `exec-staff:${dayStr(day)}`,
          host: ceo,
          topic: 'Exec staff',
          type: 8,
          series: 'exec-staff',
          start: t,
          minutes: 60,
          attendees: atts,
          category: 'exec',
          record: true,
          hostAbsent: true,
        });
        cal.note({
          id: 'ceo-browser-guest',
          summary: `travelling in London, the CEO joins her own Monday exec staff meeting from the hotel business centre's PC in a web browser without signing in (display name "${ceo.name}", hotel IP)`,
          emails: [ceo.email],
          names: [ceo.name],
          meetings: [cal.get(`exec-staff:${dayStr(day)}`)!.uuid],
          ips: [ceoTrip.ip],
        });
      } else if (cal.avail(ceo, t)) {
        cal.meet({
          key: `exec-staff:${dayStr(day)}`,
          host: ceo,
          topic: 'Exec staff',
          type: 8,
          series: 'exec-staff',
          start: t,
          minutes: 60,
          attendees: atts,
          category: 'exec',
          record: true,
        });
      }
      const plan = cal.get(`exec-staff:${dayStr(day)}`);
      const ea = K(cal, 'eaExec');
      if (plan?.recording && !plan.attendees.some((a) => 'p' in a.who && a.who.p === ea)) {
        plan.recording.downloads.push({
          at: plan.end + rng.int(1, 5) * HOUR,
          by: ea,
          why: 'the executive assistant writes the exec staff minutes from the recording',
        });
        cal.note({
          id: 'ea-minutes',
          summary: 'the executive assistant downloads the exec staff recording to write the minutes (she does not attend)',
          emails: [ea.email],
          names: [ea.name],
          meetings: [plan.uuid],
          ips: [],
        });
      }
    }
    // Weekly 1:1s on the CEO's personal meeting room.
    for (const [i, e] of execs.entries()) {
      if (wd !== (i % 5) + 1) continue;
      const t = atLocal(day, 15 * 60 + 30, PLACES.NYC);
      if (cal.avail(ceo, t) && cal.avail(e, t))
        cal.meet({
          key: `ceo-1on1:${e.email}:${dayStr(day)}`,
          host: ceo,
          topic: pmiTopic(ceo),
          type: 4,
          start: t,
          minutes: 30,
          attendees: [cal.attend(rng, P(e), 'meeting', 30)],
          category: '1:1',
        });
    }
    // Project Heron: the confidential acquisition of Heron Robotics.
    if (wd === 2) {
      const t = atLocal(day, 15 * 60, PLACES.NYC);
      const atts = [
        ...['ceo', 'gc', 'cto', 'cos']
          .map((k) => K(cal, k))
          .filter((p) => cal.avail(p, t))
          .map((p) => cal.attend(rng, P(p), 'meeting', 45)),
        ...rng.sample(bankers, 2).map((x) => cal.attend(rng, X(x), 'external', 45, { shares: rng.chance(0.5) })),
      ];
      if (cal.avail(cfo, t))
        cal.meet({
          key: `heron-sync:${dayStr(day)}`,
          host: cfo,
          topic: 'Project Heron – weekly deal sync',
          type: 8,
          series: 'heron-sync',
          start: t,
          minutes: 45,
          attendees: atts,
          category: 'M&A',
          waitingRoom: true,
        });
    }
  }
  cal.note({
    id: 'deal-advisors',
    summary: 'the bankers from Calder Partners attend every weekly Project Heron deal sync; Heron Robotics managers join diligence calls',
    emails: [...bankers, ...target].map((b) => b.email),
    names: [...bankers, ...target].map((b) => b.name),
    meetings: [],
    ips: [...bankers, ...target].map((b) => b.ip),
  });
  const workday = (offset: number) => {
    let d = cal.firstDay + offset * DAY;
    while (isWeekend(d)) d += DAY;
    return d;
  };
  // Diligence sessions, recorded by the CTO for the staff engineers who could not attend.
  for (const [i, offset] of [4, 9].entries()) {
    const t = atLocal(workday(offset), 13 * 60, PLACES.NYC);
    const staff = rng.sample(
      active(cal).filter((p) => p.dept === 'Engineering' && p.title === 'Engineering Manager'),
      2,
    );
    const plan = cal.meet({
      key: `heron-diligence:${i}`,
      host: K(cal, 'cto'),
      topic: 'Project Heron – diligence: engineering',
      type: 2,
      start: t,
      minutes: 90,
      attendees: [
        ...[K(cal, 'vpeng'), ...staff].filter((p) => cal.avail(p, t)).map((p) => cal.attend(rng, P(p), 'meeting', 90)),
        ...rng.sample(target, 3).map((x) => cal.attend(rng, X(x), 'external', 90, { shares: true })),
      ],
      category: 'M&A',
      waitingRoom: true,
      record: true,
    });
    const srelead = K(cal, 'srelead');
    plan.recording!.downloads.push({
      at: plan.end + rng.int(2, 20) * HOUR,
      by: srelead,
      why: "the CTO asked the SRE lead to review the target's infrastructure walkthrough from the recording",
    });
    cal.note({
      id: 'heron-recording-review',
      summary: 'the SRE lead, asked by the CTO, downloads the recording of a Project Heron engineering diligence call he was not in',
      emails: [srelead.email],
      names: [srelead.name],
      meetings: [plan.uuid],
      ips: [],
    });
  }
  const committee = cal.lastDay - 2 * DAY - (isWeekend(cal.lastDay - 2 * DAY) ? 2 * DAY : 0);
  const ct = atLocal(committee, 11 * 60, PLACES.NYC);
  cal.meet({
    key: 'heron-committee',
    host: ceo,
    topic: 'Project Heron – acquisition committee',
    type: 2,
    start: ct,
    minutes: 60,
    attendees: [
      ...['cfo', 'gc', 'cto']
        .map((k) => K(cal, k))
        .filter((p) => cal.avail(p, ct))
        .map((p) => cal.attend(rng, P(p), 'meeting', 60)),
      ...counsel.slice(0, 2).map((x) => cal.attend(rng, X(x), 'external', 60)),
    ],
    category: 'M&A',
    waitingRoom: true,
  });
  const mt = atLocal(workday(6), 16 * 60, PLACES.NYC);
  cal.meet({
    key: 'heron-mgmt',
    host: ceo,
    topic: 'Heron Robotics / Larkspur – management meeting',
    type: 2,
    start: mt,
    minutes: 60,
    attendees: [
      ...['cfo', 'cto']
        .map((k) => K(cal, k))
        .filter((p) => cal.avail(p, mt))
        .map((p) => cal.attend(rng, P(p), 'meeting', 60)),
      ...target.slice(0, 2).map((x) => cal.attend(rng, X(x), 'external', 60)),
    ],
    category: 'M&A',
    waitingRoom: true,
  });
  // Board prep, the audit committee and the Q4 board meeting.
  const boardDay = Date.parse('2026-12-03T00:00:00Z');
  for (const [i, d] of [boardDay - 2 * DAY, boardDay - DAY].entries()) {
    const t = atLocal(d, 16 * 60, PLACES.NYC);
    cal.meet({
      key: `board-prep:${i}`,
      host: ceo,
      topic: 'Board prep',
      type: 2,
      start: t,
      minutes: 60,
      attendees: ['cfo', 'gc', 'cos', 'eaCeo']
        .map((k) => K(cal, k))
        .filter((p) => cal.avail(p, t))
        .map((p) => cal.attend(rng, P(p), 'meeting', 60, { shares: p === cfo })),
      category: 'exec',
    });
  }
  const auditors = cal.dir.outsiders.auditors ?? [];
  const at = atLocal(boardDay - DAY, 11 * 60, PLACES.NYC);
  cal.meet({
    key: 'audit-committee',
    host: cfo,
    topic: 'Audit Committee – Q4 meeting',
    type: 2,
    start: at,
    minutes: 60,
    attendees: [
      ...board.slice(2, 4).map((x) => cal.attend(rng, X(x), 'external', 60)),
      ...auditors.slice(0, 2).map((x) => cal.attend(rng, X(x), 'external', 60, { shares: true })),
      ...[K(cal, 'controller'), K(cal, 'gc')].map((p) => cal.attend(rng, P(p), 'meeting', 60)),
    ],
    category: 'board',
    waitingRoom: true,
  });
  const bt = atLocal(boardDay, 13 * 60, PLACES.NYC);
  const boardAtts: Attendance[] = [
    ...board.map((x, i) => cal.attend(rng, X(x), 'external', 210, { leaveEarly: 0, ...(i === 1 ? { dialIn: true } : {}) })),
    cal.attend(rng, X(counsel[0]!), 'external', 210),
    ...['cfo', 'gc', 'cos'].map((k) => cal.attend(rng, P(K(cal, k)), 'meeting', 210, { leaveEarly: 30, shares: k === 'cfo' })),
    cal.attend(rng, P(K(cal, 'cto')), 'meeting', 210, { joinOffset: 60, leaveEarly: 110 }),
    cal.attend(rng, P(K(cal, 'cro')), 'meeting', 210, { joinOffset: 100, leaveEarly: 70, shares: true }),
  ];
  cal.meet({
    key: 'board',
    host: ceo,
    topic: 'Board of Directors – Q4 2026',
    type: 2,
    start: bt,
    minutes: 210,
    attendees: boardAtts,
    category: 'board',
    waitingRoom: true,
  });
  const boardDialIn = board[1]!;
  cal.note({
    id: 'board-members',
    summary:
      'the five board members are outsiders by email domain (venture partners, an independent director using a personal Gmail address, an observer); one dials in by phone to the board meeting',
    emails: board.map((b) => b.email),
    names: board.map((b) => b.name),
    meetings: [cal.get('board')!.uuid, cal.get('audit-committee')!.uuid],
    ips: board.map((b) => b.ip),
  });
  void boardDialIn;
  // Investors and a customer's executive sponsor call.
  const it = atLocal(workday(2), 17 * 60, PLACES.NYC);
  cal.meet({
    key: 'investor-checkin',
    host: ceo,
    topic: 'Foundry Ventures – monthly check-in',
    type: 2,
    start: it,
    minutes: 45,
    attendees: [cal.attend(rng, P(cfo), 'meeting', 45), ...investors.map((x) => cal.attend(rng, X(x), 'external', 45))],
    category: 'investor',
    waitingRoom: true,
  });
  const kestrel = cal.dir.customers.find((c) => c.name === 'Kestrel Airlines')!;
  const kt = atLocal(workday(7), 11 * 60, PLACES.NYC);
  if (cal.avail(ceo, kt))
    customerCall(cal, rng, 'exec-sponsor', ceo, kestrel, 'Kestrel Airlines – executive sponsor call', kt, 45, [kestrel.owner, K(cal, 'cro')], {
      pmi: false,
      bot: false,
      record: 0,
    });
  // Sunday evening: the CEO and CFO talk Heron on the CEO's personal room from their phones.
  let sunday = cal.lastDay;
  while (weekday(sunday) !== 0) sunday -= DAY;
  const st = atLocal(sunday, 19 * 60, PLACES.NYC);
  cal.meet({
    key: 'sunday-call',
    host: ceo,
    topic: pmiTopic(ceo),
    type: 4,
    start: st,
    minutes: 35,
    attendees: [
      { who: P(ceo), joinOffset: 0, leaveEarly: 0, host: true, mobile: true },
      { who: P(cfo), joinOffset: 1, leaveEarly: 0, mobile: true },
    ],
    category: 'exec',
    tags: ['weekend'],
  });
  // The CEO interviews the final VP Marketing candidate.
  const vt = atLocal(workday(5), 9 * 60, PLACES.NYC);
  const cand = oneOff(cal.dir, 'candidate', 'candidates', 'Helena Marsh', 'helena.marsh@outlook.com', 'candidate', PLACES.BOS);
  cal.meet({
    key: 'vp-mkt-final',
    host: K(cal, 'eaCeo'),
    topic: 'Final interview: VP Marketing – Helena Marsh',
    type: 2,
    start: vt,
    minutes: 60,
    attendees: [
      { who: P(K(cal, 'eaCeo')), joinOffset: -5, leaveEarly: 55, host: true },
      cal.attend(rng, P(ceo), 'meeting', 60),
      cal.attend(rng, X(cand), 'external', 60, { waitingRoom: true }),
    ],
    category: 'interview',
    waitingRoom: true,
  });
}

function company(cal: Calendar): void {
  const rng = cal.rng('company');
  const all = active(cal);
  const ceo = K(cal, 'ceo');
  const hall = cal.dir.rooms.find((r) => r.roomName === 'NYC 6F Town Hall')!;
  for (const day of cal.days()) {
    if (weekday(day) !== 3 || Math.round((day - Date.parse('2026-12-02T00:00:00Z')) / DAY) % 14 !== 0) continue;
    const t = atLocal(day, 12 * 60, PLACES.NYC);
    if (t < cal.firstDay || t > cal.endMs) continue;
    const atts: Attendance[] = [];
    const inRoom: Person[] = [];
    for (const p of all) {
      if (p === ceo || !cal.avail(p, t, p.place.tz >= 0)) continue;
      if (!rng.chance(0.88)) continue;
      const local = localOf(t, p.place);
      // Some New York office staff watch together in the town hall room.
      const inOffice = officeDay(p, local.day, local.weekday);
      if (p.office === 'NYC' && inOffice && local.minutes >= inOffice.arrive && rng.chance(0.35)) {
        inRoom.push(p);
        continue;
      }
      atts.push(cal.attend(rng, P(p), 'large', 60));
    }
    if (inRoom.length > 0) atts.push({ who: P(K(cal, 'officeNYC')), joinOffset: -4, leaveEarly: 0, room: hall });
    atts.push(cal.attend(rng, P(K(cal, 'cpo')), 'host', 60, { host: false, shares: true }));
    const plan = cal.meet({
      key: `all-hands:${dayStr(day)}`,
      host: ceo,
      topic: 'Larkspur all-hands',
      type: 8,
      series: 'all-hands',
      start: t,
      minutes: 60,
      attendees: atts,
      category: 'all-hands',
      record: true,
      transcript: true,
    });
    // Who missed it watches the recording: the Manila pod (it was 1 a.m.), people on holiday, some who left early.
    const present = new Set(plan.attendees.filter((a) => 'p' in a.who).map((a) => (a.who as { p: Person }).p));
    for (const p of inRoom) present.add(p);
    const missed = all.filter((p) => !present.has(p) && p !== ceo && p.status === 'active');
    for (const p of rng.sample(missed, Math.min(missed.length, rng.int(8, 14)))) {
      const at = Math.max(plan.end + rng.int(2, 60) * HOUR, atLocal(localOf(plan.end, p.place).day + DAY, 9 * 60 + rng.int(0, 300), p.place));
      plan.recording!.downloads.push({
        at: Math.min(at, cal.endMs - 10 * MIN),
        by: p,
        why: 'missed the all-hands (time zone, holiday or a customer call) and downloads the recording',
      });
      cal.note({
        id: 'all-hands-downloads',
        summary:
          'employees who missed the all-hands (the Manila pod at 1 a.m., people on holiday, people on customer calls) download its recording afterwards',
        emails: [p.email],
        names: [p.name],
        meetings: [plan.uuid],
        ips: [],
      });
    }
    cal.note({
      id: 'all-hands',
      summary:
        'the biweekly all-hands: 110-130 employees join within a few minutes from homes, offices, VPN, phones and the New York town hall room; many leave early',
      emails: [ceo.email],
      names: [],
      meetings: [plan.uuid],
      ips: [],
    });
  }
  // Friday holiday trivia, people joining from their phones.
  for (const day of cal.days()) {
    if (weekday(day) !== 5) continue;
    const t = atLocal(day, 17 * 60, PLACES.NYC);
    if (t > cal.endMs || t < cal.firstDay) continue;
    const atts = all
      .filter((p) => p.key !== 'officeNYC' && cal.avail(p, t, true) && rng.chance(0.2))
      .map((p) => cal.attend(rng, P(p), 'large', 60, { mobile: rng.chance(0.3) }));
    cal.meet({
      key: `trivia:${dayStr(day)}`,
      host: K(cal, 'officeNYC'),
      topic: 'Friday social: holiday trivia',
      type: 2,
      start: t,
      minutes: 60,
      attendees: atts,
      category: 'social',
    });
  }
  // The leavers' goodbyes: the engineer's handover sessions are recorded; the account executive's farewell call
  // runs past 16:30, when IT deactivates his account as HR asked.
  const leaverA = K(cal, 'leaverA');
  const lastA = leaverA.lastDay!;
  for (const [i, topic] of ['Handover: partner webhooks service', 'Handover: Salesforce connector', 'Handover: on-call runbooks'].entries()) {
    const d = lastA - (2 - i) * DAY;
    const t = atLocal(d, (11 + i * 2) * 60, leaverA.place);
    const mates = team(cal, 'Integrations').filter((p) => p !== leaverA && cal.avail(p, t));
    cal.meet({
      key: `handover:${i}`,
      host: leaverA,
      topic,
      type: 2,
      start: t,
      minutes: 60,
      attendees: mates.map((p) => cal.attend(rng, P(p), 'meeting', 60)),
      category: 'handover',
      record: true,
      transcript: true,
      tags: ['screen share'],
    });
  }
  const leaverB = K(cal, 'leaverB');
  const ft = atLocal(leaverB.lastDay!, 16 * 60, PLACES.NYC);
  const friends = all.filter(
    (p) => (p.dept === 'Sales' || rng.chance(0.05)) && p !== leaverB && p !== K(cal, 'salesmgrNA') && cal.avail(p, ft) && rng.chance(0.6),
  );
  cal.meet({
    key: 'farewell-b',
    host: K(cal, 'salesmgrNA'),
    topic: `Farewell ${leaverB.first}!`,
    type: 2,
    start: ft,
    minutes: 45,
    attendees: [{ who: P(leaverB), joinOffset: 1, leaveEarly: 0 }, ...friends.map((p) => cal.attend(rng, P(p), 'large', 45))],
    category: 'social',
  });
  cal.note({
    id: 'leaver-last-day',
    summary: `${leaverB.name} (account executive) is in his farewell call when IT deactivates his account at 16:30 as HR asked; he leaves the call at its end, after the deactivation`,
    emails: [leaverB.email],
    names: [leaverB.name],
    meetings: [cal.get('farewell-b')!.uuid],
    ips: [],
  });
}

function itWork(cal: Calendar): void {
  const rng = cal.rng('it');
  const all = active(cal);
  for (const day of cal.days()) {
    if (isWeekend(day)) continue;
    for (let i = 0; i < rng.int(1, 3); i++) {
      const helper = rng.pick([K(cal, 'itadmin2'), K(cal, 'itadmin1'), ...(day >= cal.dir.newHireDay ? [K(cal, 'helpdesk')] : [])]);
      const t = atLocal(day, rng.int(9 * 60, 17 * 60), PLACES.NYC);
      const callers = all.filter((p) => p !== helper && cal.avail(p, t));
      if (callers.length === 0) continue;
      const user = rng.pick(callers);
      if (!cal.avail(helper, t)) continue;
      cal.meet({
        key: `helpdesk:${dayStr(day)}:${i}`,
        host: helper,
        topic: pmiTopic(helper),
        type: 4,
        start: t,
        minutes: rng.int(8, 25),
        attendees: [cal.attend(rng, P(user), 'meeting', 15, { shares: true })],
        category: 'IT support',
        tags: ['screen share'],
      });
    }
  }
}

function adHoc(cal: Calendar): void {
  const rng = cal.rng('adhoc');
  const all = active(cal);
  for (const day of cal.days()) {
    if (isWeekend(day)) continue;
    for (let i = 0; i < 16; i++) {
      const host = rng.pick(all);
      const t = atLocal(day, rng.int(9 * 60, 17 * 60 + 30), host.place);
      if (!cal.avail(host, t)) continue;
      const sameDept = all.filter((p) => p !== host && (p.dept === host.dept || rng.chance(0.05)) && cal.avail(p, t));
      const others = rng.sample(sameDept, rng.int(1, 3));
      const mins = rng.int(10, 45);
      // A quick call on a personal room; sometimes nobody shows up and the host sits alone for a few minutes.
      const alone = others.length === 0 || rng.chance(0.06);
      cal.meet({
        key: `adhoc:${dayStr(day)}:${i}`,
        host,
        topic: pmiTopic(host),
        type: 4,
        start: t,
        minutes: alone ? rng.int(3, 10) : mins,
        attendees: alone ? [] : others.map((p) => cal.attend(rng, P(p), 'meeting', mins, { shares: rng.chance(0.3) })),
        category: alone ? 'no-show' : 'ad hoc',
      });
    }
  }
  // Weekend: an SRE checks a deploy with a colleague on Saturday evening.
  let sat = cal.lastDay;
  while (weekday(sat) !== 6) sat -= DAY;
  const sre = team(cal, 'SRE');
  const t = atLocal(sat, 18 * 60 + 40, sre[0]!.place);
  cal.meet({
    key: 'weekend-deploy',
    host: sre[0]!,
    topic: pmiTopic(sre[0]!),
    type: 4,
    start: t,
    minutes: 40,
    attendees: [{ who: P(sre[1]!), joinOffset: 2, leaveEarly: 0, shares: true }],
    category: 'ad hoc',
    tags: ['weekend'],
  });
}

export { dayStart };
export type { Place, RoomDevice };
