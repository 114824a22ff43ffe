import { nameKey, withinEdits } from '#core/realtime/names.ts';
import { Prng } from '#core/prng.ts';
import {
  CLIENT_VERSIONS,
  CUSTOMERS,
  DEPTS,
  EXECS,
  EXT_FIRST,
  EXT_LAST,
  FIRST,
  LAST,
  LATEST,
  OFFICES,
  PARTNER_DOMAIN,
  REMOTE,
} from './people-data.ts';
import type { Customer, Device, Employee, People, Person, Place, Team } from './people.ts';
import { DAY_MS, HOUR_MS, MIN_MS, type Timeline } from './timeline.ts';

/*
 * Generates the people of a demo scenario (people.ts describes them) from a seeded stream, so one seed gives one
 * company: executives, IT admins, staff cut into teams, accounts that never meet, leavers, a new hire, a traveller,
 * VPN users, customers' and the partner's contacts, and the strangers meetings pick up.
 */

/** Draws until the value is not in `used`, and adds it. */
function drawUnique<T>(used: Set<T>, draw: () => T): T {
  let v = draw();
  while (used.has(v)) v = draw();
  used.add(v);
  return v;
}

/** A device: the corporate laptop (with machine ids), a BYOD tablet or phone, or an outsider's own machine. */
export function device(rng: Prng, kind: 'corporate' | 'byod' | 'outside'): Device {
  const hex = () => Array.from({ length: 6 }, () => rng.int(0, 255).toString(16).padStart(2, '0')).join(':');
  if (kind === 'byod') {
    const ipad = rng.chance(0.6);
    return ipad
      ? { family: 'iOS', os: 'iOS', osVersion: '17.5', client: 'iOS', pcName: '', macAddr: '', harddiskId: '' }
      : { family: 'Android', os: 'Android', osVersion: '14', client: 'Android', pcName: '', macAddr: '', harddiskId: '' };
  }
  const mac = rng.chance(0.55);
  const inside = kind === 'corporate';
  return mac
    ? {
        family: 'Mac',
        os: 'Mac',
        osVersion: '14.5',
        client: 'Mac',
        pcName: inside ? `EXM-${rng.int(1000, 9999)}` : '',
        macAddr: inside ? hex() : '',
        harddiskId: inside ? rng.chars(16) : '',
      }
    : {
        family: 'Windows',
        os: 'Windows',
        osVersion: '10.0.22631',
        client: 'Windows',
        pcName: inside ? `EX-LT-${rng.int(1000, 9999)}` : '',
        macAddr: inside ? hex() : '',
        harddiskId: inside ? rng.chars(16) : '',
      };
}

/**
 * Generates the organisation of `users` accounts for the scenario's timeline. `users` counts every account, the
 * inactive and pending ones included.
 */
export function generatePeople(seed: number, users: number, t: Timeline): People {
  const rng = new Prng(seed, 'scenario-people');
  const domain = 'example.com';
  const domains = [domain, 'example.co.uk'];
  const usedNames = new Set<string>(EXECS.map((e) => `${e.first} ${e.last}`));
  const usedIds = new Set<string>();
  const uniqueId = (n: number, extra = '') => drawUnique(usedIds, () => rng.chars(n, extra));
  const usedPmis = new Set<number>();
  const pmi = () => drawUnique(usedPmis, () => rng.int(2_000_000_000, 9_999_999_999));
  const rangeStart = t.days[0]!;
  const employees: Employee[] = [];
  const place = (region: string): { place: Place; office: (typeof OFFICES)[number] } => {
    const office = OFFICES.find((o) => o.region === region) ?? OFFICES[0];
    if (rng.chance(0.5)) return { place: office.place, office };
    const remote = REMOTE[region] ?? REMOTE.US!;
    return { place: { ip: `${remote.prefix}.${rng.int(16, 250)}.${rng.int(0, 255)}.${rng.int(2, 254)}`, location: rng.pick(remote.cities) }, office };
  };
  const employee = (
    first: string,
    last: string,
    dept: string,
    title: string,
    roleId: Employee['roleId'],
    region: string,
    extra: Partial<Employee> = {},
  ): Employee => {
    const where = place(region);
    const mail = `${first.toLowerCase()}.${last.toLowerCase()}@${domains[where.office.domain]}`;
    const upgrade = rng.chance(0.25)
      ? { at: rangeStart + rng.int(1, Math.max(1, t.days.length - 3)) * DAY_MS + 7 * HOUR_MS, version: LATEST }
      : undefined;
    return {
      kind: 'internal',
      first,
      last,
      name: `${first} ${last}`,
      email: mail,
      userId: uniqueId(22, '-_'),
      dept,
      title,
      roleId,
      pmi: pmi(),
      createdAt: rangeStart - rng.int(60, 1500) * DAY_MS,
      licensed: true,
      status: 'active',
      timezone: where.office.timezone,
      home: where.place,
      device: device(rng, 'corporate'),
      ...(rng.chance(0.2) ? { byod: device(rng, 'byod') } : {}),
      version: rng.pick(CLIENT_VERSIONS.slice(0, 3)),
      ...(upgrade ? { upgrade } : {}),
      ...extra,
    };
  };
  const freshName = (): { first: string; last: string } => {
    for (let tries = 0; tries < 200; tries++) {
      const first = rng.pick(FIRST);
      const last = rng.pick(LAST);
      if (!usedNames.has(`${first} ${last}`)) {
        usedNames.add(`${first} ${last}`);
        return { first, last };
      }
    }
    const first = rng.pick(FIRST);
    const last = `${rng.pick(LAST)}-${rng.pick(LAST)}`;
    usedNames.add(`${first} ${last}`);
    return { first, last };
  };

  const execMap = Object.fromEntries(EXECS.map((e) => [e.key, employee(e.first, e.last, e.dept, e.title, '2', 'US')])) as Record<
    (typeof EXECS)[number]['key'],
    Employee
  >;
  employees.push(...Object.values(execMap));
  const itNames = [freshName(), freshName(), freshName()];
  const owner = employee(itNames[0]!.first, itNames[0]!.last, 'IT', 'IT Director', '0', 'US');
  const admins = [
    employee(itNames[1]!.first, itNames[1]!.last, 'IT', 'IT Administrator', '1', 'US'),
    employee(itNames[2]!.first, itNames[2]!.last, 'IT', 'IT Administrator', '1', 'GB'),
  ];
  employees.push(owner, ...admins);

  // Staff by department, then cut into teams of 6 to 9 with the first member as lead.
  // Three accounts that never meet and one new hire are added after the staff.
  const staffCount = Math.max(0, users - employees.length - 4);
  const teams: Team[] = [];
  const usedMeetingIds = new Set<number>();
  const meetingId = () => drawUnique(usedMeetingIds, () => rng.int(81_000_000_000, 99_999_999_999));
  let slot = 0;
  for (const d of DEPTS) {
    const count = Math.max(3, Math.round(staffCount * d.share));
    const staff: Employee[] = [];
    for (let i = 0; i < count && employees.length + staff.length < users - 4; i++) {
      const n = freshName();
      const region = rng.chance(0.7) ? 'US' : rng.chance(0.6) ? 'GB' : 'DE';
      staff.push(
        employee(n.first, n.last, d.dept, i === 0 ? `${d.dept} Lead` : d.dept === 'Engineering' ? 'Engineer' : `${d.dept} Specialist`, '2', region),
      );
    }
    employees.push(...staff);
    const teamCount = Math.max(1, Math.round(staff.length / 7.5));
    for (let k = 0; k < teamCount; k++) {
      const members = staff.filter((_, i) => i % teamCount === k);
      const lead = members[0];
      if (!lead || members.length < 2) continue;
      const engineering = d.dept === 'Engineering' || d.dept === 'Support';
      teams.push({
        name: d.teams[k % d.teams.length]! + (k >= d.teams.length ? ` ${Math.floor(k / d.teams.length) + 1}` : ''),
        dept: d.dept,
        lead,
        members: members.slice(1),
        weeklyId: meetingId(),
        weeklyDay: 1 + (slot % 5),
        slot: slot++,
        ...(engineering && k % 2 === 0 ? { standupId: meetingId() } : {}),
      });
    }
  }

  // Accounts that never meet: two deactivated long ago, one pending invitation.
  for (let i = 0; i < 3; i++) {
    const n = freshName();
    employees.push(
      employee(
        n.first,
        n.last,
        rng.pick(DEPTS).dept,
        'Former employee',
        '2',
        'US',
        i < 2 ? { status: 'inactive', licensed: false } : { status: 'pending', createdAt: rangeStart - DAY_MS },
      ),
    );
  }

  // Leavers: one in the first half (deactivated that evening), one whose last day is just before the webhook window
  // and whose deactivation arrives inside it, as HR tickets lag. Both come from standup teams where possible.
  const beforeLive = t.workingDays.filter((d) => d < t.liveFrom);
  const memberOf = (filter: (team: Team) => boolean) => teams.filter(filter).flatMap((tm) => tm.members);
  const leavers: Employee[] = [];
  const replace = (old: Employee, next: Employee) => {
    employees[employees.indexOf(old)] = next;
    for (let i = 0; i < teams.length; i++) {
      const tm = teams[i]!;
      if (tm.members.includes(old)) teams[i] = { ...tm, members: tm.members.map((m) => (m === old ? next : m)) };
      if (tm.lead === old) teams[i] = { ...teams[i]!, lead: next };
    }
  };
  if (beforeLive.length >= 2) {
    const early = rng.pick(
      memberOf((tm) => tm.standupId === undefined).length > 0 ? memberOf((tm) => tm.standupId === undefined) : memberOf(() => true),
    );
    const earlyDay = beforeLive[Math.floor(beforeLive.length * 0.35)]!;
    const a: Employee = { ...early, status: 'inactive', lastDay: earlyDay + 17 * HOUR_MS, deactivatedAt: earlyDay + 17 * HOUR_MS + 30 * MIN_MS };
    replace(early, a);
    const pool = memberOf((tm) => tm.standupId !== undefined).filter((m) => m !== a);
    const late = rng.pick(pool.length > 0 ? pool : memberOf(() => true).filter((m) => m !== a));
    const lastDay = beforeLive[beforeLive.length - 1]!;
    const b: Employee = { ...late, status: 'inactive', lastDay: lastDay + 17 * HOUR_MS, deactivatedAt: t.liveFrom + 90 * MIN_MS };
    replace(late, b);
    leavers.push(a, b);
  }
  // The late leaver works the morning of the webhook window's first day, hands over at 14:00 and is deactivated at
  // 14:50, so the webhooks of that handover (delivered late, on Zoom's retries) arrive after the deactivation.
  const lateLeaverPool = memberOf((tm) => tm.standupId !== undefined).filter((m) => !leavers.includes(m));
  const lateCandidates = lateLeaverPool.length > 0 ? lateLeaverPool : memberOf(() => true).filter((m) => !leavers.includes(m));
  let lateLeaver: Employee | undefined;
  if (lateCandidates.length > 0) {
    const who = rng.pick(lateCandidates);
    const gone = t.liveFrom + 14 * HOUR_MS + 50 * MIN_MS;
    lateLeaver = { ...who, status: 'inactive', lastDay: gone, deactivatedAt: gone };
    replace(who, lateLeaver);
    leavers.push(lateLeaver);
  }

  // A new hire on the working day at 60% of the range joins a team.
  let newHire: Employee | undefined;
  const hireDay = t.workingDays[Math.floor(t.workingDays.length * 0.6)];
  const hireTeam = teams.find((tm) => tm.dept === 'Engineering' && tm.members.length >= 3);
  if (hireTeam) {
    const n = freshName();
    const hired = hireDay !== undefined && hireDay < t.liveFrom ? hireDay + 8 * HOUR_MS : undefined;
    const joiner = employee(
      n.first,
      n.last,
      hireTeam.dept,
      'Engineer',
      '2',
      'US',
      hired === undefined ? {} : { activeFrom: hired, createdAt: hired },
    );
    if (hired !== undefined) newHire = joiner;
    employees.push(joiner);
    teams[teams.indexOf(hireTeam)] = { ...hireTeam, members: [...hireTeam.members, joiner] };
  }

  // The VP Sales visits customers in London in the middle of the range and is back well before the webhook window.
  let traveller: Employee | undefined;
  const tripStart = t.workingDays[Math.floor(t.workingDays.length * 0.25)];
  const tripEnd = t.workingDays[Math.floor(t.workingDays.length * 0.5)];
  if (tripStart !== undefined && tripEnd !== undefined && tripEnd > tripStart && tripEnd < t.liveFrom - DAY_MS) {
    traveller = { ...execMap.vpSales, travel: { from: tripStart, to: tripEnd, place: { ip: '81.2.69.142', location: 'London (GB)' } } };
    replace(execMap.vpSales, traveller);
    execMap.vpSales = traveller;
  }

  // A few engineers outside Germany use the corporate VPN, whose egress is in Frankfurt: their sign-ins and joins
  // switch between home and Frankfurt during the day.
  const vpnPool = employees.filter(
    (e) =>
      e.status === 'active' &&
      e.roleId === '2' &&
      e.lastDay === undefined &&
      e.activeFrom === undefined &&
      e.travel === undefined &&
      !Object.values(execMap).includes(e) &&
      !e.home.location.endsWith('(DE)') &&
      teams.some((tm) => tm.standupId !== undefined && tm.members.includes(e)),
  );
  const vpnUsers = rng.sample(vpnPool, Math.max(2, Math.min(5, Math.round(users / 70)))).map((e, i) => {
    const onVpn: Employee = { ...e, vpn: { egress: { ip: `165.225.72.${18 + i * 7}`, location: 'Frankfurt (DE)' }, phase: i % 2 } };
    replace(e, onVpn);
    return onVpn;
  });

  // Outsiders: customers' contacts, the partner's consultants. None is named like an employee.
  const internalKeys = new Set(employees.map((e) => nameKey(e.name)));
  const watchedKeys = [execMap.ceo, execMap.cfo, execMap.counsel].map((e) => nameKey(e.name));
  const usedOutsiders = new Set<string>();
  const outsiderName = (): { first: string; last: string } => {
    for (let tries = 0; tries < 500; tries++) {
      const first = rng.pick(EXT_FIRST);
      const last = rng.pick(EXT_LAST);
      const key = nameKey(`${first} ${last}`);
      if (usedOutsiders.has(key) || internalKeys.has(key) || watchedKeys.some((w) => withinEdits(key, w, 1))) continue;
      usedOutsiders.add(key);
      return { first, last };
    }
    return { first: rng.pick(EXT_FIRST), last: `${rng.pick(EXT_LAST)}-${rng.int(2, 99)}` };
  };
  const outsider = (kind: 'external' | 'guest', email: (f: string, l: string) => string, where: Place, outside: Device): Person => {
    const n = outsiderName();
    return {
      kind,
      name: `${n.first} ${n.last}`,
      email: kind === 'guest' ? '' : email(n.first.toLowerCase(), n.last.toLowerCase()),
      userId: '',
      home: where,
      device: outside,
      version: rng.pick(CLIENT_VERSIONS),
    };
  };
  const customers: Customer[] = CUSTOMERS.map((c) => ({
    name: c.name,
    domain: c.domain,
    contacts: Array.from({ length: rng.int(2, 3) }, () =>
      outsider(
        'external',
        (f, l) => `${f}.${l}@${c.domain}`,
        { ip: `${c.prefix}.${rng.int(1, 250)}.${rng.int(2, 254)}`, location: c.city },
        device(rng, 'outside'),
      ),
    ),
  }));
  const partners = Array.from({ length: 2 }, () =>
    outsider(
      'external',
      (f, l) => `${f[0]}${l}@${PARTNER_DOMAIN}`,
      { ip: `198.18.${rng.int(0, 255)}.${rng.int(2, 254)}`, location: 'Dublin (IE)' },
      device(rng, 'outside'),
    ),
  );

  const strangerRng = new Prng(seed, 'scenario-strangers');
  const stranger = (kind: 'guest' | 'candidate' | 'dial_in'): Person => {
    if (kind === 'dial_in') {
      const number = `+1 555 01${strangerRng.int(10, 99)} ${strangerRng.int(1000, 9999)}`;
      return {
        kind: 'dial_in',
        name: number,
        email: '',
        userId: '',
        home: { ip: '', location: '' },
        device: device(strangerRng, 'outside'),
        version: '',
      };
    }
    const where = {
      ip: `${strangerRng.pick([24, 67, 98, 174])}.${strangerRng.int(1, 250)}.${strangerRng.int(0, 255)}.${strangerRng.int(2, 254)}`,
      location: strangerRng.pick(['Boston (US)', 'Toronto (CA)', 'Madrid (ES)', 'Dublin (IE)']),
    };
    const n = outsiderName();
    return {
      kind: kind === 'guest' ? 'guest' : 'external',
      name: `${n.first} ${n.last}`,
      email:
        kind === 'guest'
          ? ''
          : `${n.first.toLowerCase()}.${n.last.toLowerCase()}${strangerRng.int(1, 99)}@${strangerRng.pick(['gmail.com', 'outlook.com'])}`,
      userId: '',
      home: where,
      device: device(strangerRng, 'outside'),
      version: strangerRng.pick(CLIENT_VERSIONS),
    };
  };

  return {
    domain,
    domains,
    employees,
    execs: execMap,
    owner,
    admins,
    teams,
    customers,
    partners,
    leavers,
    lateLeaver,
    newHire,
    traveller,
    vpnUsers,
    watched: [execMap.ceo.email, execMap.cfo.email, execMap.counsel.email],
    stranger,
    outsiderName,
  };
}
