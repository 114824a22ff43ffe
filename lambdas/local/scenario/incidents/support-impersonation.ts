import { plantRemoteControl } from '../audit-trail.ts';
import type { MeetingPlan } from '../calendar.ts';
import type { Person } from '../people.ts';
import { MIN_MS } from '../timeline.ts';
import { isoSeconds as iso } from '../../zoom-simulator/org.ts';
import type { PlantKit } from './kit.ts';

/*
 * Incidents of outsiders posing as support: ELUSIVE COMET's fake "Zoom Support" in a staged interview, given
 * control of the employee's screen, and a joiner from a look-alike of the company's domain.
 */

/** The first instant from `from` on, to the second, when both people are in the meeting (a session each). */
function bothIn(m: MeetingPlan, a: Person, b: Person, from: number): number {
  const spans = (p: Person) => m.sessions.filter((s) => s.person === p && !s.waitingRoomOnly);
  for (const x of spans(a)) {
    for (const y of spans(b)) {
      const start = Math.max(from, x.join, y.join) + MIN_MS;
      if (start + MIN_MS <= Math.min(x.leave, y.leave)) return Math.ceil(start / 1000) * 1000;
    }
  }
  throw new Error(`"${m.topic}": ${a.name} and ${b.name} are never in it together`);
}

/**
 * 24-25. A guest renamed "Zoom Support" joins a staged podcast interview with an employee, asks for control of the
 * employee's screen and gets it (the remote-control hand-over is in the meeting activities report).
 */
export function fakeZoomSupportTakesControl(k: PlantKit): void {
  const { sessions, before, pick, plant, incident, guestNamed } = k;
  const host = pick();
  const m = plant('Podcast interview: custody and payments', host, before(6), 45, []);
  const where = { ip: '185.220.101.47', location: 'Frankfurt (DE)' };
  const fake = guestNamed('Zoom Support', where);
  const join = m.start + 4 * MIN_MS;
  m.sessions.push(sessions.session(m, fake, join, m.start + 40 * MIN_MS));
  const at = bothIn(m, host, fake, join + 10 * MIN_MS);
  plantRemoteControl(m, { at, sharer: host, controller: fake, requested: true });
  incident({
    id: 'fake-zoom-support',
    detection: 'zoom.participant.impersonates_support',
    paths: ['realtime', 'scheduled'],
    time: iso(join),
    summary: `guest "${fake.name}" joins "${m.topic}" with ${host.email}`,
    match: { user_name: fake.name, meeting_uuid: m.uuid },
    related: [fake.name, m.uuid, String(m.id), where.ip],
  });
  incident({
    id: 'remote-control-to-fake-support',
    detection: 'zoom.participant.remote_control_to_outsider',
    paths: ['scheduled'],
    time: iso(at),
    summary: `${host.email} gives guest "${fake.name}" control of their screen in "${m.topic}" after it asked`,
    match: { user_name: fake.name, meeting_id: String(m.id) },
    related: [fake.name, m.uuid, String(m.id), where.ip],
  });
}

/** 26. Someone from a look-alike of the company's domain ("rn" for "m") joins a meeting about invoices. */
export function lookalikeDomainJoiner(k: PlantKit): void {
  const { before, pick, plant, incident, outsider, colleagues, sessions } = k;
  const host = pick((e) => e.dept === 'Finance');
  const m = plant('Invoice reconciliation', host, before(4, 30), 30, colleagues(host, 1));
  const [name = '', ...rest] = k.people.domain.split('.');
  // "rn" for "m" when the name has an m, else its first two letters swapped.
  const lookalike = name.includes('m') ? name.replace('m', 'rn') : `${name.slice(1, 2)}${name.slice(0, 1)}${name.slice(2)}`;
  const domain = [lookalike, ...rest].join('.');
  const where = { ip: '45.155.205.233', location: 'Amsterdam (NL)' };
  const joiner = outsider(domain, where);
  const join = m.start + 6 * MIN_MS;
  m.sessions.push(sessions.session(m, joiner, join, m.start + 28 * MIN_MS));
  incident({
    id: 'lookalike-domain-joiner',
    detection: 'zoom.participant.impersonates_support',
    paths: ['realtime', 'scheduled'],
    time: iso(join),
    summary: `${joiner.email} (${domain} looks like ${k.people.domain}) joins "${m.topic}"`,
    match: { user_email: joiner.email, meeting_uuid: m.uuid },
    related: [joiner.email, joiner.name, m.uuid, where.ip],
  });
}
