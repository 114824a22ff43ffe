import type { Attack } from './attacks.ts';
import type { SecondOrg } from './generate.ts';
import { HOUR, MIN } from './model.ts';
import { iso } from './util.ts';

/** An alert as the pipeline notified it (alerts.jsonl `detail`). */
export interface NotifiedAlert {
  readonly detection_id: string;
  readonly source: string;
  readonly severity: string;
  readonly title: string;
  readonly first_seen: string;
  readonly last_seen: string;
  readonly dedup_key: string;
  readonly entities: Record<string, string>;
  readonly evidence: Record<string, unknown>[];
}

export interface Judged {
  readonly detection_id: string;
  readonly source: string;
  readonly severity: string;
  readonly first_seen: string;
  readonly entities: Record<string, string>;
  readonly verdict: 'planted' | 'ordinary';
  readonly attack?: string;
  readonly who: string;
  readonly meeting?: { topic: string; category: string; host: string; start: string; tags: string[] };
  readonly behaviours?: { id: string; summary: string }[];
  readonly evidence_first?: Record<string, unknown>;
  readonly evidence_rows: number;
}

const lower = (s: string | undefined) => (s ?? '').toLowerCase();

/**
 * Judges one alert: "planted" when it names an attack's own actors (emails, names, IPs, devices only the attack
 * uses), or names an identity the attack borrowed (the CEO's name, a compromised admin) in the attack's meetings or
 * time window, or names only an attack meeting; otherwise "ordinary".
 */
export function judge(alert: NotifiedAlert, g: SecondOrg): Judged {
  const e = alert.entities;
  const from = Date.parse(alert.first_seen);
  const to = Date.parse(alert.last_seen);
  const persons = [e.user_email, e.user_name, e.operator].filter((v): v is string => Boolean(v));
  let attack: Attack | undefined;
  for (const a of g.attacks) {
    const uuids = new Set(a.meetings.map((m) => m.uuid));
    const idHit = a.meetings.some((m) => m.id === e.meeting_id && Math.abs(Date.parse(m.start) - from) < 6 * HOUR);
    const meetingHit = (e.meeting_uuid !== undefined && uuids.has(e.meeting_uuid)) || (e.meeting_uuid === undefined && idHit);
    const timeHit = from <= Date.parse(a.window[1]) && to >= Date.parse(a.window[0]);
    // Zoom's own warning about the attack meeting, relayed when it arrives (before the attack's window).
    const warningHit = a.warnedAt !== undefined && Math.abs(from - Date.parse(a.warnedAt)) < 5 * MIN;
    const actorHit =
      a.actors.emails.some((x) => lower(x) === lower(e.user_email) || lower(x) === lower(e.operator)) ||
      (e.user_name !== undefined && a.actors.names.includes(e.user_name)) ||
      (e.ip_address !== undefined && a.actors.ips.includes(e.ip_address)) ||
      (e.device !== undefined && a.actors.devices.some((d) => e.device!.includes(d))) ||
      a.actors.operators.some((o) => lower(o) === lower(e.operator));
    const borrowedPerson =
      a.borrowed.emails.some((x) => lower(x) === lower(e.user_email)) ||
      (e.user_name !== undefined && a.borrowed.names.includes(e.user_name)) ||
      (e.ip_address !== undefined && (a.borrowed.ips ?? []).includes(e.ip_address));
    // A borrowed admin or downloader acts through the operation log: the attack's time window identifies it.
    const borrowedOperator = a.borrowed.operators.some((o) => lower(o) === lower(e.operator) || lower(o) === lower(e.user_email));
    const ordinaryPerson = persons.length > 0 && !actorHit && !borrowedPerson && !borrowedOperator;
    const noMeeting = e.meeting_uuid === undefined && e.meeting_id === undefined;
    // An alert that names only an attack's meeting counts when its evidence overlaps the attack itself (a burst of
    // ordinary joins at the start of a meeting that is raided later is not a detection of the raid).
    if (
      actorHit ||
      (borrowedOperator && timeHit) ||
      (borrowedPerson && (meetingHit || (timeHit && noMeeting))) ||
      (meetingHit && (timeHit || warningHit) && !ordinaryPerson)
    ) {
      attack = a;
      break;
    }
  }
  const who = describeWho(e, g);
  const meeting = meetingOf(e, from, g);
  const base = {
    detection_id: alert.detection_id,
    source: alert.source,
    severity: alert.severity,
    first_seen: alert.first_seen,
    entities: e,
    who,
    ...(meeting ? { meeting } : {}),
    evidence_rows: alert.evidence.length,
    ...(alert.evidence[0] ? { evidence_first: trim(alert.evidence[0]) } : {}),
  };
  if (attack) return { ...base, verdict: 'planted', attack: attack.id };
  const plan = meeting
    ? g.meetings.find((m) => m.plan.uuid === e.meeting_uuid || (String(m.plan.id) === e.meeting_id && Math.abs(m.start - from) < 12 * HOUR))
    : undefined;
  const behaviours = g.behaviours.filter(
    (b) =>
      (e.user_email && b.emails.includes(lower(e.user_email))) ||
      (e.operator && b.emails.includes(lower(e.operator))) ||
      (e.user_name && b.names.includes(e.user_name)) ||
      (plan && b.meetings.includes(plan.plan.uuid)) ||
      (e.meeting_uuid && b.meetings.includes(e.meeting_uuid)) ||
      (e.ip_address && b.ips.includes(e.ip_address)),
  );
  return { ...base, verdict: 'ordinary', behaviours: behaviours.map((b) => ({ id: b.id, summary: b.summary })) };
}

function trim(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) out[k] = typeof v === 'string' && v.length > 200 ? `${v.slice(0, 200)}…` : v;
  return out;
}

function describeWho(e: Record<string, string>, g: SecondOrg): string {
  const email = lower(e.user_email ?? e.operator ?? '');
  if (email) {
    const p = g.dir.byEmail.get(email);
    if (p)
      return `${p.name} <${p.email}>, ${p.title} (${p.dept}, ${p.office === 'remote' ? `remote, ${p.place.city}` : p.office})${p.status === 'inactive' || p.lastDay ? ', leaver' : ''}${p.startDay ? ', new hire' : ''}`;
    const x = g.dir.externals.find((o) => lower(o.email) === email);
    if (x) return `${x.name} <${x.email}> (${x.kind}, ${x.org})`;
    return email;
  }
  if (e.user_name) {
    // Who joined under this name: the attendees behind the sessions that carry it.
    const behind = new Set<string>();
    for (const m of g.meetings) {
      if (e.meeting_uuid && m.plan.uuid !== e.meeting_uuid) continue;
      for (const s of m.sessions) {
        if (s.name !== e.user_name) continue;
        const w = s.att.who;
        behind.add(
          'p' in w
            ? `employee ${w.p.email} (${w.p.title})${s.kind === 'guest' ? ' not signed in' : s.kind === 'dial_in' ? ' by phone' : ''}`
            : `${w.x.kind} at ${w.x.org}${w.x.email ? ` <${w.x.email}>` : ''}${s.kind === 'dial_in' ? ' by phone' : s.kind === 'guest' ? ' not signed in' : ''}`,
        );
        if (behind.size > 4) break;
      }
    }
    return `"${e.user_name}"${behind.size ? ` = ${[...behind].slice(0, 4).join('; ')}` : ''}`;
  }
  if (e.host_email) {
    const p = g.dir.byEmail.get(lower(e.host_email));
    return p ? `host ${p.name} <${p.email}>, ${p.title}` : `host ${e.host_email}`;
  }
  return e.ip_address ?? e.device ?? '-';
}

function meetingOf(e: Record<string, string>, from: number, g: SecondOrg): Judged['meeting'] | undefined {
  const m =
    g.meetings.find((x) => x.plan.uuid === e.meeting_uuid) ??
    (e.meeting_id
      ? g.meetings.filter((x) => String(x.plan.id) === e.meeting_id).sort((a, b) => Math.abs(a.start - from) - Math.abs(b.start - from))[0]
      : undefined);
  if (!m) return undefined;
  return { topic: m.plan.topic, category: m.plan.category, host: m.plan.host.email, start: iso(m.start), tags: m.plan.tags };
}
