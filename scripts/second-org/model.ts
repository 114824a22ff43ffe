import type { Prng } from '#core/prng.ts';

/*
 * The second synthetic organisation's own model: people, outsiders, devices, networks and planned meetings, before
 * they are rendered as the Zoom API simulator's SimulatedOrg and as webhook bodies. Designed from how companies use
 * Zoom and from Zoom's documented data shapes (../shared/zoom-reference.md, ../shared/corpus/), independently of
 * zoomlake's own demo scenario.
 */

export const MIN = 60_000;
export const HOUR = 3_600_000;
export const DAY = 86_400_000;

/** A city as Zoom's dashboard shows a participant's location, with its UTC offset in December. */
export interface Place {
  readonly city: string;
  readonly cc: string;
  /** UTC offset in hours (December: no daylight saving anywhere we use). */
  readonly tz: number;
  readonly ianaTz: string;
}

export const PLACES = {
  NYC: { city: 'New York', cc: 'US', tz: -5, ianaTz: 'America/New_York' },
  BOS: { city: 'Boston', cc: 'US', tz: -5, ianaTz: 'America/New_York' },
  CHI: { city: 'Chicago', cc: 'US', tz: -6, ianaTz: 'America/Chicago' },
  AUS: { city: 'Austin', cc: 'US', tz: -6, ianaTz: 'America/Chicago' },
  DEN: { city: 'Denver', cc: 'US', tz: -7, ianaTz: 'America/Denver' },
  SFO: { city: 'San Francisco', cc: 'US', tz: -8, ianaTz: 'America/Los_Angeles' },
  SEA: { city: 'Seattle', cc: 'US', tz: -8, ianaTz: 'America/Los_Angeles' },
  ATL: { city: 'Atlanta', cc: 'US', tz: -5, ianaTz: 'America/New_York' },
  LON: { city: 'London', cc: 'GB', tz: 0, ianaTz: 'Europe/London' },
  MAN: { city: 'Manchester', cc: 'GB', tz: 0, ianaTz: 'Europe/London' },
  LIS: { city: 'Lisbon', cc: 'PT', tz: 0, ianaTz: 'Europe/Lisbon' },
  DUB: { city: 'Dublin', cc: 'IE', tz: 0, ianaTz: 'Europe/Dublin' },
  AMS: { city: 'Amsterdam', cc: 'NL', tz: 1, ianaTz: 'Europe/Amsterdam' },
  BER: { city: 'Berlin', cc: 'DE', tz: 1, ianaTz: 'Europe/Berlin' },
  FRA: { city: 'Frankfurt', cc: 'DE', tz: 1, ianaTz: 'Europe/Berlin' },
  PAR: { city: 'Paris', cc: 'FR', tz: 1, ianaTz: 'Europe/Paris' },
  KRK: { city: 'Krakow', cc: 'PL', tz: 1, ianaTz: 'Europe/Warsaw' },
  MNL: { city: 'Manila', cc: 'PH', tz: 8, ianaTz: 'Asia/Manila' },
  SIN: { city: 'Singapore', cc: 'SG', tz: 8, ianaTz: 'Asia/Singapore' },
  BLR: { city: 'Bengaluru', cc: 'IN', tz: 5.5, ianaTz: 'Asia/Kolkata' },
  SYD: { city: 'Sydney', cc: 'AU', tz: 11, ianaTz: 'Australia/Sydney' },
  TOR: { city: 'Toronto', cc: 'CA', tz: -5, ianaTz: 'America/Toronto' },
  MEX: { city: 'Cancun', cc: 'MX', tz: -5, ianaTz: 'America/Cancun' },
  LAS: { city: 'Las Vegas', cc: 'US', tz: -8, ianaTz: 'America/Los_Angeles' },
  ASH: { city: 'Ashburn', cc: 'US', tz: -5, ianaTz: 'America/New_York' },
  SAO: { city: 'Sao Paulo', cc: 'BR', tz: -3, ianaTz: 'America/Sao_Paulo' },
  BUC: { city: 'Bucharest', cc: 'RO', tz: 2, ianaTz: 'Europe/Bucharest' },
  LAG: { city: 'Lagos', cc: 'NG', tz: 1, ianaTz: 'Africa/Lagos' },
  HAN: { city: 'Hanoi', cc: 'VN', tz: 7, ianaTz: 'Asia/Ho_Chi_Minh' },
  MOW: { city: 'Moscow', cc: 'RU', tz: 3, ianaTz: 'Europe/Moscow' },
  JKT: { city: 'Jakarta', cc: 'ID', tz: 7, ianaTz: 'Asia/Jakarta' },
} as const satisfies Record<string, Place>;
export type PlaceKey = keyof typeof PLACES;

/** Zoom's dashboard location text ("Hefei - CN" in the corpus). */
export const locationOf = (p: Place): string => `${p.city} - ${p.cc}`;

/** One piece of hardware a person joins from; the dashboard exposes these fields for the host's own account only. */
export interface Device {
  readonly kind: 'laptop' | 'desktop' | 'phone' | 'tablet' | 'room';
  /** Dashboard `device`: Windows, Mac, iOS, Android, Linux. */
  readonly family: string;
  /** Dashboard `client`: Windows, Mac, iOS, Android, Linux, Web, Zoom Rooms. */
  readonly client: string;
  readonly os: string;
  readonly osVersion: string;
  /** Zoom client version, 4-part as in the corpus ("5.9.1.2581"). */
  readonly version: string;
  readonly pcName: string;
  readonly deviceName: string;
  readonly macAddr: string;
  readonly harddiskId: string;
  /** Dashboard `domain`: the machine's Windows domain, '' elsewhere. */
  readonly domain: string;
  readonly camera: string;
  readonly microphone: string;
  readonly speaker: string;
  /** First day this device is used (a laptop refresh or a new hire's machine), epoch ms. */
  readonly from: number;
  /** Last day it is used (the old laptop before a refresh), epoch ms. */
  readonly until: number;
}

export type Dept =
  | 'Executive'
  | 'Engineering'
  | 'Product'
  | 'Sales'
  | 'Customer Success'
  | 'Marketing'
  | 'Finance'
  | 'People'
  | 'Legal'
  | 'IT'
  | 'Operations';

/** How a person reaches the internet on a given day. */
export interface HomeNet {
  /** IPv4 home address (stable) or an IPv6 /64 whose interface id changes daily (privacy extensions). */
  readonly v4?: string;
  readonly v6prefix?: string;
  readonly place: Place;
}

/** A trip: the person works from `place` through a hotel or conference network. */
export interface Trip {
  readonly from: number;
  readonly until: number;
  readonly place: Place;
  readonly ip: string;
  readonly why: string;
}

export interface Person {
  readonly index: number;
  readonly id: string;
  readonly email: string;
  readonly first: string;
  readonly last: string;
  readonly name: string;
  readonly dept: Dept;
  readonly team: string;
  readonly title: string;
  readonly office: 'NYC' | 'LON' | 'MNL' | 'remote';
  readonly place: Place;
  /** Local weekdays (1 Mon .. 5 Fri) in the office; [] for remote staff. */
  readonly officeDays: readonly number[];
  /** '0' owner, '1' admin, '2' member, or a custom role's id. */
  roleId: string;
  roleName: string;
  readonly type: 1 | 2;
  status: 'active' | 'inactive' | 'pending';
  readonly createdAt: number;
  /** New hires: first working day (UTC midnight of the local date). */
  startDay?: number;
  /** Leavers: when IT deactivated the account. */
  deactivatedAt?: number;
  /** Leavers: their last working day (UTC midnight of the local date). */
  lastDay?: number;
  readonly pmi: number;
  readonly devices: Device[];
  readonly home: HomeNet;
  /** Always-on corporate VPN (full tunnel) on the laptop, or sometimes. */
  readonly vpn: 'always' | 'sometimes' | 'never';
  /** Local dates (yyyy-mm-dd) off work: holiday, sick day, PTO. */
  readonly pto: Set<string>;
  readonly trips: Trip[];
  readonly employeeId: string;
  readonly key?: string;
}

export type ExternalKind =
  | 'customer'
  | 'prospect'
  | 'partner'
  | 'candidate'
  | 'auditor'
  | 'board'
  | 'investor'
  | 'banker'
  | 'counsel'
  | 'contractor'
  | 'recruiter'
  | 'vendor'
  | 'community'
  | 'bot'
  | 'press'
  | 'target'
  | 'broker'
  | 'attendee'
  | 'attacker';

/** Someone outside the account. `email` is '' when they join without signing in and without registering. */
export interface External {
  readonly key: string;
  readonly name: string;
  readonly email: string;
  readonly org: string;
  readonly kind: ExternalKind;
  /** Their own Zoom account's user id when signed in, else ''. */
  readonly zoomId: string;
  readonly place: Place;
  readonly ip: string;
  /** How they usually join. */
  readonly mode: 'app' | 'browser' | 'phone';
  readonly client: string;
  readonly os: string;
  readonly osVersion: string;
  readonly version: string;
  readonly phone?: string;
}

export type Who = { readonly p: Person } | { readonly x: External };

/** One attendee of a planned meeting and how they behave in it. */
export interface Attendance {
  readonly who: Who;
  /** Minutes after the scheduled start they join (negative: early). */
  readonly joinOffset: number;
  /** Minutes before the actual end they leave (0: stay to the end). */
  readonly leaveEarly: number;
  /** Dropped and rejoined (a new session); `switchDevice`: came back on the phone. */
  readonly drop?: { readonly afterMin: number; readonly gapMin: number; readonly switchDevice: boolean };
  /** Joined only for this many minutes (a brief join). */
  readonly briefMin?: number;
  /** Joins by phone (PSTN) instead of the app. */
  readonly dialIn?: boolean;
  /** Joins through the Zoom web client without signing in (guests) or a signed-in browser session. */
  readonly browser?: boolean;
  /** Uses the phone app rather than the laptop (commuting). */
  readonly mobile?: boolean;
  /** Joined from a conference room system: the room participant carries them. */
  readonly room?: Device & { readonly roomName: string; readonly office: 'NYC' | 'LON' };
  /** Shared the screen. */
  readonly shares?: boolean;
  /** Registered for a registration-required meeting. */
  readonly registered?: boolean;
  /** Put in the waiting room before being admitted, or removed from the meeting by the host. */
  readonly waitingRoom?: boolean;
  readonly removed?: boolean;
  /** A display name other than their own (a guest choosing a name). */
  readonly displayName?: string;
  /** Overrides the device/network a session is joined from (attacks, one-off situations). */
  readonly net?: { readonly ip: string; readonly place: Place; readonly network: string };
  readonly device?: Device;
  /** The cohost or host. */
  readonly host?: boolean;
}

/** A planned meeting instance: what happened, before rendering. */
export interface Plan {
  readonly key: string;
  readonly uuid: string;
  readonly id: number;
  readonly host: Person;
  readonly topic: string;
  readonly type: 2 | 4 | 8;
  /** Scheduled start and minutes; the actual end may run over or short. */
  readonly start: number;
  readonly scheduledMin: number;
  readonly end: number;
  readonly attendees: Attendance[];
  readonly waitingRoom: boolean;
  readonly registration: boolean;
  readonly chat: boolean;
  /** Cloud recording, and what later happened to it. */
  recording?: RecordingPlan;
  /** What kind of meeting this is, for the manifest. */
  readonly category: string;
  readonly tags: string[];
  /** The host joins after some participants (join before host allowed). */
  readonly hostLateMin?: number;
}

export interface RecordingPlan {
  readonly transcript: boolean;
  /** Moved to trash (recording.trashed) and maybe deleted for good later. */
  deleted?: { readonly at: number; readonly by: Person; readonly permanent: boolean; readonly why: string; readonly viaAdminConsole: boolean };
  /** Downloads of the recording (operation log records). */
  downloads: { readonly at: number; readonly by: Person; readonly why: string }[];
}

/** A benign behaviour worth naming in the report: who, what, why it is ordinary. */
export interface Behaviour {
  readonly id: string;
  readonly summary: string;
  readonly emails: string[];
  readonly names: string[];
  readonly meetings: string[];
  readonly ips: string[];
}

/** Deterministic helpers over the simulator's seeded PRNG. */
export interface Rand {
  readonly rng: Prng;
}
