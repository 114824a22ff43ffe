import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { judge, type Judged, type NotifiedAlert } from './classify.ts';
import { generateSecondOrg, type SecondOrg } from './generate.ts';
import { DAY, MIN, type Person } from './model.ts';
import { netFor } from './network.ts';
import { deviceOf } from './people.ts';
import type { Session } from './render.ts';

/*
 * `tsx scripts/second-org/explain.ts RUN.json...`: for every alert a run judged "ordinary", the concrete benign
 * behaviour behind it, read from the organisation's own ground truth (the generator is deterministic, so the run's
 * seed, end and mode rebuild it): which network an IP belongs to and why, which device, which download or deletion and
 * its reason, who is behind a display name. Prints one JSON object per run: counts per detection and per pattern, with
 * examples.
 */

interface Run {
  seed: number;
  benign: boolean;
  end: string;
  dir: string;
  alerts: Judged[];
  replay?: { alerts: Judged[] };
  totals: Record<string, { planted: number; benign: number }>;
  attacks: { id: string; found: boolean; by: string[] }[];
  seconds: Record<string, number>;
}

const lower = (s: unknown) => (typeof s === 'string' ? s.toLowerCase() : '');

class Truth {
  private readonly byIp = new Map<string, Session[]>();
  constructor(readonly g: SecondOrg) {
    for (const m of g.meetings) for (const s of m.sessions) if (s.net) this.byIp.set(s.net.ip, [...(this.byIp.get(s.net.ip) ?? []), s]);
  }

  person(email: unknown): Person | undefined {
    return this.g.dir.byEmail.get(lower(email));
  }

  /** Why `ip` is one of `p`'s addresses: the network it belongs to, from sessions or sign-ins. */
  ip(p: Person | undefined, ip: unknown): string {
    if (typeof ip !== 'string' || ip === '') return 'no IP';
    const sessions = (this.byIp.get(ip) ?? []).filter((s) => !p || s.person === p);
    const s = sessions[0];
    if (s && s.net && 'why' in s.net)
      return `${ip} = ${s.net.why}${s.net.why === 'vpn' ? ` egress ${s.net.place.city}` : s.net.why === 'travel' ? ` (${s.net.place.city} hotel)` : s.net.why === 'cellular' ? ' (phone on the carrier)' : s.net.why === 'home' && ip.includes(':') ? ' (home IPv6, host part changes daily)' : ''}${s.device ? `, ${s.device.kind}` : ''}`;
    if (s && s.att.net) return `${ip} = attack network`;
    if (p) {
      for (const a of this.g.org.activities) {
        if (a.email !== p.email || a.ip_address !== ip) continue;
        const t = Date.parse(a.time);
        const dev = a.client_type === 'iOS' || a.client_type === 'Android' ? deviceOf(p, 'phone', t) : deviceOf(p, 'laptop', t);
        if (dev) {
          const n = netFor(p, t, dev);
          if (n.ip === ip)
            return `${ip} = ${n.why}${n.why === 'vpn' ? ` egress ${n.place.city}` : n.why === 'cellular' ? ' (phone)' : ''} (sign-in, ${a.client_type})`;
        }
      }
    }
    const any = this.byIp.get(ip)?.[0];
    if (any) return `${ip} = ${'x' in any.att.who ? `${any.att.who.x.kind} ${any.att.who.x.org}` : any.att.who.p.email}`;
    return `${ip} = ?`;
  }

  meeting(uuid: unknown, id?: unknown, near?: number) {
    return (
      this.g.meetings.find((m) => m.plan.uuid === uuid) ??
      (id
        ? this.g.meetings
            .filter((m) => String(m.plan.id) === String(id))
            .sort((a, b) => Math.abs(a.start - (near ?? 0)) - Math.abs(b.start - (near ?? 0)))[0]
        : undefined)
    );
  }

  who(p: Person | undefined): string {
    return p ? `${p.name} (${p.title}, ${p.dept}${p.office === 'remote' ? `, remote ${p.place.city}` : `, ${p.office}`})` : '?';
  }

  /** Who is behind sessions named `name`. */
  named(name: unknown, uuid?: unknown): string {
    const out = new Set<string>();
    for (const m of this.g.meetings) {
      if (uuid && m.plan.uuid !== uuid) continue;
      for (const s of m.sessions) {
        if (s.name !== name) continue;
        const w = s.att.who;
        out.add(
          'p' in w
            ? `employee ${this.who(w.p)}${s.kind === 'guest' ? ', browser, not signed in' : s.kind === 'dial_in' ? ', by phone' : ''}`
            : `${w.x.kind} (${w.x.org})${s.kind === 'dial_in' ? ' by phone' : s.kind === 'guest' ? ' not signed in' : ''}`,
        );
      }
    }
    return [...out].slice(0, 3).join('; ') || '?';
  }
}

/** A pattern name and a concrete sentence for one ordinary alert. */
function explain(a: Judged, t: Truth): { pattern: string; text: string } {
  const e = a.entities;
  const ev = (a.evidence_first ?? {}) as Record<string, unknown>;
  const p = t.person(e.user_email ?? e.operator);
  const at = Date.parse(a.first_seen);
  switch (a.detection_id) {
    case 'zoom.correlation.host_data_access_after_external_meeting': {
      const host = t.person(e.host_email ?? e.user_email);
      const m = t.meeting(e.meeting_uuid, e.meeting_id, at);
      const mins = m ? Math.round((Date.parse(String(ev.first_seen)) - m.end) / MIN) : NaN;
      const res = String(ev.resource ?? '');
      const doc = /pricebook|proposal|quotes/.test(res)
        ? 'opens the price book / proposal / quote (sales follow-up)'
        : /account-plan/.test(res)
          ? 'opens the account plan (CSM follow-up)'
          : /candidate/.test(res)
            ? 'opens the candidate packet'
            : /heron|board/.test(res)
              ? 'opens the board deck / deal model'
              : 'reads own day-to-day work files';
      const kind = `${host?.dept ?? '?'} host of a ${m?.plan.category ?? '?'} ${doc}`;
      return {
        pattern: kind,
        text: `${t.who(host)} read ${String(ev.resource ?? '?')} ${mins} min after "${m?.plan.topic ?? ev.topic}" with ${String(ev.external_emails || ev.unauthenticated || 'outsiders')}`,
      };
    }
    case 'zoom.correlation.participants_unavailable': {
      const m = t.meeting(e.meeting_uuid, e.meeting_id, at);
      return {
        pattern:
          m && m.people < 2
            ? 'host alone in the meeting (no-show): Zoom has no participant report for one-person meetings'
            : 'participant report unavailable',
        text: `"${m?.plan.topic}" hosted by ${t.who(m?.plan.host)}, ${m?.people ?? '?'} participant(s), ${m?.plan.category}`,
      };
    }
    case 'zoom.participant.outdated_client': {
      const v = String(ev.version ?? '');
      if (p)
        return {
          pattern: p.dept === 'Finance' ? 'finance staff on the VDI-pinned Zoom 5.x client' : 'employee on an old client',
          text: `${t.who(p)} runs ${v}`,
        };
      if (e.user_name && /NYC|LON/.test(e.user_name))
        return { pattern: 'conference-room system (Zoom Room) not updated', text: `${e.user_name} runs ${v}` };
      return {
        pattern: 'outsider (customer, community member, candidate) on their own old Zoom client',
        text: `${e.user_email ?? e.user_name} (${t.named(e.user_name ?? '')}) runs ${v}`,
      };
    }
    case 'zoom.participant.unexpected_ip_recurring_meeting':
    case 'zoom.participant.impossible_travel':
    case 'zoom.activity.parallel_session_ip': {
      const ips = [e.ip_address, ev.from_ip_address, ev.other_ip_address, ev.second_ip, ev.ip_addresses]
        .filter(Boolean)
        .flatMap((x) => String(x).split(/,\s*/))
        .slice(0, 4);
      const why = ips.map((ip) => t.ip(p, ip));
      const kinds = why.map((w) => w.match(/= (\w+)/)?.[1] ?? '?');
      const m = t.meeting(e.meeting_uuid, e.meeting_id, at);
      const trip = p?.trips.find((x) => x.from <= at + DAY && at - DAY < x.until);
      return {
        pattern: `${[...new Set(kinds)].sort().join(' + ')}${trip ? ' (travelling)' : ''}`,
        text: `${t.who(p)}${m ? ` in "${m.plan.topic}"` : ''}: ${why.join('; ')}${trip ? `; trip: ${trip.why} (${trip.place.city})` : ''}${ev.baseline_ips ? `; baseline ${String(ev.baseline_ips).slice(0, 120)}` : ''}`,
      };
    }
    case 'zoom.participant.silent_presence': {
      if (!p)
        return { pattern: 'approved note-taker bot', text: `${e.user_name}: ${t.named(e.user_name)} in ${String(ev.meeting_instances)} meetings` };
      return {
        pattern: 'employee who attends many meetings and never shares a screen',
        text: `${t.who(p)} in ${String(ev.meeting_instances)} meetings, never shared`,
      };
    }
    case 'zoom.participant.external_in_sensitive_meeting':
    case 'zoom.participant.brief_join_recon':
    case 'zoom.participant.waiting_room_unknown_external':
    case 'zoom.participant.guest_impersonates_internal': {
      const behind = p ? t.who(p) : t.named(e.user_name ?? '', e.meeting_uuid);
      const m = t.meeting(e.meeting_uuid, e.meeting_id, at);
      const pattern = /board/.test(behind)
        ? 'board member'
        : /counsel/.test(behind)
          ? 'outside counsel'
          : /bot/.test(behind)
            ? 'note-taker bot'
            : /community/.test(behind)
              ? 'community member at the public office hours'
              : /attendee/.test(behind)
                ? 'webinar registrant'
                : /candidate/.test(behind)
                  ? 'interview candidate'
                  : /customer/.test(behind)
                    ? 'customer contact'
                    : /employee/.test(behind)
                      ? 'employee'
                      : (behind.split(' (')[0] ?? '?');
      const twins = t.g.dir.people.filter((x) => x.name === e.user_name && !behind.includes(x.email));
      return {
        pattern: twins.length > 0 && !/employee/.test(pattern) ? `${pattern} who has the same name as an employee` : pattern,
        text: `${e.user_name ?? e.user_email}: ${behind}${twins.length ? ` (same name as employee ${twins.map((x) => t.who(x)).join(', ')})` : ''}${m ? ` in "${m.plan.topic}"` : ev.topics ? ` in ${String(ev.topics)}` : ''}`,
      };
    }
    case 'zoom.operation.privileged_role_granted':
      return { pattern: 'role granted as part of routine administration', text: `${String(ev.details ?? '')} by ${e.operator}` };
    case 'zoom.recording.download_by_non_participant': {
      const m = t.meeting(e.meeting_uuid, e.meeting_id, at);
      const all = t.g.meetings.filter((x) => String(x.plan.id) === String(e.meeting_id ?? m?.plan.id));
      const d =
        all
          .flatMap((x) => (x.plan.recording?.downloads ?? []).map((dl) => ({ dl, x })))
          .find((y) => y.dl.by.email === lower(e.operator ?? e.user_email) && Math.abs(y.dl.at - at) < 2 * MIN) ??
        all
          .flatMap((x) => (x.plan.recording?.downloads ?? []).map((dl) => ({ dl, x })))
          .find((y) => y.dl.by.email === lower(e.operator ?? e.user_email));
      return {
        pattern: d ? d.dl.why.replace(/ she\/he /, ' ') : 'download',
        text: `${t.who(p)} downloaded the recording of "${d?.x.plan.topic ?? m?.plan.topic}" (${d ? new Date(d.x.start).toISOString().slice(0, 16) : '?'})${d && d.x !== m && m ? `; the alert names instance ${new Date(m.start).toISOString().slice(0, 16)} of the same meeting number` : ''}`,
      };
    }
    case 'zoom.recording.deleted':
    case 'zoom.recording.deleted_after_external_meeting': {
      const m = t.meeting(e.meeting_uuid, e.meeting_id, at);
      const all = t.g.meetings.filter((x) => String(x.plan.id) === String(e.meeting_id ?? m?.plan.id));
      const del = all.map((x) => ({ x, d: x.plan.recording?.deleted })).find((y) => y.d && Math.abs(y.d.at - at) < 10 * MIN);
      return {
        pattern: del?.d?.why ?? 'deletion',
        text: `${del?.d?.by.email ?? e.operator} deleted the recording of "${del?.x.plan.topic ?? m?.plan.topic}"${del && m && del.x !== m ? ` (alert names another instance, ${new Date(m.start).toISOString().slice(0, 16)})` : ''}`,
      };
    }
    case 'zoom.participant.unknown_device_watched_meeting': {
      const m = t.meeting(e.meeting_uuid, e.meeting_id, at);
      const label = String(e.device ?? '');
      const dev =
        p?.devices.filter((d) => d.pcName !== '' && label.includes(d.pcName)).sort((a, b) => b.pcName.length - a.pcName.length)[0] ??
        p?.devices.find((d) => (d.kind === 'phone' || d.kind === 'tablet') && label.startsWith(d.family));
      const session = m?.sessions.find((x) => x.person === p && x.net?.ip === e.ip_address);
      const fresh =
        label.startsWith('Web') || session?.kind === 'guest'
          ? 'joined in a browser'
          : dev && (dev.kind === 'phone' || dev.kind === 'tablet')
            ? 'employee joined from the phone (baseline: laptop only)'
            : dev && dev.from > t.g.cal.firstDay - DAY
              ? p?.startDay
                ? "new hire's new laptop"
                : 'replacement laptop from the hardware refresh'
              : dev
                ? `${dev.kind} in use for months`
                : 'device not found';
      return {
        pattern: fresh,
        text: `${t.who(p)} joined "${m?.plan.topic}" (host ${m?.plan.host.name}; watched present: ${String(ev.watched_users_present ?? '')}) from ${label}, baseline ${String(ev.baseline_devices ?? '')}; ${t.ip(p, e.ip_address)}`,
      };
    }
    case 'zoom.participant.join_burst_many_ips': {
      const m = t.meeting(e.meeting_uuid, e.meeting_id, at);
      return { pattern: `${m?.plan.category ?? '?'} start`, text: `"${m?.plan.topic}" (${m?.sessions.length} sessions) burst of joins` };
    }
    case 'zoom.meeting.direct_link_access': {
      const m = t.meeting(e.meeting_uuid, e.meeting_id, at);
      const who = p ? `employee ${t.who(p)}` : t.named(e.user_name ?? '', e.meeting_uuid);
      const role = p
        ? m?.plan.attendees.some((x) => 'p' in x.who && x.who.p === p && x.shares)
          ? 'presenter'
          : 'employee watching'
        : /customer/.test(who)
          ? 'customer guest speaker (panelist link)'
          : 'outsider';
      return {
        pattern: `${role} joined the registration-required ${m?.plan.category ?? '?'} without registering`,
        text: `${who} in "${m?.plan.topic}" (${String(ev.registered_participants ?? '?')} registered)`,
      };
    }
    default:
      return { pattern: a.detection_id, text: JSON.stringify(ev).slice(0, 300) };
  }
}

const files = process.argv.slice(2);
for (const file of files) {
  const run = JSON.parse(readFileSync(file, 'utf8')) as Run;
  const g = generateSecondOrg({ seed: run.seed, end: Date.parse(run.end), benign: run.benign });
  const t = new Truth(g);
  // Judge again from the run's alerts.jsonl with the current manifest rules: the end-of-run alerts and the replay's.
  const jsonl = join(run.dir, 'alerts.jsonl');
  if (existsSync(jsonl)) {
    const key = (a: { detection_id: string; first_seen: string; entities: Record<string, string> }) =>
      `${a.detection_id}|${a.first_seen.slice(0, 19)}|${JSON.stringify(a.entities)}`;
    const main = new Set(run.alerts.map(key));
    const all = readFileSync(jsonl, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { detail: NotifiedAlert }).detail)
      .map((a) => judge(a, g));
    run.alerts = all.filter((a) => main.has(key(a)));
    if (run.replay) run.replay.alerts = all.filter((a) => !main.has(key(a)));
  }
  const totals = (alerts: Judged[]) => {
    const out: Record<string, { planted: number; benign: number }> = {};
    for (const a of alerts) {
      const x = (out[a.detection_id] ??= { planted: 0, benign: 0 });
      if (a.verdict === 'planted') x.planted++;
      else x.benign++;
    }
    return out;
  };
  const found = (alerts: Judged[]) =>
    g.attacks.map((x) => {
      const by = [...new Set(alerts.filter((a) => a.attack === x.id).map((a) => a.detection_id))];
      return `${x.id}: ${by.length ? `found by ${by.join(', ')}` : 'MISSED'}`;
    });
  const section = (alerts: Judged[]) => {
    const byDetection: Record<string, { count: number; patterns: Record<string, { count: number; examples: string[] }> }> = {};
    for (const a of alerts.filter((x) => x.verdict === 'ordinary')) {
      const { pattern, text } = explain(a, t);
      const d = (byDetection[a.detection_id] ??= { count: 0, patterns: {} });
      d.count++;
      const pt = (d.patterns[pattern] ??= { count: 0, examples: [] });
      pt.count++;
      if (pt.examples.length < 3) pt.examples.push(`${a.first_seen.slice(0, 16)} [${a.source}] ${text}`);
    }
    return byDetection;
  };
  process.stdout.write(
    JSON.stringify(
      {
        file,
        seed: run.seed,
        benign: run.benign,
        end: run.end,
        seconds: run.seconds,
        alerts: run.alerts.length,
        ordinary_alerts: run.alerts.filter((a) => a.verdict === 'ordinary').length,
        totals: totals(run.alerts),
        attacks: found(run.alerts),
        ordinary: section(run.alerts),
        ...(run.replay
          ? {
              replay: { alerts: run.replay.alerts.length, totals: totals(run.replay.alerts), attacks: found([...run.alerts, ...run.replay.alerts]) },
              ordinary_replay_only: section(run.replay.alerts),
            }
          : {}),
      },
      null,
      1,
    ) + '\n',
  );
}
