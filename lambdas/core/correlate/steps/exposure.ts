import { parameter } from '../../detect/detection.ts';
import type { DetectionRegistry } from '../../detect/registry.ts';
import { instantOf } from '../../lake/cell-coercion.ts';
import { dtOf } from '../../lake/records.ts';
import type { Clock, QueryEngine } from '../../ports.ts';
import { isFullName, nameKey, participantKey, withinEdits } from '../../realtime/names.ts';
import type { ExposureSummary, MeetingEndedInput } from '../contract.ts';
import { runCorrelationQuery } from '../queries.ts';
import type { CorrelationSettings } from '../settings.ts';
import { DAY_MS, cellText, iso } from '../values.ts';
import { dataAccessWindowMinutes } from './correlate.ts';

/** What Exposure needs. */
export interface ExposureDeps {
  readonly query: QueryEngine;
  readonly clock: Clock;
  readonly settings: CorrelationSettings;
  /** The detection registry: the correlation queries and the thresholds the summary applies. */
  readonly registry: DetectionRegistry;
  /** Days the summary stays on the meeting in the state table. @default EXPOSURE_TTL_DAYS */
  readonly ttlDays?: number;
}

/** How long a meeting's exposure summary is kept (state TTL). */
export const EXPOSURE_TTL_DAYS = 90;
/** The most names or emails a summary lists per field (Step Functions passes at most 256 KB between states). */
export const MAX_LISTED = 200;

interface Session {
  readonly source: string;
  readonly email: string | null;
  readonly userName: string | null;
  readonly userIds: readonly string[];
  readonly joinMs: number | undefined;
  readonly seconds: number | undefined;
  readonly ip: string | null;
  readonly location: string | null;
  readonly role: string | null;
  readonly internal: boolean;
}

function sessionOf(row: Record<string, unknown>): Session {
  const joinMs = instantOf(row.join_time);
  const leaveMs = instantOf(row.leave_time);
  const duration = typeof row.duration_seconds === 'number' ? row.duration_seconds : undefined;
  return {
    source: String(row.source),
    email: cellText(row.email),
    userName: cellText(row.user_name),
    userIds: [cellText(row.zoom_user_id), cellText(row.participant_user_id)].filter((v): v is string => v !== null),
    joinMs,
    seconds: duration ?? (joinMs !== undefined && leaveMs !== undefined ? Math.max(0, Math.round((leaveMs - joinMs) / 1000)) : undefined),
    ip: cellText(row.ip_address),
    location: cellText(row.location),
    role: cellText(row.role),
    internal: row.internal_domain === true,
  };
}

/** A participant: the sessions of one email, or of one display name without email. */
interface Person {
  readonly key: string;
  readonly email: string | null;
  readonly names: Set<string>;
  signedIn: boolean;
  internal: boolean;
  /** Seconds in the meeting per source (both sources list the same sessions, so they are not added up). */
  readonly seconds: Map<string, number>;
  complete: boolean;
}

/** Groups sessions into people; a display name seen with an email lends it to that name's email-less sessions. */
function peopleOf(sessions: readonly Session[]): Person[] {
  const emailOfName = new Map<string, string>();
  for (const s of sessions) if (s.email !== null && s.userName !== null && !emailOfName.has(s.userName)) emailOfName.set(s.userName, s.email);
  const people = new Map<string, Person>();
  for (const s of sessions) {
    const email = s.email ?? (s.userName === null ? null : (emailOfName.get(s.userName) ?? null));
    const key = participantKey(email, s.userName);
    let person = people.get(key);
    if (!person) {
      person = { key, email, names: new Set(), signedIn: false, internal: false, seconds: new Map(), complete: true };
      people.set(key, person);
    }
    if (s.userName !== null) person.names.add(s.userName);
    if (s.userIds.length > 0) person.signedIn = true;
    if (s.internal) person.internal = true;
    if (s.seconds === undefined) person.complete = false;
    else person.seconds.set(s.source, (person.seconds.get(s.source) ?? 0) + s.seconds);
  }
  return [...people.values()];
}

/** The country code Zoom puts in parentheses after a location ("London (GB)"), else the location text. */
export function countryOf(location: string): string {
  const m = /\(([A-Za-z]{2})\)\s*$/.exec(location);
  return m ? m[1]!.toUpperCase() : location.trim();
}

const sortedCapped = (values: Iterable<string>) => [...new Set(values)].sort().slice(0, MAX_LISTED);

/**
 * Exposure: what the meeting exposed, from this instance's rows in `meeting_participants` and `participant_details`
 * and the config views. StoreExposure then keeps it on the meeting in the state table (exposureItem).
 * External: an email outside internal_domains. Unauthenticated: neither an email nor a Zoom user id. Impersonation:
 * an external or email-less participant whose display name, normalised as the scheduled detection does, is an
 * internal user's full name (users snapshots of 30 days), or near a watched user's name, as
 * zoom.participant.guest_impersonates_internal's parameters say.
 */
export async function exposure(deps: ExposureDeps, input: MeetingEndedInput): Promise<ExposureSummary> {
  const now = deps.clock.now();
  const endMs = Date.parse(input.end_time);
  const startMs = input.start_time === null ? endMs - DAY_MS : Date.parse(input.start_time);
  const [fromDt, toDt] = [dtOf(startMs), dtOf(endMs)];
  const { rows } = await runCorrelationQuery(deps.query, deps.registry, 'exposure-sessions', {
    from_dt: fromDt,
    to_dt: toDt,
    meeting_uuid: input.meeting_uuid,
  });
  const sessions = rows.map(sessionOf);
  const people = peopleOf(sessions);

  const usersFrom = { users_dt: dtOf(now - 30 * DAY_MS), users_from: iso(now - 30 * DAY_MS), users_to: iso(now) };
  const hostId = input.host_id;
  let hostEmail =
    sessions.find((s) => s.email !== null && hostId !== null && s.userIds.includes(hostId))?.email ??
    sessions.find((s) => s.email !== null && s.role === 'host')?.email ??
    null;
  if (hostEmail === null && hostId !== null) {
    const host = await runCorrelationQuery(deps.query, deps.registry, 'exposure-host', { ...usersFrom, host_id: hostId });
    hostEmail = cellText(host.rows[0]?.email);
  }

  const external = people.filter((p) => p.email !== null && !p.internal);
  const unauthenticated = people.filter((p) => p.email === null && !p.signedIn);
  const candidates = people.filter((p) => p.email === null || !p.internal);
  const impersonation = await impersonationMatches(deps, candidates, usersFrom);
  const briefSeconds = parameter(deps.registry.get(BRIEF_JOIN_DETECTION), 'brief_seconds');
  const brief = people.filter((p) => p.complete && p.seconds.size > 0 && Math.max(...p.seconds.values()) < briefSeconds);

  const flags = await runCorrelationQuery(deps.query, deps.registry, 'exposure-flags', { topic: input.topic ?? '', host_email: hostEmail ?? '' });
  const outsiders = external.length + unauthenticated.length > 0;
  const dataAccessWindowMs = dataAccessWindowMinutes(deps.registry) * 60_000;
  const summary: ExposureSummary = {
    meeting_uuid: input.meeting_uuid,
    meeting_id: input.meeting_id,
    topic: input.topic,
    host_email: hostEmail,
    start_time: input.start_time,
    end_time: input.end_time,
    participants: people.length,
    external_emails: sortedCapped(external.map((p) => p.email!)),
    unauthenticated: sortedCapped(unauthenticated.flatMap((p) => [...p.names])),
    impersonation: impersonation.slice(0, MAX_LISTED),
    brief_joins: brief.length,
    distinct_ips: new Set(sessions.map((s) => s.ip).filter((v) => v !== null)).size,
    countries: sortedCapped(
      sessions
        .map((s) => s.location)
        .filter((v): v is string => v !== null)
        .map(countryOf)
        .filter((c) => c !== ''),
    ),
    sensitive_topic: Number(flags.rows[0]?.sensitive ?? 0) > 0,
    watched_host: Number(flags.rows[0]?.watched ?? 0) > 0,
    correlate_after: iso(deps.settings.dataAccess !== undefined && outsiders ? endMs + dataAccessWindowMs : endMs),
    stored_until: Math.floor(now / 1000) + (deps.ttlDays ?? EXPOSURE_TTL_DAYS) * 86_400,
  };
  return summary;
}

/** The detection whose brief-join threshold the summary's brief_joins count applies. */
const BRIEF_JOIN_DETECTION = 'zoom.participant.brief_join_recon';
/** The detection whose name matching the summary's impersonation list applies. */
const IMPERSONATION_DETECTION = 'zoom.participant.guest_impersonates_internal';

async function impersonationMatches(
  deps: ExposureDeps,
  candidates: readonly Person[],
  usersFrom: Readonly<Record<string, string>>,
): Promise<{ display_name: string; matches_email: string }[]> {
  const d = deps.registry.get(IMPERSONATION_DETECTION);
  const minLetters = parameter(d, 'min_name_letters');
  const fuzzyMinLetters = Math.max(parameter(d, 'fuzzy_min_name_letters'), minLetters);
  const maxEdits = parameter(d, 'max_edits');
  const nameKeys = candidates
    .flatMap((p) => [...p.names].map((name) => ({ person: p, name, key: nameKey(name) })))
    .filter((c) => c.key.length >= minLetters);
  if (nameKeys.length === 0) return [];
  const keys = [...new Set(nameKeys.map((c) => c.key))].sort();
  const { rows } = await runCorrelationQuery(deps.query, deps.registry, 'exposure-names', { ...usersFrom, keys: keys.join('|') });
  const internal = rows
    .map((r) => ({ email: String(r.email), name: String(r.name), watched: r.watched === true, key: nameKey(String(r.name)) }))
    .filter((u) => u.key.length >= minLetters && isFullName(u.name));
  const found = new Map<string, { display_name: string; matches_email: string }>();
  for (const c of nameKeys) {
    for (const u of internal) {
      const fuzzy = u.watched && u.key.length >= fuzzyMinLetters && withinEdits(c.key, u.key, maxEdits);
      if (c.key !== u.key && !fuzzy) continue;
      // The user themself, joined with their own (internal) email but without signing in, is no impersonator.
      if (c.person.email === u.email) continue;
      found.set(`${c.name}\u0000${u.email}`, { display_name: c.name, matches_email: u.email });
    }
  }
  return [...found.values()].sort((a, b) => a.display_name.localeCompare(b.display_name) || a.matches_email.localeCompare(b.matches_email));
}
