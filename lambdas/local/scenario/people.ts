import { DAY_MS, HOUR_MS, dayOf } from './timeline.ts';

/*
 * The people of a demo scenario: the organisation's employees (executives, IT admins, teams, leavers, a new hire, a
 * traveller, staff on a VPN that egresses abroad, BYOD devices, mixed client versions), its customers' and partner's
 * contacts, and the strangers (guests, candidates, dial-ins) that meetings pick up, and where each of them is and what
 * they run at a given instant. generate-people.ts draws them from a seeded stream, so one seed gives one company.
 */

/** The machine a participant joins from, as the dashboard API reports it. */
export interface Device {
  readonly family: 'Windows' | 'Mac' | 'iOS' | 'Android';
  readonly os: string;
  readonly osVersion: string;
  /** The Zoom client kind: Windows, Mac, iOS, Android or Browser. */
  readonly client: string;
  /** The machine name; Zoom reports it only for the account's own users on desktops, else ''. */
  readonly pcName: string;
  readonly macAddr: string;
  readonly harddiskId: string;
}

/** Where someone is: their public IP and the location Zoom derives from it. */
export interface Place {
  readonly ip: string;
  readonly location: string;
}

/** Who a participant is; Zoom itself shows this only through blank fields. */
export type PersonKind = 'internal' | 'external' | 'guest' | 'dial_in';

/** Anyone who joins meetings. */
export interface Person {
  readonly kind: PersonKind;
  readonly name: string;
  /** Lower-case email; '' for guests and dial-ins. */
  readonly email: string;
  /** Zoom user id of the account's own users; '' for everyone else. */
  readonly userId: string;
  readonly home: Place;
  readonly device: Device;
  /** A personal tablet or phone the person also joins from (BYOD). */
  readonly byod?: Device;
  /** Client version, e.g. '6.2.5 (45640)'; `upgrade` replaces it from a time on. */
  readonly version: string;
  readonly upgrade?: { readonly at: number; readonly version: string };
  /** A trip: joins and sign-ins between `from` and `to` come from `place`. */
  readonly travel?: { readonly from: number; readonly to: number; readonly place: Place };
  /**
   * The corporate VPN, whose egress is in another country: connected in every other hour of the day (`phase` and
   * the day decide which), so sign-ins and joins of one day alternate between home and `egress`.
   */
  readonly vpn?: { readonly egress: Place; readonly phase: number };
}

/** An employee: a user of the Zoom account. */
export interface Employee extends Person {
  readonly kind: 'internal';
  readonly first: string;
  readonly last: string;
  readonly dept: string;
  readonly title: string;
  /** '0' owner, '1' admin, '2' member. */
  readonly roleId: '0' | '1' | '2';
  readonly pmi: number;
  readonly createdAt: number;
  readonly licensed: boolean;
  /** Status at the scenario's end. */
  readonly status: 'active' | 'inactive' | 'pending';
  /** First instant the employee works (a new hire); undefined: before the scenario. */
  readonly activeFrom?: number;
  /** End of a leaver's last working day. */
  readonly lastDay?: number;
  /** When a leaver's account was deactivated. */
  readonly deactivatedAt?: number;
  readonly timezone: string;
}

/** A team: its lead, members, and its recurring meetings. */
export interface Team {
  readonly name: string;
  readonly dept: string;
  readonly lead: Employee;
  readonly members: readonly Employee[];
  /** Whether the team holds a daily standup (recurring meeting `standupId`). */
  readonly standupId?: number;
  /** The weekly team meeting: its meeting number and weekday (1 Monday .. 5 Friday). */
  readonly weeklyId: number;
  readonly weeklyDay: number;
  /** Slot index, spreading the teams' meetings over the day. */
  readonly slot: number;
}

/** A customer company and the contacts who join its calls. */
export interface Customer {
  readonly name: string;
  readonly domain: string;
  readonly contacts: readonly Person[];
}

/** The organisation and the outsiders it meets. */
export interface People {
  readonly domain: string;
  /** Every internal email domain (the company and its UK subsidiary). */
  readonly domains: readonly string[];
  readonly employees: readonly Employee[];
  readonly execs: { readonly ceo: Employee; readonly cfo: Employee; readonly counsel: Employee; readonly cto: Employee; readonly vpSales: Employee };
  /** The account owner (IT director) and the admins, active. */
  readonly owner: Employee;
  readonly admins: readonly Employee[];
  readonly teams: readonly Team[];
  readonly customers: readonly Customer[];
  /** The partner's consultants on the joint project. */
  readonly partners: readonly Person[];
  /**
   * Leavers: one deactivated before the webhook window, one whose deactivation arrives as a webhook, and the late
   * leaver (`lateLeaver`, last), deactivated in the window right after a handover meeting.
   */
  readonly leavers: readonly Employee[];
  /** The leaver whose last day is the first day of the webhook window, deactivated that afternoon. */
  readonly lateLeaver: Employee | undefined;
  readonly newHire: Employee | undefined;
  readonly traveller: Employee | undefined;
  /** Staff whose corporate VPN egresses in another country (`vpn`). */
  readonly vpnUsers: readonly Employee[];
  /** Emails of the watched users (CEO, CFO, general counsel). */
  readonly watched: readonly string[];
  /** Draws a stranger: a guest without email, a job candidate, or a dial-in, never named like an employee. */
  stranger(kind: 'guest' | 'candidate' | 'dial_in'): Person;
  /** A name no employee has (for planted outsiders); checked against every internal and watched name. */
  outsiderName(): { first: string; last: string };
}

/** Whether a VPN user's traffic leaves through the VPN at `at`: every other hour, shifted by one each day. */
function onVpn(p: Person, at: number): boolean {
  if (!p.vpn) return false;
  const hour = Math.floor((at - dayOf(at)) / HOUR_MS);
  return (hour + Math.floor(at / DAY_MS) + p.vpn.phase) % 2 === 0;
}

/** Where a person is at `at`: on a trip, on the VPN, or at home. */
export function placeAt(p: Person, at: number): Place {
  if (p.travel && at >= p.travel.from && at < p.travel.to) return p.travel.place;
  return onVpn(p, at) ? p.vpn!.egress : p.home;
}

/** The client version a person runs at `at`. */
export function versionAt(p: Person, at: number): string {
  return p.upgrade && at >= p.upgrade.at ? p.upgrade.version : p.version;
}

/** Whether an employee works at `at` (hired, not yet gone). */
export function working(e: Employee, at: number): boolean {
  if (e.status === 'pending') return false;
  if (e.activeFrom !== undefined && at < e.activeFrom) return false;
  if (e.lastDay !== undefined) return at < e.lastDay;
  return e.status === 'active';
}
