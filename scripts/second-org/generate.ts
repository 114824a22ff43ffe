import type { SimulatedOrg } from '#local/zoom-simulator/org.ts';
import { byActivityTime, routineActivities } from '#local/zoom-simulator/meeting-activities.ts';
import { adminWork, ACCOUNT_ID, type Extras } from './admin.ts';
import { plantAttacks, type Attack } from './attacks.ts';
import { buildCalendar, type Calendar } from './calendar.ts';
import { DAY, HOUR, type Behaviour, type ExternalKind } from './model.ts';
import { PERSONAL_DOMAINS } from './names.ts';
import { buildDirectory, DOMAIN, UK_DOMAIN, type Directory } from './people.ts';
import {
  activities,
  dataAccess,
  operationLogs,
  renderMeeting,
  simMeeting,
  simRecording,
  users,
  webhooks,
  type RenderedMeeting,
  type Webhook,
} from './render.ts';
import { dayStart, dayStr, iso } from './util.ts';

/** Outsiders under engagement or on the board, whom a security team names in trustedExternals; not customers or the deal's target. */
const TRUSTED_KINDS: ReadonlySet<ExternalKind> = new Set(['board', 'counsel', 'auditor', 'banker']);

/** How far back the webhook stream reaches: the last three days. */
export const WEBHOOK_DAYS = 3;

export interface SecondOrg {
  readonly org: SimulatedOrg;
  readonly webhooks: Webhook[];
  readonly dataAccess: Record<string, unknown>[];
  readonly attacks: Attack[];
  readonly behaviours: Behaviour[];
  readonly meetings: RenderedMeeting[];
  readonly dir: Directory;
  readonly cal: Calendar;
  readonly from: string;
  readonly to: string;
  readonly webhooksFrom: number;
  /** The config a security team at this company would write. */
  readonly config: Record<string, unknown>;
  readonly counts: Record<string, number>;
}

export function generateSecondOrg(options: { seed: number; end: number; benign: boolean }): SecondOrg {
  const { seed, end, benign } = options;
  const lastDay = dayStart(end);
  const firstDay = lastDay - 13 * DAY;
  const dir = buildDirectory(seed, firstDay, lastDay, end);
  const cal = buildCalendar(dir, seed, firstDay, lastDay, end);
  const extras: Extras = { opLogs: [], activities: [], hooks: [] };
  adminWork(cal, extras);
  const attacks = benign ? [] : plantAttacks(cal, extras);
  const rendered = cal.plans
    .filter((p) => p.start < end)
    .map((p) => renderMeeting(cal, p))
    .filter((m) => m.sessions.length > 0 && m.end >= firstDay);
  // Zoom's reports list ended meetings with two or more people; a host alone in a room is not in them.
  const listed = rendered.filter((m) => !m.live && m.people >= 2 && m.start >= firstDay);
  const acts = activities(cal, extras);
  const recordings = listed.map((m) => simRecording(cal, m)).filter((r) => r !== undefined);
  const webhooksFrom = end - WEBHOOK_DAYS * DAY;
  const meetings = listed.map(simMeeting);
  const org: SimulatedOrg = {
    seed,
    accountId: ACCOUNT_ID,
    domain: DOMAIN,
    from: dayStr(firstDay),
    to: dayStr(lastDay),
    users: users(cal, acts),
    departed: { userId: dir.key.leaverA!.id, email: dir.key.leaverA!.email, departedAt: iso(dir.key.leaverA!.deactivatedAt!) },
    activities: acts,
    operationLogs: operationLogs(cal, extras, rendered),
    meetings,
    recordings,
    meetingActivities: byActivityTime(meetings.flatMap(routineActivities)),
    chat: { channels: [], messages: [] },
  };
  const hooks = webhooks(cal, rendered, acts, extras, webhooksFrom);
  const access = dataAccess(cal, rendered);
  // The outside people the company expects in its board, legal and deal meetings, as its security team would list
  // them for zoomlake: the board members' and advisers' firms by domain, a director's personal address by email.
  const trusted = dir.externals.filter((x) => TRUSTED_KINDS.has(x.kind) && x.email !== '');
  const config = {
    internalDomains: [DOMAIN, UK_DOMAIN],
    watchedUsers: [dir.key.ceo!.email, dir.key.cfo!.email, dir.key.gc!.email],
    trustedExternals: [
      ...new Set(trusted.map((x) => x.email.slice(x.email.indexOf('@') + 1)).filter((d) => !PERSONAL_DOMAINS.includes(d))),
      ...trusted.filter((x) => PERSONAL_DOMAINS.includes(x.email.slice(x.email.indexOf('@') + 1))).map((x) => x.email),
    ].sort(),
    planTier: 'business',
  };
  const counts = {
    people: dir.people.length,
    active_users: org.users.filter((u) => u.status === 'active').length,
    meetings_listed: org.meetings.length,
    meetings_with_webhooks_only: rendered.length - listed.length,
    participant_sessions: org.meetings.reduce((s, m) => s + m.participants.length, 0),
    recordings: recordings.length,
    recordings_in_trash: recordings.filter((r) => r.trashed).length,
    activities: acts.length,
    operation_logs: org.operationLogs.length,
    webhooks: hooks.length,
    data_access_rows: access.length,
    externals: new Set(dir.externals.map((x) => x.key)).size,
  };
  void HOUR;
  return {
    org,
    webhooks: hooks,
    dataAccess: access,
    attacks,
    behaviours: cal.behaviours,
    meetings: rendered,
    dir,
    cal,
    from: dayStr(firstDay),
    to: dayStr(lastDay),
    webhooksFrom,
    config,
    counts,
  };
}
