import { Prng } from '#core/prng.ts';
import {
  DAY,
  HOUR,
  MIN,
  PLACES,
  type Dept,
  type Device,
  type External,
  type ExternalKind,
  type Person,
  type Place,
  type PlaceKey,
  type Trip,
} from './model.ts';
import { CUSTOMERS, FIRST_NAMES, LAST_NAMES, PERSONAL_DOMAINS } from './names.ts';
import { atLocal, dayStart, dayStr, h01, hInt, hPick, hex, isWeekend, macAddr, slug, weekday, zoomId } from './util.ts';

/*
 * The directory: about 150 employees in eleven departments across a New York headquarters, a London office, a
 * Manila support pod and remote staff; their laptops, phones and home networks; leavers, new hires, long-gone
 * accounts and pending invites; and everyone outside the company they meet.
 */

export const DOMAIN = 'larkspur.example';
export const UK_DOMAIN = 'larkspur.co.uk';

/** Zoom client versions in December 2026 (4-part, as the corpus shows them). */
export const CURRENT_VERSIONS = ['6.6.10.24331', '6.6.10.24331', '6.6.5.23905', '6.6.0.23512', '6.5.12.22877'];
export const LAGGING_VERSIONS = ['6.3.11.13760', '6.2.11.13211'];
export const OLD_VERSIONS = ['5.17.11.34827', '5.16.10.26186'];
const PHONE_VERSIONS = ['6.6.8.24101', '6.6.2.23702', '6.5.10.22101'];

interface Slot {
  readonly dept: Dept;
  readonly team: string;
  readonly title: string;
  readonly places: readonly PlaceKey[];
  readonly key?: string;
}

function roster(): Slot[] {
  const s: Slot[] = [];
  const add = (n: number, dept: Dept, team: string, title: string, places: readonly PlaceKey[], key?: string) => {
    for (let i = 0; i < n; i++) s.push({ dept, team, title, places, ...(key ? { key: n === 1 ? key : `${key}${i + 1}` } : {}) });
  };
  add(1, 'Executive', 'Executive', 'Chief Executive Officer', ['NYC'], 'ceo');
  add(1, 'Executive', 'Executive', 'Chief Financial Officer', ['NYC'], 'cfo');
  add(1, 'Executive', 'Executive', 'Chief Technology Officer', ['NYC'], 'cto');
  add(1, 'Executive', 'Executive', 'Chief Revenue Officer', ['NYC'], 'cro');
  add(1, 'Executive', 'Executive', 'General Counsel', ['NYC'], 'gc');
  add(1, 'Executive', 'Executive', 'Chief People Officer', ['NYC'], 'cpo');
  add(1, 'Executive', 'Executive', 'Chief of Staff', ['NYC'], 'cos');
  add(1, 'Executive', 'Executive', 'Executive Assistant to the CEO', ['NYC'], 'eaCeo');
  add(1, 'Executive', 'Executive', 'Executive Assistant', ['NYC'], 'eaExec');
  add(1, 'Engineering', 'Engineering leadership', 'VP Engineering', ['NYC'], 'vpeng');
  const squads: [string, PlaceKey[]][] = [
    ['Platform', ['NYC', 'NYC', 'DEN', 'BOS']],
    ['Data', ['LON', 'LON', 'LIS']],
    ['Web', ['NYC', 'NYC', 'CHI']],
    ['Mobile', ['AUS', 'DEN', 'SFO', 'SEA']],
    ['Integrations', ['NYC', 'ATL', 'NYC']],
    ['Payments', ['NYC', 'BOS', 'TOR']],
  ];
  for (const [squad, places] of squads) {
    add(1, 'Engineering', squad, 'Engineering Manager', places.slice(0, 1), `em${squad}`);
    add(6, 'Engineering', squad, 'Software Engineer', places);
  }
  add(1, 'Engineering', 'SRE', 'SRE Lead', ['NYC'], 'srelead');
  add(4, 'Engineering', 'SRE', 'Site Reliability Engineer', ['NYC', 'DEN', 'LON']);
  add(2, 'Engineering', 'QA', 'QA Engineer', ['NYC', 'ATL']);
  add(2, 'Engineering', 'Data', 'Data Scientist', ['LON', 'NYC']);
  add(1, 'Product', 'Product', 'VP Product', ['NYC'], 'vpprod');
  add(4, 'Product', 'Product', 'Product Manager', ['NYC', 'NYC', 'LON', 'SFO']);
  add(3, 'Product', 'Design', 'Product Designer', ['NYC', 'LIS', 'CHI']);
  add(1, 'Product', 'Design', 'UX Researcher', ['NYC'], 'researcher');
  add(1, 'Sales', 'Sales leadership', 'VP Sales', ['NYC'], 'vpsales');
  add(1, 'Sales', 'Sales NA', 'Sales Manager, North America', ['NYC'], 'salesmgrNA');
  add(1, 'Sales', 'Sales EMEA', 'Sales Manager, EMEA', ['LON'], 'salesmgrEMEA');
  add(9, 'Sales', 'Sales NA', 'Account Executive', ['NYC', 'NYC', 'CHI', 'ATL', 'AUS', 'DEN', 'SFO', 'BOS', 'NYC'], 'aeNA');
  add(4, 'Sales', 'Sales EMEA', 'Account Executive', ['LON', 'LON', 'MAN', 'DUB'], 'aeEMEA');
  add(5, 'Sales', 'SDR', 'Sales Development Representative', ['NYC'], 'sdr');
  add(4, 'Sales', 'Solutions', 'Solutions Engineer', ['NYC', 'NYC', 'LON', 'CHI'], 'se');
  add(1, 'Sales', 'Sales Ops', 'Sales Operations Manager', ['NYC'], 'salesops');
  add(1, 'Customer Success', 'CS leadership', 'Director of Customer Success', ['NYC'], 'dircs');
  add(5, 'Customer Success', 'CSM', 'Customer Success Manager', ['NYC', 'NYC', 'CHI', 'LON', 'ATL'], 'csm');
  add(1, 'Customer Success', 'Support', 'Support Manager', ['NYC'], 'supmgr');
  add(5, 'Customer Success', 'Support', 'Support Specialist', ['NYC', 'ATL', 'NYC', 'DEN', 'LON'], 'sup');
  add(4, 'Customer Success', 'Support', 'Support Specialist', ['MNL'], 'supMNL');
  add(2, 'Customer Success', 'Support', 'Support Engineer', ['NYC', 'LON'], 'supeng');
  add(1, 'Marketing', 'Marketing', 'Director of Marketing', ['NYC'], 'mktdir');
  add(1, 'Marketing', 'Marketing', 'Marketing Operations Manager', ['NYC'], 'mktops');
  add(1, 'Marketing', 'Marketing', 'Community Manager', ['NYC'], 'community');
  add(2, 'Marketing', 'Marketing', 'Content Marketing Manager', ['NYC', 'LON']);
  add(2, 'Marketing', 'Marketing', 'Product Marketing Manager', ['NYC', 'SFO'], 'pmm');
  add(1, 'Marketing', 'Marketing', 'Events Manager', ['NYC']);
  add(1, 'Marketing', 'Marketing', 'Brand Designer', ['NYC']);
  add(1, 'Finance', 'Finance', 'Controller', ['NYC'], 'controller');
  add(1, 'Finance', 'Finance', 'FP&A Manager', ['NYC'], 'fpa');
  add(1, 'Finance', 'Finance', 'FP&A Analyst', ['NYC']);
  add(1, 'Finance', 'Finance', 'Senior Accountant', ['NYC'], 'accountant1');
  add(1, 'Finance', 'Finance', 'Staff Accountant', ['NYC'], 'accountant2');
  add(1, 'Finance', 'Finance', 'Accounts Payable Specialist', ['NYC'], 'ap');
  add(1, 'Finance', 'Finance', 'Payroll & AR Specialist', ['NYC'], 'payroll');
  add(2, 'People', 'People', 'HR Business Partner', ['NYC', 'LON'], 'hrbp');
  add(2, 'People', 'Talent', 'Recruiter', ['NYC', 'NYC'], 'recruiter');
  add(1, 'People', 'Talent', 'Recruiting Coordinator', ['NYC'], 'recco');
  add(1, 'People', 'People', 'People Operations Specialist', ['NYC'], 'peopleops');
  add(1, 'Legal', 'Legal', 'Senior Counsel', ['NYC'], 'counsel');
  add(1, 'Legal', 'Legal', 'Contracts Manager', ['NYC'], 'contracts');
  add(1, 'IT', 'IT', 'IT Director', ['NYC'], 'itdir');
  add(1, 'IT', 'IT', 'IT Systems Administrator', ['NYC'], 'itadmin1');
  add(1, 'IT', 'IT', 'IT Systems Administrator', ['NYC'], 'itadmin2');
  add(1, 'IT', 'IT', 'IT Support Specialist', ['NYC'], 'helpdesk');
  add(1, 'IT', 'Security', 'Security Lead', ['NYC'], 'seclead');
  add(1, 'IT', 'Security', 'Security Engineer', ['DEN'], 'seceng');
  add(1, 'Operations', 'Workplace', 'Office Manager, New York', ['NYC'], 'officeNYC');
  add(1, 'Operations', 'Workplace', 'Office Manager, London', ['LON'], 'officeLON');
  return s;
}

/** The company calendar: US holidays (Thanksgiving and the Friday after), Philippine holidays, by local date. */
export function isHoliday(p: { office: Person['office']; place: Place }, day: number): boolean {
  const d = dayStr(day);
  const us = p.place.cc === 'US' || p.place.cc === 'CA';
  if (us && (d === '2026-11-26' || d === '2026-11-27')) return true;
  if (p.office === 'MNL' && (d === '2026-11-30' || d === '2026-12-08')) return true;
  return false;
}

function laptop(
  p: { email: string; first: string; last: string; dept: Dept; office: string },
  variant: string,
  from: number,
  until: number,
  rng: Prng,
): Device {
  const engineer = p.dept === 'Engineering';
  const r = h01('os', p.email, variant);
  const os = engineer
    ? r < 0.72
      ? 'Mac'
      : r < 0.9
        ? 'Linux'
        : 'Windows'
    : p.dept === 'Finance' || p.office === 'MNL'
      ? r < 0.8
        ? 'Windows'
        : 'Mac'
      : r < 0.6
        ? 'Mac'
        : 'Windows';
  const oldClient = p.dept === 'Finance' && h01('vdi', p.email) < 0.35;
  const lagging = !oldClient && h01('lag', p.email, variant) < 0.1;
  const version = oldClient
    ? hPick(OLD_VERSIONS, p.email)
    : lagging
      ? hPick(LAGGING_VERSIONS, p.email)
      : hPick(CURRENT_VERSIONS, p.email, variant, rng.next());
  if (os === 'Mac') {
    return {
      kind: 'laptop',
      family: 'Mac',
      client: 'Mac',
      os: 'Mac',
      osVersion: hPick(['15.7.2', '15.6.1', '26.1', '26.0.1'], p.email, variant),
      version,
      pcName: `${p.first.replace(/[^A-Za-z]/g, '')}s-MacBook-Pro${variant === 'a' ? '' : `-${hInt(2, 9, p.email, variant)}`}`,
      deviceName: `${p.first}'s MacBook Pro`,
      macAddr: macAddr(p.email, variant),
      harddiskId: hex(24, 'disk', p.email, variant).toUpperCase(),
      domain: '',
      camera: 'FaceTime HD Camera',
      microphone: hPick(['MacBook Pro Microphone', 'AirPods Pro', 'Jabra Evolve2 65'], p.email, variant),
      speaker: 'MacBook Pro Speakers',
      from,
      until,
    };
  }
  if (os === 'Linux') {
    return {
      kind: 'laptop',
      family: 'Linux',
      client: 'Linux',
      os: 'Linux',
      osVersion: 'Ubuntu 24.04',
      version,
      pcName: `${slug(p.first)}-thinkpad`,
      deviceName: `${slug(p.first)}-thinkpad`,
      macAddr: macAddr(p.email, variant),
      harddiskId: hex(16, 'disk', p.email, variant),
      domain: '',
      camera: 'Integrated Camera',
      microphone: 'Built-in Audio Analog Stereo',
      speaker: 'Built-in Audio Analog Stereo',
      from,
      until,
    };
  }
  const site = p.office === 'remote' ? 'RMT' : p.office;
  return {
    kind: 'laptop',
    family: 'Windows',
    client: 'Windows',
    os: 'Windows',
    osVersion: hPick(['10.0.26100', '10.0.22631'], p.email, variant),
    version,
    pcName: `LRK-${site}-L${hInt(1000, 9999, p.email, variant)}`,
    deviceName: `LRK-${site}-L${hInt(1000, 9999, p.email, variant)}`,
    macAddr: macAddr(p.email, variant),
    harddiskId: `S${hex(13, 'disk', p.email, variant).toUpperCase()}`,
    camera: hPick(['Integrated Camera', 'Logitech BRIO'], p.email, variant),
    microphone: hPick(['Microphone Array (Realtek(R) Audio)', 'Headset (Jabra Evolve2 65)'], p.email, variant),
    speaker: 'Speakers (Realtek(R) Audio)',
    domain: 'LARKSPUR',
    from,
    until,
  };
}

function phone(email: string, first: string, variant: string, from: number, until: number): Device {
  const ios = h01('phone', email, variant) < 0.62;
  return {
    kind: 'phone',
    family: ios ? 'iOS' : 'Android',
    client: ios ? 'iOS' : 'Android',
    os: ios ? 'iOS' : 'Android',
    osVersion: ios ? hPick(['26.1', '18.7.2', '26.0.1'], email) : hPick(['16', '15'], email),
    version: hPick(PHONE_VERSIONS, email, variant),
    pcName: '',
    deviceName: ios ? `${first}'s iPhone` : hPick(['Pixel 9', 'Galaxy S25', 'Pixel 8a'], email),
    macAddr: '',
    harddiskId: '',
    domain: '',
    camera: ios ? 'Front Camera' : 'Front camera',
    microphone: 'iPhone Microphone',
    speaker: 'iPhone Speaker',
    from,
    until,
  };
}

export interface Directory {
  readonly people: Person[];
  /** Active and leaving employees, by key for named roles. */
  readonly key: Record<string, Person>;
  readonly byEmail: Map<string, Person>;
  readonly teams: Map<string, Person[]>;
  readonly externals: External[];
  readonly customers: Customer[];
  readonly outsiders: Record<string, External[]>;
  readonly rooms: RoomDevice[];
  /** The first Monday new hires start (local date, UTC midnight). */
  readonly newHireDay: number;
  readonly nameCollision: { readonly employee: Person; readonly contact: External };
}

export interface Customer {
  readonly name: string;
  readonly domain: string;
  readonly place: Place;
  readonly officeIp: string;
  readonly contacts: External[];
  readonly owner: Person;
  readonly csm: Person;
}

export type RoomDevice = Device & { readonly roomName: string; readonly office: 'NYC' | 'LON' };

/** The first Monday on or after `ms`'s UTC date. */
const mondayOnOrAfter = (ms: number): number => {
  let d = dayStart(ms);
  while (weekday(d) !== 1) d += DAY;
  return d;
};

/**
 * An outsider's first and last name, never an employee's full name. The pools (181 first names, 81 last names) are far
 * smaller than real name frequencies: ~150 staff and hundreds of outsiders drawn from them share a full name a few
 * times a fortnight by accident, where real people rarely do. The one designed name twin (a customer contact named
 * like a solutions engineer, `nameCollision`) stands for the real case.
 */
export function outsiderName(rng: Prng, staffNames: ReadonlySet<string>): [string, string] {
  for (;;) {
    const first = rng.pick(FIRST_NAMES);
    const last = rng.pick(LAST_NAMES);
    if (!staffNames.has(`${first} ${last}`)) return [first, last];
  }
}

/** The working day before local date `day` (skipping weekends). */
export const previousWorkday = (day: number): number => {
  let d = day - DAY;
  while (isWeekend(d)) d -= DAY;
  return d;
};

let v4Home = 2;
let hotelNext = 100;
let guestIpNext = 2;

/** Documentation IPv4 blocks only (RFC 5737) and the IPv6 documentation prefix (RFC 3849): no real network is named. */
export const NET = {
  officeNYC: ['198.51.100.10', '198.51.100.11'],
  officeLON: ['198.51.100.40'],
  officeMNL: ['198.51.100.50'],
  vpnUS: ['198.51.100.70', '198.51.100.71', '198.51.100.72'],
  vpnEU: ['198.51.100.80', '198.51.100.81'],
  bots: { callwise: ['192.0.2.201', '192.0.2.202', '192.0.2.203'], scribly: ['192.0.2.210', '192.0.2.211'] },
  nextHome(): string {
    return `203.0.113.${v4Home++}`;
  },
  nextHotel(): string {
    return `198.51.100.${hotelNext++}`;
  },
  nextGuest(): string {
    const n = guestIpNext++;
    if (n <= 140) return `192.0.2.${n}`;
    return `2001:db8:${(0x4000 + n).toString(16)}:${((n * 7919) % 65536).toString(16)}::${(n % 200) + 2}`;
  },
  reset(): void {
    v4Home = 2;
    hotelNext = 100;
    guestIpNext = 2;
  },
};

export function buildDirectory(seed: number, firstDay: number, lastDay: number, endMs: number): Directory {
  NET.reset();
  const rng = new Prng(seed, 'second-org:people');
  const used = new Set<string>();
  const people: Person[] = [];
  const key: Record<string, Person> = {};
  const newHireDay = (() => {
    // New hires start on the last Monday before the end (orientation is then in the webhook window).
    let d = dayStart(endMs);
    while (weekday(d) !== 1) d -= DAY;
    return d === dayStart(endMs) && endMs - d < 14 * HOUR ? d - 7 * DAY : d;
  })();
  const uniqueName = (): [string, string] => {
    for (let tries = 0; tries < 200; tries++) {
      const first = rng.pick(FIRST_NAMES);
      const last = rng.pick(LAST_NAMES);
      if (!used.has(`${first} ${last}`) && !used.has(`${slug(first)}.${slug(last)}`)) {
        used.add(`${first} ${last}`);
        used.add(`${slug(first)}.${slug(last)}`);
        return [first, last];
      }
    }
    throw new Error('name pool exhausted');
  };
  const slots = roster();
  const newHireKeys = new Set(['helpdesk', 'newEng', 'newSup', 'newCsm']);
  // Four new hires join on newHireDay: the IT support specialist (helpdesk) and three more added below.
  slots.push({ dept: 'Engineering', team: 'Platform', title: 'Software Engineer', places: ['NYC'], key: 'newEng' });
  slots.push({ dept: 'Customer Success', team: 'Support', title: 'Support Specialist', places: ['ATL'], key: 'newSup' });
  slots.push({ dept: 'Customer Success', team: 'CSM', title: 'Customer Success Manager', places: ['NYC'], key: 'newCsm' });
  let index = 0;
  for (const slot of slots) {
    const [first, last] = uniqueName();
    const placeKey = rng.pick(slot.places);
    const place: Place = PLACES[placeKey];
    const office: Person['office'] = placeKey === 'NYC' ? 'NYC' : placeKey === 'LON' ? 'LON' : placeKey === 'MNL' ? 'MNL' : 'remote';
    const domain = office === 'LON' || placeKey === 'MAN' || placeKey === 'DUB' ? UK_DOMAIN : DOMAIN;
    const email = `${slug(first)}.${slug(last)}@${domain}`;
    const isNew = slot.key !== undefined && newHireKeys.has(slot.key);
    const created = isNew ? newHireDay - hInt(3, 6, email) * DAY + 15 * HOUR : firstDay - rng.int(40, 2400) * DAY;
    const start = isNew ? newHireDay : undefined;
    const officeDays =
      office === 'NYC'
        ? slot.dept === 'Executive' || slot.dept === 'Finance' || slot.dept === 'IT' || slot.dept === 'Operations'
          ? [1, 2, 3, 4]
          : [2, 3, 4]
        : office === 'LON'
          ? [2, 3, 4]
          : office === 'MNL'
            ? [1, 2, 3, 4, 5]
            : [];
    const v6 = place.cc === 'US' && h01('v6', email) < 0.5;
    const home = v6
      ? { v6prefix: `2001:db8:${(0x1000 + hInt(0, 15, email, 'isp')).toString(16)}:${hex(4, 'hh', email)}`, place }
      : { v4: NET.nextHome(), place };
    const deptVpn =
      slot.dept === 'Finance' || slot.dept === 'Legal'
        ? 'always'
        : slot.dept === 'Engineering' || slot.dept === 'IT'
          ? h01('vpn', email) < 0.35
            ? 'sometimes'
            : 'never'
          : 'never';
    const p: Person = {
      index,
      id: zoomId(seed, email),
      email,
      first,
      last,
      name: `${first} ${last}`,
      dept: slot.dept,
      team: slot.team,
      title: slot.title,
      office,
      place,
      officeDays,
      roleId: '2',
      roleName: 'Member',
      type: 2,
      status: 'active',
      createdAt: created,
      ...(start !== undefined ? { startDay: start } : {}),
      pmi: hInt(2_000_000_000, 9_899_999_999, seed, email, 'pmi'),
      devices: [],
      home,
      vpn: office === 'MNL' ? 'never' : deptVpn,
      pto: new Set(),
      trips: [],
      employeeId: `LRK${String(1000 + index).padStart(5, '0')}`,
      ...(slot.key ? { key: slot.key } : {}),
    };
    const from = start ?? firstDay - 400 * DAY;
    p.devices.push(laptop({ email, first, last, dept: slot.dept, office: p.office }, 'a', from, Number.MAX_SAFE_INTEGER, rng));
    if (!isNew || h01('newphone', email) < 0.7) p.devices.push(phone(email, first, 'a', from, Number.MAX_SAFE_INTEGER));
    people.push(p);
    if (slot.key) key[slot.key] = p;
    index++;
  }
  // Roles: the IT director owns the account, the two sysadmins are admins; the CFO's team holds Billing Admin.
  key.itdir!.roleId = '0';
  key.itdir!.roleName = 'Owner';
  key.itadmin1!.roleId = '1';
  key.itadmin1!.roleName = 'Admin';
  key.itadmin2!.roleId = '1';
  key.itadmin2!.roleName = 'Admin';

  // The CEO also uses an iPad; the CEO's and CFO's assistants sit in the office every day.
  const ceo = key.ceo!;
  ceo.devices.push({
    ...phone(ceo.email, ceo.first, 'ipad', firstDay - 300 * DAY, Number.MAX_SAFE_INTEGER),
    kind: 'tablet',
    family: 'iOS',
    deviceName: `${ceo.first}'s iPad Pro`,
  });

  // Laptop refresh: six people get a new laptop during the fortnight (IT's hardware cycle).
  const refreshed = rng.sample(
    people.filter((p) => p.startDay === undefined && p.office !== 'MNL'),
    6,
  );
  for (const p of refreshed) {
    const swap = firstDay + rng.int(2, 12) * DAY;
    const old = p.devices[0]!;
    p.devices[0] = { ...old, until: swap - 1 };
    p.devices.push(laptop(p, 'b', swap, Number.MAX_SAFE_INTEGER, rng));
  }

  // Leavers: an Integrations engineer whose last day was a week earlier, and an account executive leaving on the
  // working day before the end.
  const integrations = people.filter((p) => p.team === 'Integrations' && p.title === 'Software Engineer');
  const leaverA = integrations[integrations.length - 1]!;
  const endLocal = dayStart(endMs - 5 * HOUR);
  let lastA = previousWorkday(previousWorkday(previousWorkday(previousWorkday(previousWorkday(endLocal)))));
  while (weekday(lastA) !== 5) lastA = previousWorkday(lastA);
  // Nobody leaves on a public holiday: the last day moves back (the Wednesday before Thanksgiving).
  while (isHoliday(leaverA, lastA)) lastA = previousWorkday(lastA);
  leaverA.lastDay = lastA;
  leaverA.deactivatedAt = atLocal(lastA, 18 * 60 + 10, leaverA.place);
  key.leaverA = leaverA;
  const aes = people.filter((p) => p.key?.startsWith('aeNA') && p.place === PLACES.NYC);
  const leaverB = aes[aes.length - 1]!;
  // The morning after his last day (the NA sales huddle, 09:00-09:15 New York; attack A1) must fall before the end:
  // an end on a weekend, or on a working day before 09:15, moves his last day back a working day.
  let nextMorning = endLocal;
  while (isWeekend(nextMorning) || atLocal(nextMorning, 9 * 60 + 15, PLACES.NYC) > endMs) nextMorning = previousWorkday(nextMorning);
  leaverB.lastDay = previousWorkday(nextMorning);
  leaverB.deactivatedAt = atLocal(leaverB.lastDay, 16 * 60 + 30, leaverB.place);
  key.leaverB = leaverB;

  // Accounts of people who left months ago (inactive) and two pending invites for January starters.
  for (let i = 0; i < 5; i++) {
    const [first, last] = uniqueName();
    const email = `${slug(first)}.${slug(last)}@${DOMAIN}`;
    const p: Person = {
      index: index++,
      id: zoomId(seed, email),
      email,
      first,
      last,
      name: `${first} ${last}`,
      dept: rng.pick(['Sales', 'Engineering', 'Customer Success', 'Marketing'] as Dept[]),
      team: 'former',
      title: 'Former employee',
      office: 'NYC',
      place: PLACES.NYC,
      officeDays: [],
      roleId: '2',
      roleName: 'Member',
      type: 1,
      status: 'inactive',
      createdAt: firstDay - rng.int(500, 1500) * DAY,
      deactivatedAt: firstDay - rng.int(30, 300) * DAY,
      pmi: hInt(2_000_000_000, 9_899_999_999, seed, email, 'pmi'),
      devices: [],
      home: { v4: NET.nextHome(), place: PLACES.NYC },
      vpn: 'never',
      pto: new Set(),
      trips: [],
      employeeId: `LRK${String(1000 + index).padStart(5, '0')}`,
    };
    people.push(p);
  }
  for (let i = 0; i < 2; i++) {
    const [first, last] = uniqueName();
    const email = `${slug(first)}.${slug(last)}@${DOMAIN}`;
    people.push({
      index: index++,
      id: zoomId(seed, email),
      email,
      first,
      last,
      name: `${first} ${last}`,
      dept: i === 0 ? 'Engineering' : 'Sales',
      team: 'incoming',
      title: 'Starts in January',
      office: 'NYC',
      place: PLACES.NYC,
      officeDays: [],
      roleId: '2',
      roleName: 'Member',
      type: 2,
      status: 'pending',
      createdAt: lastDay - rng.int(1, 10) * DAY,
      pmi: hInt(2_000_000_000, 9_899_999_999, seed, email, 'pmi'),
      devices: [],
      home: { v4: NET.nextHome(), place: PLACES.NYC },
      vpn: 'never',
      pto: new Set(),
      trips: [],
      employeeId: `LRK${String(1000 + index).padStart(5, '0')}`,
    });
  }

  // Time off: a week of holiday for some, single days for others; Thanksgiving is a company holiday in the US.
  const staff = people.filter((p) => p.status === 'active');
  for (const p of staff) {
    if (
      p.key === 'ceo' ||
      p.key === 'cfo' ||
      p.key === 'itadmin1' ||
      p.key === 'itadmin2' ||
      p.key === 'ap' ||
      p.startDay !== undefined ||
      p.lastDay !== undefined
    )
      continue;
    const r = rng.next();
    if (r < 0.12) {
      const startPto = firstDay + rng.int(0, 10) * DAY;
      for (let d = 0; d < rng.int(3, 5); d++) p.pto.add(dayStr(startPto + d * DAY));
    } else if (r < 0.4) {
      p.pto.add(dayStr(firstDay + rng.int(0, 13) * DAY));
    }
  }

  // Travel: the CEO visits the London office, account executives visit customers, a solutions engineer is at a
  // conference, an engineer works from family in Bengaluru for a week, a designer on holiday in Cancun still joins
  // one design review.
  const trip = (p: Person, startDay: number, days: number, place: Place, why: string) => {
    const t: Trip = { from: startDay, until: startDay + days * DAY, place, ip: NET.nextHotel(), why };
    p.trips.push(t);
    return t;
  };
  const midWeek = mondayOnOrAfter(firstDay + 3 * DAY);
  trip(ceo, midWeek + DAY, 4, PLACES.LON, 'CEO visits the London office and EMEA customers');
  const travellers = rng.sample(
    people.filter((p) => p.key?.startsWith('aeNA') && p !== leaverB),
    2,
  );
  trip(travellers[0]!, firstDay + rng.int(1, 9) * DAY, 3, PLACES.CHI, 'on-site customer visit');
  trip(travellers[1]!, firstDay + rng.int(1, 9) * DAY, 2, PLACES.SFO, 'on-site customer visit');
  const se = key.se1!;
  trip(se, midWeek, 4, PLACES.LAS, 'industry conference');
  const remoteEngineer = rng.pick(
    people.filter(
      (p) =>
        p.dept === 'Engineering' && p.place === PLACES.NYC && p.title === 'Software Engineer' && p.lastDay === undefined && p.startDay === undefined,
    ),
  );
  trip(remoteEngineer, firstDay + rng.int(0, 4) * DAY, 8, PLACES.BLR, 'working remotely from family in Bengaluru');
  const usDesigners = people.filter((p) => p.team === 'Design' && p.place.cc === 'US');
  const designer = rng.pick(usDesigners.length > 0 ? usDesigners : people.filter((p) => p.team === 'Design'));
  const holiday = firstDay + rng.int(2, 8) * DAY;
  trip(designer, holiday, 5, PLACES.MEX, 'on holiday in Cancun, still joins one review');
  for (let d = 0; d < 5; d++) designer.pto.add(dayStr(holiday + d * DAY));
  const emeaTraveller = key.aeEMEA1!;
  trip(emeaTraveller, firstDay + rng.int(3, 9) * DAY, 2, PLACES.FRA, 'customer visit in Frankfurt');

  const byEmail = new Map(people.map((p) => [p.email, p]));
  const teams = new Map<string, Person[]>();
  for (const p of people) if (p.status !== 'inactive' || p.lastDay !== undefined) teams.set(p.team, [...(teams.get(p.team) ?? []), p]);

  // Conference rooms (Zoom Rooms): the New York town hall and two meeting rooms, one London room; one room still runs an old client.
  const room = (name: string, office: 'NYC' | 'LON', version: string): RoomDevice => ({
    kind: 'room',
    family: 'Windows',
    client: 'Zoom Rooms',
    os: 'Windows',
    osVersion: '10.0.19045',
    version,
    pcName: `ZR-${slug(name).toUpperCase()}`,
    deviceName: name,
    macAddr: macAddr('room', name),
    harddiskId: hex(16, 'room', name),
    domain: 'LARKSPUR',
    camera: 'Poly Studio X50',
    microphone: 'Poly Studio X50',
    speaker: 'Poly Studio X50',
    from: 0,
    until: Number.MAX_SAFE_INTEGER,
    roomName: name,
    office,
  });
  const rooms = [
    room('NYC 6F Town Hall', 'NYC', '6.6.5.23905'),
    room('NYC 6F Hudson', 'NYC', '6.5.12.22877'),
    room('NYC 5F Battery', 'NYC', '5.17.5.31030'),
    room('LON 3F Thames', 'LON', '6.6.5.23905'),
  ];

  // Outsiders.
  const externals: External[] = [];
  const outsiders: Record<string, External[]> = {};
  const ext = (kind: ExternalKind, group: string, name: string, email: string, org: string, place: Place, opts: Partial<External> = {}): External => {
    const signedIn = email !== '' && (opts.zoomId === undefined ? h01('signed', email, name) < 0.85 : opts.zoomId !== '');
    const mode = opts.mode ?? (email === '' ? 'browser' : 'app');
    const r = h01('extclient', name, email);
    const x: External = {
      key: `${group}:${name}`,
      name,
      email,
      org,
      kind,
      zoomId: signedIn ? zoomId('ext', email) : '',
      place,
      ip: opts.ip ?? NET.nextGuest(),
      mode,
      client: mode === 'browser' ? 'Web' : r < 0.5 ? 'Windows' : r < 0.85 ? 'Mac' : 'iOS',
      os: mode === 'browser' ? (r < 0.5 ? 'Windows' : 'Mac') : r < 0.5 ? 'Windows' : r < 0.85 ? 'Mac' : 'iOS',
      osVersion: r < 0.5 ? '10.0.22631' : r < 0.85 ? '15.6.1' : '26.1',
      version:
        mode === 'browser'
          ? ''
          : h01('extver', email, name) < 0.12
            ? hPick(OLD_VERSIONS, email, name)
            : h01('extver2', email, name) < 0.25
              ? hPick(LAGGING_VERSIONS, email)
              : hPick(CURRENT_VERSIONS, email, name),
      ...opts,
    };
    externals.push(x);
    (outsiders[group] ??= []).push(x);
    return x;
  };
  const staffNames = new Set(people.map((p) => p.name));
  const person = (): [string, string] => outsiderName(rng, staffNames);
  const workEmail = (first: string, last: string, domain: string) =>
    h01('style', domain) < 0.5 ? `${slug(first)}.${slug(last)}@${domain}` : `${slug(first)[0]}${slug(last)}@${domain}`;

  const usPlaces: Place[] = [PLACES.NYC, PLACES.CHI, PLACES.ATL, PLACES.AUS, PLACES.DEN, PLACES.SFO, PLACES.SEA, PLACES.BOS, PLACES.TOR];
  const euPlaces: Place[] = [PLACES.LON, PLACES.MAN, PLACES.BER, PLACES.AMS, PLACES.PAR, PLACES.DUB];
  const aeAll = people.filter((p) => p.key?.startsWith('aeNA') || p.key?.startsWith('aeEMEA'));
  const csms = people.filter((p) => p.key?.startsWith('csm'));
  const customers: Customer[] = CUSTOMERS.map(([name, domain], i) => {
    const emea = /GmbH|UK| AS$/.test(name) || i % 5 === 4;
    const place = emea ? rng.pick(euPlaces) : rng.pick(usPlaces);
    const officeIp = NET.nextGuest();
    const owners = aeAll.filter((a) => (emea ? a.key?.startsWith('aeEMEA') : a.key?.startsWith('aeNA')));
    const contacts: External[] = [];
    for (let c = 0; c < rng.int(3, 7); c++) {
      const [first, last] = person();
      const guest = rng.chance(0.15);
      const dial = !guest && rng.chance(0.08);
      const remote = rng.chance(0.45);
      contacts.push(
        ext(
          'customer',
          `customer:${domain}`,
          `${first} ${last}`,
          guest || dial ? '' : workEmail(first, last, domain),
          name,
          remote ? rng.pick(emea ? euPlaces : usPlaces) : place,
          {
            ip: remote ? NET.nextGuest() : officeIp,
            mode: dial ? 'phone' : guest ? 'browser' : 'app',
            ...(dial ? { phone: `1${hInt(200, 989, first, last)}555${hInt(1000, 9999, last, first)}` } : {}),
            ...(guest ? { name: rng.chance(0.5) ? `${first} ${last}` : rng.chance(0.5) ? `${first} (${name.split(' ')[0]})` : `${first}` } : {}),
          },
        ),
      );
    }
    return { name, domain, place, officeIp, contacts, owner: rng.pick(owners), csm: rng.pick(csms) };
  });
  // Name collision: a customer contact shares a name with a solutions engineer.
  const seTwin = key.se2!;
  const twinCustomer = customers[3]!;
  const twin = ext(
    'customer',
    `customer:${twinCustomer.domain}`,
    seTwin.name,
    `${slug(seTwin.first)}.${slug(seTwin.last)}@${twinCustomer.domain}`,
    twinCustomer.name,
    twinCustomer.place,
    { ip: twinCustomer.officeIp },
  );
  twinCustomer.contacts.push(twin);

  const fixed = (
    kind: ExternalKind,
    group: string,
    org: string,
    domain: string,
    n: number,
    places: readonly Place[],
    opts: Partial<External> = {},
  ) => {
    const out: External[] = [];
    for (let i = 0; i < n; i++) {
      const [first, last] = person();
      out.push(ext(kind, group, `${first} ${last}`, domain === '' ? '' : workEmail(first, last, domain), org, rng.pick(places), opts));
    }
    return out;
  };
  // The board: two venture partners, two independent directors (one uses a personal address), an observer.
  const [vc1] = fixed('board', 'board', 'Foundry Ventures', 'foundry-ventures.example', 1, [PLACES.SFO]);
  const [vc2] = fixed('board', 'board', 'Northgate Capital', 'northgate-capital.example', 1, [PLACES.BOS]);
  const [ind1First, ind1Last] = person();
  ext(
    'board',
    'board',
    `${ind1First} ${ind1Last}`,
    `${slug(ind1First)}${slug(ind1Last)}${hInt(10, 99, ind1Last)}@gmail.com`,
    'Independent director',
    PLACES.ATL,
  );
  fixed('board', 'board', 'Halden Group', 'halden-group.example', 1, [PLACES.CHI]);
  fixed('board', 'board', 'Foundry Ventures (observer)', 'foundry-ventures.example', 1, [PLACES.SFO]);
  void vc1;
  void vc2;
  fixed('investor', 'investors', 'Foundry Ventures', 'foundry-ventures.example', 2, [PLACES.SFO, PLACES.NYC]);
  fixed('banker', 'bankers', 'Calder Partners', 'calder-partners.example', 3, [PLACES.NYC]);
  fixed('counsel', 'counsel', 'Hollis & Crane LLP', 'hollis-law.example', 3, [PLACES.NYC, PLACES.BOS]);
  fixed('auditor', 'auditors', 'Brightline Audit', 'brightline-audit.example', 4, [PLACES.NYC, PLACES.NYC, PLACES.CHI]);
  fixed('target', 'target', 'Heron Robotics', 'heron-robotics.example', 4, [PLACES.BOS, PLACES.SEA]);
  fixed('contractor', 'contractors', 'Vistula Software', 'vistula-software.example', 3, [PLACES.KRK], { ip: '192.0.2.145' });
  fixed('recruiter', 'recruiters', 'TalentBridge', 'talentbridge.example', 2, [PLACES.NYC, PLACES.LON]);
  fixed('broker', 'broker', 'Meridian Benefits', 'meridian-benefits.example', 2, [PLACES.NYC]);
  fixed('vendor', 'pentest', 'Ironclad Security', 'ironclad-security.example', 2, [PLACES.DEN]);
  fixed('vendor', 'payroll', 'PayStream', 'paystream.example', 1, [PLACES.ATL]);
  fixed('vendor', 'bank', 'Harbor Bank', 'harborbank.example', 2, [PLACES.NYC]);
  fixed('vendor', 'agency', 'Brightwave Creative', 'brightwave-creative.example', 2, [PLACES.LON, PLACES.NYC]);
  fixed('vendor', 'cloud', 'Nimbus Cloud', 'nimbus-cloud.example', 2, [PLACES.SEA]);
  fixed('partner', 'partners', 'Keystone Integrators', 'keystone-integrators.example', 3, [PLACES.CHI, PLACES.LON]);
  const [pf, pl] = person();
  ext('press', 'press', `${pf} ${pl}`, `${slug(pf)}.${slug(pl)}.podcast@gmail.com`, 'Forecast Weekly podcast', PLACES.AUS);
  // Approved note-taker bots: Callwise records the sales team's customer calls, Scribly takes notes for product and CS.
  for (let i = 0; i < 3; i++)
    ext('bot', 'callwise', 'Callwise Recorder', '', 'Callwise (approved)', PLACES.ASH, {
      ip: NET.bots.callwise[i]!,
      mode: 'app',
      client: 'Linux',
      os: 'Linux',
      osVersion: 'Ubuntu 22.04',
      version: '6.5.12.22877',
    });
  for (let i = 0; i < 2; i++)
    ext('bot', 'scribly', 'Scribly Notetaker', '', 'Scribly (approved)', PLACES.ASH, {
      ip: NET.bots.scribly[i]!,
      mode: 'app',
      client: 'Linux',
      os: 'Linux',
      osVersion: 'Debian 12',
      version: '6.4.10.20210',
    });
  // The community: customers' users, partners, students, consultants who come to the public office hours.
  const world: Place[] = [...usPlaces, ...euPlaces, PLACES.BLR, PLACES.SIN, PLACES.SYD, PLACES.SAO, PLACES.MNL, PLACES.KRK];
  for (let i = 0; i < 70; i++) {
    const [first, last] = person();
    const guest = rng.chance(0.35);
    ext(
      'community',
      'community',
      guest ? (rng.chance(0.5) ? first : `${first} ${last[0]}.`) : `${first} ${last}`,
      guest
        ? ''
        : rng.chance(0.6)
          ? `${slug(first)}${slug(last)}${rng.int(1, 99)}@${rng.pick(PERSONAL_DOMAINS)}`
          : workEmail(first, last, rng.pick(customers).domain),
      'community',
      rng.pick(world),
    );
  }

  return { people, key, byEmail, teams, externals, customers, outsiders, rooms, newHireDay, nameCollision: { employee: seTwin, contact: twin } };
}

/** A one-off outsider created while planning (candidates, webinar registrants, attackers). */
export function oneOff(
  dir: Directory,
  kind: ExternalKind,
  group: string,
  name: string,
  email: string,
  org: string,
  place: Place,
  opts: Partial<External> = {},
): External {
  const mode = opts.mode ?? (email === '' ? 'browser' : 'app');
  const r = h01('extclient', name, email, group);
  const x: External = {
    key: `${group}:${name}:${email}`,
    name,
    email,
    org,
    kind,
    zoomId: email !== '' && mode === 'app' ? zoomId('ext', email) : '',
    place,
    ip: opts.ip ?? NET.nextGuest(),
    mode,
    client: mode === 'browser' ? 'Web' : r < 0.45 ? 'Windows' : r < 0.8 ? 'Mac' : r < 0.92 ? 'iOS' : 'Android',
    os: r < 0.45 ? 'Windows' : r < 0.8 ? 'Mac' : r < 0.92 ? 'iOS' : 'Android',
    osVersion: r < 0.45 ? '10.0.22631' : r < 0.8 ? '15.6.1' : r < 0.92 ? '26.1' : '15',
    version: mode === 'browser' ? '' : h01('extver', email, name) < 0.12 ? hPick(OLD_VERSIONS, email, name) : hPick(CURRENT_VERSIONS, email, name),
    ...opts,
  };
  dir.externals.push(x);
  (dir.outsiders[group] ??= []).push(x);
  return x;
}

/** Whether `p` works on local date `day` (employed, not on holiday, not a weekend). */
export function works(p: Person, day: number): boolean {
  if (p.status === 'pending' || (p.status === 'inactive' && p.lastDay === undefined)) return false;
  if (p.startDay !== undefined && day < p.startDay) return false;
  if (p.lastDay !== undefined && day > p.lastDay) return false;
  if (isWeekend(day) || isHoliday(p, day)) return false;
  return !p.pto.has(dayStr(day));
}

/** The device `p` uses on `day` of a kind. */
export function deviceOf(p: Person, kind: Device['kind'], ms: number): Device | undefined {
  return p.devices.find((d) => d.kind === kind && d.from <= ms && ms <= d.until) ?? p.devices.find((d) => d.kind === kind);
}

export { MIN };
