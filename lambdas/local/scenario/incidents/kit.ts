import type { SimActivity, SimOperationLog } from '../../zoom-simulator/org.ts';
import { Prng } from '#core/prng.ts';
import type { MeetingFactory, MeetingPlan, SessionBuilder } from '../calendar.ts';
import type { IdentitySignInRow, ZoomUse } from '../identity.ts';
import type { PlantedIncident } from '../manifest.ts';
import type { Device, Employee, People, Person, Team } from '../people.ts';
import { HOUR_MS, MIN_MS, type Timeline } from '../timeline.ts';
import type { WebhookEvent } from '../webhooks.ts';

/*
 * What every planted incident works with: the scenario's people and meetings, one seeded stream shared by all of them
 * in a fixed order, the record of what they add, and the helpers that choose victims, plant meetings and make up
 * outsiders.
 */

/** What the incidents add besides meetings. */
export interface PlantedExtras {
  readonly activities: SimActivity[];
  readonly operationLogs: SimOperationLog[];
  readonly events: WebhookEvent[];
  readonly dataAccess: { principal: string; event_time: string; object_key: string }[];
  /** Identity-provider sign-ins the incidents add, and their Zoom uses no IdP sign-in stands behind. */
  readonly identity: IdentitySignInRow[];
  readonly unmirrored: ZoomUse[];
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

/** The planting context with the state and helpers the incidents share. */
export interface PlantKit extends PlantContext {
  /** The incidents' one seeded stream: each incident draws from it in turn, so their order is part of the scenario. */
  readonly rng: Prng;
  /** The scenario's end (`t.end`), which the incidents count back from. */
  readonly E: number;
  /** What the incidents planted so far besides meetings. */
  readonly out: PlantedExtras;
  /** The watched users' emails. */
  readonly watched: ReadonlySet<string>;
  /** An instant rounded down to the minute. */
  minute(ms: number): number;
  /** `h` hours and `m` minutes before the end, to the minute. */
  before(h: number, m?: number): number;
  /** In how many meetings (of series `id`, if given) before the last day the employee signed in. */
  baselineJoins(e: Employee, id?: number): number;
  /** Someone for an incident: not in an earlier one while the company is big enough, else anyone who fits. */
  pick(filter?: (e: Employee) => boolean): Employee;
  /** Plants a meeting no background pattern reworks (`fixed`), attended by `attendees`. */
  plant(topic: string, host: Employee, start: number, minutes: number, attendees: readonly Person[], id?: number, type?: 2 | 4 | 8): MeetingPlan;
  /** Labels an incident for the manifest. */
  incident(i: PlantedIncident): void;
  /** A new outsider on `domain` ('' for a guest without email), at `where`, on a Windows machine unless `dev` says otherwise. */
  outsider(domain: string | '', where: { ip: string; location: string }, dev?: Partial<Device>): Person;
  /** A guest without email who goes by `name`. */
  guestNamed(name: string, where: { ip: string; location: string }): Person;
  /** The meeting's instance in the last day, or a planted one with the usual crew when the series has none there. */
  lastDayInstance(id: number, make: () => MeetingPlan): MeetingPlan;
  /** The team an employee leads or belongs to. */
  teamOf(e: Employee): Team | undefined;
  /** Up to `n` eligible colleagues of `e`. */
  colleagues(e: Employee, n: number): Employee[];
}

/** Nothing planted yet. */
export function emptyExtras(): PlantedExtras {
  return {
    activities: [],
    operationLogs: [],
    events: [],
    dataAccess: [],
    identity: [],
    unmirrored: [],
    roles: new Map(),
    versions: new Map(),
    incidents: [],
  };
}

/** The kit for planting into `ctx`, with a fresh stream and nothing planted yet. */
export function plantKit(ctx: PlantContext): PlantKit {
  const { people, t, meetings, factory, sessions } = ctx;
  const rng = new Prng(ctx.seed, 'scenario-incidents');
  const E = t.end;
  const minute = (ms: number) => Math.floor(ms / MIN_MS) * MIN_MS;
  const before = (h: number, m = 0) => minute(E - h * HOUR_MS - m * MIN_MS);
  const out = emptyExtras();
  const watched = new Set(people.watched);
  const used = new Set<string>();
  const baselineEnd = E - 30 * HOUR_MS;
  const baselineJoins = (e: Employee, id?: number) =>
    new Set(
      meetings
        .filter((m) => m.start < baselineEnd && (id === undefined || m.id === id) && m.sessions.some((s) => s.person === e && s.zoomUserId !== ''))
        .map((m) => m.uuid),
    ).size;
  /** Ordinary staff who work through the whole scenario and have at least three meetings before the last day. */
  const eligible = (filter: (e: Employee) => boolean = () => true, reuse = false) =>
    people.employees.filter(
      (e) =>
        e.status === 'active' &&
        e.roleId === '2' &&
        e.activeFrom === undefined &&
        e.lastDay === undefined &&
        e.travel === undefined &&
        e.vpn === undefined &&
        !watched.has(e.email) &&
        !Object.values(people.execs).includes(e) &&
        (reuse || !used.has(e.email)) &&
        filter(e) &&
        baselineJoins(e) >= 3,
    );
  const pick = (filter?: (e: Employee) => boolean): Employee => {
    const pools = [eligible(filter), eligible(), eligible(filter, true), eligible(undefined, true)];
    const chosen = rng.pick(pools.find((p) => p.length > 0) ?? people.employees.filter((e) => e.status === 'active'));
    used.add(chosen.email);
    return chosen;
  };
  const plant = (
    topic: string,
    host: Employee,
    start: number,
    minutes: number,
    attendees: readonly Person[],
    id = factory.newId(),
    type: 2 | 4 | 8 = 2,
  ): MeetingPlan => {
    const m = factory.meeting({ id, type, topic, kind: 'planted', host, start });
    sessions.attend(m, attendees, minutes);
    m.fixed = true;
    meetings.push(m);
    return m;
  };
  const incident = (i: PlantedIncident) => {
    out.incidents.push(i);
  };
  const outsider = (domain: string | '', where: { ip: string; location: string }, dev: Partial<Device> = {}): Person => {
    const n = people.outsiderName();
    return {
      kind: domain === '' ? 'guest' : 'external',
      name: `${n.first} ${n.last}`,
      email: domain === '' ? '' : `${n.first.toLowerCase()}.${n.last.toLowerCase()}@${domain}`,
      userId: '',
      home: where,
      version: '6.2.5 (45640)',
      device: { family: 'Windows', os: 'Windows', osVersion: '10.0.19045', client: 'Windows', pcName: '', macAddr: '', harddiskId: '', ...dev },
    };
  };
  const guestNamed = (name: string, where: { ip: string; location: string }): Person => ({ ...outsider('', where), name });
  const lastDayInstance = (id: number, make: () => MeetingPlan): MeetingPlan =>
    meetings.find((m) => m.id === id && m.start >= E - 22 * HOUR_MS && m.end <= E - HOUR_MS && !m.fixed) ?? make();
  const teamOf = (e: Employee) => people.teams.find((tm) => tm.members.includes(e) || tm.lead === e);
  const colleagues = (e: Employee, n: number) =>
    eligible((x) => x !== e)
      .slice(0, 40)
      .filter((_, i) => i % 3 === 0)
      .slice(0, n);
  return {
    ...ctx,
    rng,
    E,
    out,
    watched,
    minute,
    before,
    baselineJoins,
    pick,
    plant,
    incident,
    outsider,
    guestNamed,
    lastDayInstance,
    teamOf,
    colleagues,
  };
}
