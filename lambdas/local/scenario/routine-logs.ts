import { Prng } from '#core/prng.ts';
import type { SimActivity, SimOperationLog } from '../zoom-simulator/org.ts';
import { isoSeconds as iso } from '../zoom-simulator/org.ts';
import { hadOutsiders, type MeetingPlan, type Session } from './calendar.ts';
import { placeAt, versionAt, working, type People } from './people.ts';
import { HOUR_MS, MIN_MS, type Timeline } from './timeline.ts';
import { settingsUpdatedEvent, spacedId, type WebhookEvent } from './webhooks.ts';

/*
 * The routine records a company leaves besides its meetings, benign whether or not incidents are planted: what
 * becomes of recordings (trashed, downloaded), sign-ins and sign-outs, the admin operation log, the data-access feed
 * and the account webhooks of the window.
 */

/** One row of the data-access feed (e.g. CloudTrail S3 data events): who read what, when. */
export interface DataAccessRow {
  readonly principal: string;
  readonly event_time: string;
  readonly object_key: string;
}

/**
 * Benign recording fates, for meetings no incident owns: hosts trash a few recordings of their own internal,
 * non-sensitive meetings a few hours later, and hosts or participants download some. Returns how many were deleted.
 */
export function recordingFates(
  rng: Prng,
  people: People,
  t: Timeline,
  meetings: MeetingPlan[],
  sensitive: (topic: string) => boolean,
): { deleted: number } {
  let deleted = 0;
  const watched = new Set(people.watched);
  // The operation log names a deleted recording by meeting number only, so another instance of the same number with
  // outsiders would make an internal recording's deletion look like one after an external meeting.
  const outsideSeries = new Set(meetings.filter((m) => hadOutsiders(m, people.domains)).map((m) => m.id));
  const tidy = (m: MeetingPlan) => !outsideSeries.has(m.id) && !sensitive(m.topic) && !watched.has(m.host.email);
  for (const m of meetings) {
    if (!m.recorded || m.fixed || !m.inApi) continue;
    if (rng.chance(0.25) && tidy(m)) {
      const at = m.end + rng.int(2, 40) * HOUR_MS + rng.int(0, 59) * MIN_MS;
      if (at <= t.end - 10 * MIN_MS) {
        m.deletion = { at, operator: m.host, event: 'recording.trashed' };
        deleted++;
        continue;
      }
    }
    if (rng.chance(0.15)) {
      const insiders = m.sessions.filter((s) => s.zoomUserId !== '' && s.person.kind === 'internal');
      const who = rng.chance(0.5) || insiders.length === 0 ? m.host.email : rng.pick(insiders).email;
      const at = m.end + rng.int(1, 30) * HOUR_MS;
      if (at <= t.end - 10 * MIN_MS) m.downloads.push({ at, operator: who });
    }
  }
  // At least one host tidies up inside the webhook window, so the realtime path sees a harmless deletion too.
  if (!meetings.some((m) => m.deletion && m.deletion.at >= t.liveFrom && !m.fixed)) {
    const recent = meetings
      .filter((m) => !m.fixed && m.inApi && m.kind === 'weekly' && m.end >= t.liveFrom && m.end + 90 * MIN_MS <= t.end - 10 * MIN_MS && tidy(m))
      .at(-1);
    if (recent) {
      recent.recorded = true;
      recent.downloads = [];
      recent.deletion = { at: recent.end + 90 * MIN_MS, operator: recent.host, event: 'recording.trashed' };
      deleted++;
    }
  }
  return { deleted };
}

/**
 * Sign-ins and sign-outs of every working employee on working days, from where they are: the IP of a meeting they
 * are in at that moment, else their home or trip IP. A few records lack ip/client/version, as Zoom's do.
 */
export function signIns(
  rng: Prng,
  people: People,
  t: Timeline,
  meetings: readonly MeetingPlan[],
  versions: ReadonlyMap<string, string>,
): SimActivity[] {
  const byPerson = new Map<string, Session[]>();
  for (const m of meetings) for (const s of m.sessions) if (s.zoomUserId !== '') byPerson.set(s.email, [...(byPerson.get(s.email) ?? []), s]);
  const out: SimActivity[] = [];
  for (const day of t.workingDays) {
    for (const e of people.employees) {
      const signIn = day + rng.int(7 * 60, 9 * 60 + 30) * MIN_MS + rng.int(0, 59) * 1000;
      if (!working(e, signIn) || signIn > t.end - 5 * MIN_MS || !rng.chance(0.85)) continue;
      const inMeeting = (at: number) => byPerson.get(e.email)?.find((s) => s.join <= at && at <= s.leave);
      const ipAt = (at: number) => inMeeting(at)?.ip ?? placeAt(e, at).ip;
      const byod = e.byod && rng.chance(0.15);
      const client = byod ? e.byod!.client : e.device.client;
      const version = versions.get(e.email) ?? versionAt(e, signIn);
      out.push(
        rng.chance(0.03)
          ? { email: e.email, time: iso(signIn), type: 'Sign in' }
          : { email: e.email, time: iso(signIn), type: 'Sign in', ip_address: ipAt(signIn), client_type: client, version },
      );
      const signOut = day + rng.int(16 * 60 + 30, 19 * 60) * MIN_MS + rng.int(0, 59) * 1000;
      if (rng.chance(0.8) && working(e, signOut) && signOut <= t.end - 5 * MIN_MS) {
        out.push({ email: e.email, time: iso(signOut), type: 'Sign out', ip_address: ipAt(signOut), client_type: client, version });
      }
    }
  }
  return out;
}

/** The benign admin operation log: harmless or strengthening setting changes, joiners, leavers, recording deletions and downloads. */
export function adminLog(rng: Prng, people: People, t: Timeline, meetings: readonly MeetingPlan[]): SimOperationLog[] {
  const out: SimOperationLog[] = [];
  const admins = [people.owner, ...people.admins];
  const harmless = [
    'Join before host: from Off to On',
    'Cloud recording: from Off to On',
    'Allow removed participants to rejoin: from Off to On',
    'Screen sharing: from Host Only to All Participants',
    'Waiting Room: from Off to On',
    'Security  - Sign in with Two-Factor Authentication: from Off to On',
    'Require a passcode when scheduling new meetings: from Off to On',
    'Meeting Polls/Quizzes: from Off to On',
  ];
  for (const day of t.workingDays) {
    if (!rng.chance(0.6)) continue;
    const at = day + rng.int(9 * 60, 17 * 60) * MIN_MS;
    if (at <= t.end - 10 * MIN_MS)
      out.push({ time: iso(at), operator: rng.pick(admins).email, category_type: 'Account', action: 'Update', operation_detail: rng.pick(harmless) });
  }
  const first = t.workingDays[0];
  if (first !== undefined) {
    // Zoom omits operator and action on some records; a demotion is not a privilege grant.
    out.push({ time: iso(first + 6 * HOUR_MS), category_type: 'Account', operation_detail: 'Account Profile: Vanity URL updated' });
    const demoted = people.employees.find((e) => e.status === 'active' && e.roleId === '2' && e.lastDay === undefined);
    if (demoted)
      out.push({
        time: iso(first + 11 * HOUR_MS),
        operator: people.owner.email,
        category_type: 'User',
        action: 'Update',
        operation_detail: `Update User ${demoted.email}  - User Role: from Admin to Member`,
      });
  }
  if (people.newHire?.activeFrom !== undefined) {
    out.push({
      time: iso(people.newHire.activeFrom - HOUR_MS),
      operator: people.owner.email,
      category_type: 'User',
      action: 'Add',
      operation_detail: `Add User ${people.newHire.email}`,
    });
  }
  for (const leaver of people.leavers) {
    if (leaver.deactivatedAt !== undefined && leaver.deactivatedAt <= t.end) {
      out.push({
        time: iso(leaver.deactivatedAt),
        operator: people.owner.email,
        category_type: 'User',
        action: 'Deactivate',
        operation_detail: `Deactivate User ${leaver.email}`,
      });
    }
  }
  for (const m of meetings) {
    if (!m.inApi) continue;
    if (m.deletion) {
      const verb = m.deletion.event === 'recording.deleted' ? 'Delete Recording Permanently' : 'Delete Recording';
      out.push({
        time: iso(m.deletion.at),
        operator: m.deletion.operator.email,
        category_type: 'Recording',
        action: 'Delete',
        operation_detail: `${verb}: ${m.topic} (${spacedId(m.id)})`,
      });
    }
    for (const d of m.downloads) {
      out.push({
        time: iso(d.at),
        operator: d.operator,
        category_type: 'Recording',
        action: 'Download',
        operation_detail: `Download cloud recording for meeting ${spacedId(m.id)}`,
      });
    }
  }
  return out;
}

/**
 * The data-access feed's benign rows: finance and legal staff reading their files during the day. A row by a host
 * within 31 minutes after a meeting of theirs with outsiders is moved an hour later (the correlation's window is 30).
 */
export function dataAccessFeed(rng: Prng, people: People, t: Timeline, meetings: readonly MeetingPlan[]): DataAccessRow[] {
  const readers = people.employees.filter((e) => e.status === 'active' && (e.dept === 'Finance' || e.dept === 'Legal' || e.dept === 'Sales'));
  const files = [
    's3://finance-reports/2026/q3-forecast.xlsx',
    's3://finance-reports/pricing/list-prices.csv',
    's3://legal-contracts/msa-template.docx',
    's3://sales-ops/pipeline-export.csv',
  ];
  const risky = meetings.filter((m) => hadOutsiders(m, people.domains));
  const out: DataAccessRow[] = [];
  for (const day of t.workingDays) {
    for (let i = 0; i < Math.max(2, Math.round(readers.length / 6)) && readers.length > 0; i++) {
      const who = rng.pick(readers);
      let at = day + rng.int(8 * 60, 18 * 60) * MIN_MS;
      while (risky.some((m) => m.host.email === who.email && at >= m.end - MIN_MS && at <= m.end + 31 * MIN_MS)) at += HOUR_MS;
      if (at > t.end - 5 * MIN_MS || !working(who, at)) continue;
      out.push({ principal: who.email, event_time: iso(at), object_key: rng.pick(files) });
    }
  }
  return out;
}

/** Benign account webhooks of `accountId` in the window: the late leaver's deactivation, a strengthened setting, a profile change. */
export function accountEvents(people: People, t: Timeline, accountId: string): WebhookEvent[] {
  const out: WebhookEvent[] = [];
  for (const leaver of people.leavers) {
    if (leaver.deactivatedAt === undefined || leaver.deactivatedAt < t.liveFrom || leaver.deactivatedAt > t.end) continue;
    out.push({
      at: leaver.deactivatedAt,
      event: 'user.deactivated',
      payload: {
        account_id: accountId,
        operator: people.owner.email,
        operator_id: people.owner.userId,
        object: { id: leaver.userId, first_name: leaver.first, last_name: leaver.last, email: leaver.email, type: 2 },
      },
    });
  }
  const settingAt = t.liveFrom + 10 * HOUR_MS;
  if (settingAt < t.end) {
    out.push(
      settingsUpdatedEvent(
        accountId,
        people.owner,
        settingAt,
        { security: { password_requirement: { minimum_password_length: 12 } }, in_meeting: { chat: true } },
        { security: { password_requirement: { minimum_password_length: 8 } }, in_meeting: { chat: false } },
      ),
    );
  }
  const mover = people.employees.find((e) => e.status === 'active' && e.dept === 'Support' && e.lastDay === undefined);
  const moveAt = t.liveFrom + 11 * HOUR_MS;
  if (mover && moveAt < t.end) {
    out.push({
      at: moveAt,
      event: 'user.updated',
      payload: {
        account_id: accountId,
        operator: people.owner.email,
        operator_id: people.owner.userId,
        object: { id: mover.userId, dept: 'Customer Success' },
        old_object: { id: mover.userId, dept: 'Support' },
      },
    });
  }
  return out;
}
