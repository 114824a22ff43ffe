import { Prng } from '#core/prng.ts';
import { plantRemoteControl } from './audit-trail.ts';
import type { MeetingFactory, MeetingPlan, SessionBuilder } from './calendar.ts';
import type { BackgroundPattern } from './manifest.ts';
import { working, type Employee, type People } from './people.ts';
import { HOUR_MS, MIN_MS, type Timeline } from './timeline.ts';

/*
 * The company's own IT service desk, the benign look-alike of a fake support agent: on each day of the webhook window
 * an IT admin, signed in with their own work account but shown as "IT Support", helps an employee in a short call and
 * takes control of their screen after asking (the same hook planted incidents use). Generated after everything else
 * from its own stream, so the rest of the scenario is the same with or without it.
 */

/** The display name the service desk uses in calls. */
export const SERVICE_DESK_NAME = 'IT Support';

const ISSUES = ['VPN client reinstall', 'Outlook profile repair', 'Laptop setup', 'Printer driver', 'Password manager setup'];

/** Adds the service desk's calls to `meetings`; returns the background pattern naming them. */
export function benignServiceDesk(
  seed: number,
  people: People,
  t: Timeline,
  meetings: MeetingPlan[],
  factory: MeetingFactory,
  sessions: SessionBuilder,
  watched: ReadonlySet<string>,
): BackgroundPattern[] {
  const rng = new Prng(seed, 'scenario-service-desk');
  const desk = people.admins[0] ?? people.owner;
  const helped: MeetingPlan[] = [];
  for (const day of t.workingDays.filter((d) => d >= t.liveFrom)) {
    const start = day + 14 * HOUR_MS + rng.int(0, 40) * MIN_MS;
    if (start + 40 * MIN_MS > t.end) continue;
    const callers = people.employees.filter(
      (e: Employee) => e !== desk && e.roleId === '2' && !watched.has(e.email) && e.travel === undefined && e.vpn === undefined && working(e, start),
    );
    if (callers.length === 0 || !working(desk, start)) continue;
    const caller = rng.pick(callers);
    const m = factory.meeting({ id: factory.newId(), type: 2, topic: `IT helpdesk: ${rng.pick(ISSUES)}`, kind: 'one_on_one', host: caller, start });
    m.sessions.push(sessions.session(m, caller, start, start + 25 * MIN_MS, { shared: true }));
    m.sessions.push(sessions.session(m, desk, start + MIN_MS, start + 25 * MIN_MS, { name: SERVICE_DESK_NAME }));
    m.end = start + 25 * MIN_MS;
    plantRemoteControl(m, { at: start + (4 + rng.int(0, 10)) * MIN_MS, sharer: caller, controller: desk, requested: true });
    meetings.push(m);
    helped.push(m);
  }
  if (helped.length === 0) return [];
  return [
    {
      id: 'it-service-desk-calls',
      summary: `${desk.email} helps ${helped.length} colleagues as "${SERVICE_DESK_NAME}" (signed in) and takes control of their screens after asking`,
      related: [desk.email, SERVICE_DESK_NAME, ...helped.flatMap((m) => [m.host.email, m.uuid, String(m.id)])],
    },
  ];
}
