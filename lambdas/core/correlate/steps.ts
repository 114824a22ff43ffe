import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { alertSchema, type Alert } from '../alerts/alert.ts';
import type { AlertDelivery } from '../alerts/deliver.ts';
import { ZoomlakeError } from '../errors.ts';
import { id, instant, instantOf, obj, text } from '../lake/cells.ts';
import { dtOf } from '../lake/records.ts';
import type { LakeWriter } from '../lake/writer.ts';
import type { Clock, QueryEngine, StateItem, StateStore } from '../ports.ts';
import { meetingParticipantRow, participantDetailRow } from '../poll/rows.ts';
import { isFullName, nameKey, participantKey, withinEdits } from '../realtime/names.ts';
import { eventTimeOf, type ZoomEnvelope } from '../webhook/envelope.ts';
import { meetingUuidPath, type ZoomApi, type ZoomPageRequest, type ZoomPlan } from '../zoom/client.ts';
import { ZoomNotFoundError, ZoomPlanError, ZoomScopeError } from '../zoom/errors.ts';
import { CORRELATION_CATALOG, correlationAlert, type EvidenceRow } from './catalog.ts';
import {
  MEETING_NOT_READY,
  type CorrelateOutput, type ExposureSummary, type FetchDetailsOutput, type FetchParticipantsOutput, type MeetingEndedInput,
  type RaiseAlertsOutput,
} from './contract.ts';

/*
 * The post-meeting correlation's steps (DESIGN §7, contract.ts). Each is a function of explicit dependencies and the
 * step's input, so the same code runs as a Step Functions task Lambda and in the local in-process runner (run.ts).
 */

/** A configured table or view of data-access events and its columns (config `correlation.dataAccess`). */
export interface DataAccessSource {
  /** Lower-case SQL identifiers, validated by the config schema (checked again before they go into SQL). */
  readonly table: string;
  readonly userColumn: string;
  readonly timeColumn: string;
  readonly resourceColumn: string;
}

/** What the steps read from the configuration (config key `correlation`). */
export interface CorrelationSettings {
  readonly enabled: boolean;
  readonly waitSeconds: number;
  readonly notReadyRetries: number;
  readonly notReadyIntervalSeconds: number;
  readonly dataAccessWindowMinutes: number;
  readonly dataAccess?: DataAccessSource | undefined;
}

/** Zoom says the meeting has not ended or its report is not ready yet: retried, then given up with an alert. */
export class MeetingNotReadyError extends ZoomlakeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, true, options);
    // Step Functions matches Retry/Catch on the Lambda's errorType, which is the error's name.
    this.name = MEETING_NOT_READY;
  }
}

/** Whether an error is the not-ready signal (by name, so it survives a Lambda boundary or a copy). */
export const isMeetingNotReady = (error: unknown): boolean => error instanceof Error && error.name === MEETING_NOT_READY;

const iso = (ms: number) => new Date(ms).toISOString();
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------------------------
// Start: the execution input and name

/** The execution input of a meeting.ended webhook; undefined for another event or one without a meeting UUID. */
export function meetingEndedInput(env: ZoomEnvelope, receivedAt: number): MeetingEndedInput | undefined {
  if (env.event !== 'meeting.ended') return undefined;
  const o = obj(env.payload.object);
  const uuid = text(o.uuid);
  if (uuid === null) return undefined;
  const start = instant(o.start_time);
  const end = instant(o.end_time) ?? eventTimeOf(env, receivedAt);
  return {
    meeting_uuid: uuid, meeting_id: id(o.id), host_id: id(o.host_id), topic: text(o.topic),
    start_time: start === null ? null : iso(start), end_time: iso(end),
  };
}

/**
 * The execution name of a meeting instance: unique per UUID, so a second meeting.ended (Zoom's retries, the bus's
 * at-least-once delivery) cannot start a second execution. Step Functions allows 80 characters of [A-Za-z0-9-_];
 * a UUID holds `/`, `+` and `=`, so it is hashed.
 */
export function executionName(meetingUuid: string): string {
  return `meeting-${createHash('sha256').update(meetingUuid, 'utf8').digest('hex')}`;
}

/** Plans whose accounts have the dashboard API (FetchDetails runs only on these: the state machine's Choice). */
export const DETAIL_PLANS: readonly ZoomPlan[] = ['business', 'enterprise'];

/** Whether FetchDetails runs for this plan. */
export const detailsAvailable = (plan: ZoomPlan): boolean => DETAIL_PLANS.includes(plan);

/** The retry rule for MeetingNotReady: the wait before retry `attempt` (0-based), doubling from the interval. */
export function notReadyDelayMs(settings: Pick<CorrelationSettings, 'notReadyIntervalSeconds'>, attempt: number): number {
  return settings.notReadyIntervalSeconds * 1000 * 2 ** attempt;
}

// ---------------------------------------------------------------------------------------------------------------
// FetchParticipants and FetchDetails

/** What the two fetch steps need. */
export interface FetchDeps {
  readonly api: ZoomApi;
  /** A fresh lake writer (writer id e.g. `correlation`). */
  readonly newWriter: () => LakeWriter;
}

/** A not-found answer right after the end (3001 "does not exist"/"has not ended yet", 404) means "not yet". */
function notReadyOr(error: unknown, what: string): unknown {
  if (error instanceof ZoomNotFoundError) return new MeetingNotReadyError(`${what}: zoom has no data for the meeting yet (${error.message})`, { cause: error });
  return error;
}

async function collect(
  deps: FetchDeps, request: ZoomPageRequest, table: string, map: (item: unknown) => ReturnType<typeof meetingParticipantRow>, what: string,
): Promise<number> {
  const writer = deps.newWriter();
  const records = new Set<string>();
  try {
    for await (const page of deps.api.paginate<unknown>(request)) {
      for (const item of page.items) {
        const row = map(item);
        if (row === null) continue;
        const added = writer.add(table, row);
        // A page-token restart repeats rows; they share a record id and de-duplicate in the view.
        if (added.ok) records.add(added.recordId);
      }
    }
  } catch (error) {
    throw notReadyOr(error, what);
  }
  if (records.size > 0) await writer.flush();
  return records.size;
}

/**
 * FetchParticipants: the report API's participants of the instance into `meeting_participants`. Throws
 * MeetingNotReadyError while Zoom answers not-found or an empty list (a meeting that ended had at least its host).
 */
export async function fetchParticipants(deps: FetchDeps, input: MeetingEndedInput): Promise<FetchParticipantsOutput> {
  const what = 'report participants';
  const participants = await collect(deps, {
    path: `/report/meetings/${meetingUuidPath(input.meeting_uuid)}/participants`, query: { include_fields: 'registrant_id' },
    itemsKey: 'participants', category: 'Heavy',
  }, 'meeting_participants', (item) => meetingParticipantRow(item, input.meeting_uuid, input.meeting_id), what);
  if (participants === 0) throw new MeetingNotReadyError(`${what}: zoom's report lists no participants yet`);
  return { participants };
}

/**
 * FetchDetails (Business+): the dashboard's participant details into `participant_details`. A plan or scope that
 * lacks the dashboard gives `available: false` instead of failing; not-found ("has not ended yet") is MeetingNotReady.
 */
export async function fetchDetails(deps: FetchDeps, input: MeetingEndedInput): Promise<FetchDetailsOutput> {
  try {
    const details = await collect(deps, {
      path: `/metrics/meetings/${meetingUuidPath(input.meeting_uuid)}/participants`, query: { type: 'past', include_fields: 'registrant_id' },
      itemsKey: 'participants', category: 'Heavy',
    }, 'participant_details', (item) => participantDetailRow(item, input.meeting_uuid, input.meeting_id), 'dashboard participant details');
    return { details, available: true };
  } catch (error) {
    if (error instanceof ZoomPlanError || error instanceof ZoomScopeError) return { details: 0, available: false };
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Exposure

/** What Exposure needs. */
export interface ExposureDeps {
  readonly query: QueryEngine;
  readonly clock: Clock;
  readonly settings: CorrelationSettings;
  /** Days the summary stays on the meeting in the state table. @default EXPOSURE_TTL_DAYS */
  readonly ttlDays?: number;
}

/** How long a meeting's exposure summary is kept (state TTL). */
export const EXPOSURE_TTL_DAYS = 90;
/** A participant who stayed less than this in total made a brief join. */
export const BRIEF_JOIN_SECONDS = 300;
/** The most names or emails a summary lists per field (Step Functions passes at most 256 KB between states). */
export const MAX_LISTED = 200;

/**
 * The state item holding a meeting's exposure summary: `pk` is EXPOSURE_PK_PREFIX + the meeting UUID, `sk` is
 * EXPOSURE_SK, the one attribute EXPOSURE_ATTR holds the summary as JSON. The state machine's StoreExposure writes
 * the same item with a DynamoDB PutItem, so these names are shared with the definition.
 */
export const EXPOSURE_PK_PREFIX = 'meeting#';
export const EXPOSURE_SK = 'exposure';
export const EXPOSURE_ATTR = 'summary';

/** The state key of a meeting's exposure summary. */
export function exposureKey(meetingUuid: string): { pk: string; sk: string } {
  return { pk: `${EXPOSURE_PK_PREFIX}${meetingUuid}`, sk: EXPOSURE_SK };
}

/** The state item of a summary, kept until its `stored_until`. */
export function exposureItem(summary: ExposureSummary): StateItem {
  return { ...exposureKey(summary.meeting_uuid), attrs: { [EXPOSURE_ATTR]: JSON.stringify(summary) }, expiresAt: summary.stored_until };
}

/** StoreExposure as the local runner does it (the state machine uses a DynamoDB PutItem of the same item). */
export async function storeExposure(state: StateStore, summary: ExposureSummary): Promise<void> {
  await state.put(exposureItem(summary));
}

/** A meeting's stored exposure summary, or undefined. */
export async function readExposure(state: StateStore, meetingUuid: string): Promise<ExposureSummary | undefined> {
  const { pk, sk } = exposureKey(meetingUuid);
  const item = await state.get(pk, sk);
  const summary = item?.attrs[EXPOSURE_ATTR];
  return typeof summary === 'string' ? (JSON.parse(summary) as ExposureSummary) : undefined;
}

// The scheduled detection's name normalisation (realtime/names.ts holds the same steps in TypeScript).
const NAME_KEY_SQL = (col: string) => `regexp_replace(
      translate(
        regexp_replace(lower(${col}), '\\([^)]*\\)|\\[[^\\]]*\\]|\\b(guest|external|extern|ext|visitor)\\b', ''),
        'àáâãäåāăąçćčďèéêëēėęěìíîïīįıñńňòóôõöøōőùúûüūůűųýÿžźżšśşřţťłđаеорсухіјѕαοιν',
        'aaaaaaaaacccdeeeeeeeeiiiiiiinnnoooooooouuuuuuuuyyzzzsssrttldaeopcyxijsaoiv'),
      '[^\\p{L}]', '')`;

/** The instance's join sessions from both participant tables, with whether the email's domain is internal. */
const SESSIONS_SQL = `WITH sessions AS (
  SELECT 'meeting_participants' AS source, lower(nullif(trim(mp.user_email), '')) AS email, nullif(trim(mp.name), '') AS user_name,
    nullif(mp.zoom_user_id, '') AS zoom_user_id, nullif(mp.participant_user_id, '') AS participant_user_id,
    mp.participant_id, mp.join_time, mp.leave_time, mp.duration_seconds,
    CAST(NULL AS varchar) AS ip_address, CAST(NULL AS varchar) AS location, CAST(NULL AS varchar) AS role
  FROM meeting_participants mp
  WHERE mp.dt >= ? AND mp.dt <= ? AND mp.meeting_uuid = ?
  UNION ALL
  SELECT 'participant_details', lower(nullif(trim(pd.email), '')), nullif(trim(pd.user_name), ''),
    nullif(pd.zoom_user_id, ''), nullif(pd.participant_user_id, ''),
    pd.participant_id, pd.join_time, pd.leave_time, CAST(NULL AS integer),
    nullif(pd.ip_address, ''), nullif(pd.location, ''), pd.role
  FROM participant_details pd
  WHERE pd.dt >= ? AND pd.dt <= ? AND pd.meeting_uuid = ?
)
SELECT s.*, d.domain IS NOT NULL AS internal_domain
FROM sessions s
LEFT JOIN internal_domains d ON d.domain = split_part(s.email, '@', 2)`;

/** Whether the topic is sensitive and the host watched, from the config views. */
const FLAGS_SQL = `SELECT
  (SELECT count(*) FROM sensitive_meeting_patterns p WHERE regexp_like(?, p.pattern)) AS sensitive,
  (SELECT count(*) FROM watched_users w WHERE w.email = ?) AS watched`;

/** Users (30 days of snapshots) by user id: the host's email when no participant row names it. */
const HOST_SQL = `SELECT lower(u.email) AS email
FROM users u
WHERE u.dt >= ? AND u.snapshot_time >= from_iso8601_timestamp(?) AND u.snapshot_time < from_iso8601_timestamp(?)
  AND u.user_id = ? AND nullif(trim(u.email), '') IS NOT NULL
ORDER BY u.snapshot_time DESC
LIMIT 1`;

/** Internal users' full names whose key is one of the candidates', and every watched user's (one edit away counts). */
const namesSql = (candidates: number) => `WITH user_rows AS (
  SELECT lower(u.email) AS email, u.display_name, u.first_name, u.last_name
  FROM users u
  WHERE u.dt >= ? AND u.snapshot_time >= from_iso8601_timestamp(?) AND u.snapshot_time < from_iso8601_timestamp(?)
),
names AS (
  SELECT email, display_name AS name FROM user_rows
  UNION
  SELECT email, first_name || ' ' || last_name FROM user_rows
  UNION
  SELECT email, last_name || ' ' || first_name FROM user_rows
)
SELECT DISTINCT n.email, n.name, w.email IS NOT NULL AS watched
FROM names n
LEFT JOIN watched_users w ON w.email = n.email
WHERE n.email IS NOT NULL AND regexp_like(trim(n.name), '\\S\\s+\\S')
  AND (w.email IS NOT NULL OR ${NAME_KEY_SQL('n.name')} IN (${Array(candidates).fill('?').join(', ')}))`;

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

const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : null);

function sessionOf(row: Record<string, unknown>): Session {
  const joinMs = instantOf(row.join_time);
  const leaveMs = instantOf(row.leave_time);
  const duration = typeof row.duration_seconds === 'number' ? row.duration_seconds : undefined;
  return {
    source: String(row.source),
    email: str(row.email),
    userName: str(row.user_name),
    userIds: [str(row.zoom_user_id), str(row.participant_user_id)].filter((v): v is string => v !== null),
    joinMs,
    seconds: duration ?? (joinMs !== undefined && leaveMs !== undefined ? Math.max(0, Math.round((leaveMs - joinMs) / 1000)) : undefined),
    ip: str(row.ip_address),
    location: str(row.location),
    role: str(row.role),
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
    const email = s.email ?? (s.userName === null ? null : emailOfName.get(s.userName) ?? null);
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
 * internal user's full name (users snapshots of 30 days), or one edit away from a watched user's name of 8+ letters.
 */
export async function exposure(deps: ExposureDeps, input: MeetingEndedInput): Promise<ExposureSummary> {
  const now = deps.clock.now();
  const endMs = Date.parse(input.end_time);
  const startMs = input.start_time === null ? endMs - DAY_MS : Date.parse(input.start_time);
  const [fromDt, toDt] = [dtOf(startMs), dtOf(endMs)];
  const { rows } = await deps.query.query(SESSIONS_SQL, [fromDt, toDt, input.meeting_uuid, fromDt, toDt, input.meeting_uuid]);
  const sessions = rows.map(sessionOf);
  const people = peopleOf(sessions);

  const usersFrom = [dtOf(now - 30 * DAY_MS), iso(now - 30 * DAY_MS), iso(now)] as const;
  const hostId = input.host_id;
  let hostEmail = sessions.find((s) => s.email !== null && hostId !== null && s.userIds.includes(hostId))?.email
    ?? sessions.find((s) => s.email !== null && s.role === 'host')?.email ?? null;
  if (hostEmail === null && hostId !== null) {
    const host = await deps.query.query(HOST_SQL, [...usersFrom, hostId]);
    hostEmail = str(host.rows[0]?.email);
  }

  const external = people.filter((p) => p.email !== null && !p.internal);
  const unauthenticated = people.filter((p) => p.email === null && !p.signedIn);
  const candidates = people.filter((p) => p.email === null || !p.internal);
  const impersonation = await impersonationMatches(deps.query, candidates, usersFrom);
  const brief = people.filter((p) => p.complete && p.seconds.size > 0 && Math.max(...p.seconds.values()) < BRIEF_JOIN_SECONDS);

  const flags = await deps.query.query(FLAGS_SQL, [input.topic ?? '', hostEmail ?? '']);
  const outsiders = external.length + unauthenticated.length > 0;
  const dataAccessWindowMs = deps.settings.dataAccessWindowMinutes * 60_000;
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
    countries: sortedCapped(sessions.map((s) => s.location).filter((v): v is string => v !== null).map(countryOf).filter((c) => c !== '')),
    sensitive_topic: Number(flags.rows[0]?.sensitive ?? 0) > 0,
    watched_host: Number(flags.rows[0]?.watched ?? 0) > 0,
    correlate_after: iso(deps.settings.dataAccess !== undefined && outsiders ? endMs + dataAccessWindowMs : endMs),
    stored_until: Math.floor(now / 1000) + (deps.ttlDays ?? EXPOSURE_TTL_DAYS) * 86_400,
  };
  return summary;
}

// Names shorter than this match too much by accident (the scheduled detection's rule).
const MIN_NAME_KEY = 4;
const FUZZY_MIN_NAME_KEY = 8;

async function impersonationMatches(
  query: QueryEngine, candidates: readonly Person[], usersFrom: readonly [string, string, string],
): Promise<{ display_name: string; matches_email: string }[]> {
  const named = candidates.flatMap((p) => [...p.names].map((name) => ({ person: p, name, key: nameKey(name) })))
    .filter((c) => c.key.length >= MIN_NAME_KEY);
  if (named.length === 0) return [];
  const keys = [...new Set(named.map((c) => c.key))];
  const { rows } = await query.query(namesSql(keys.length), [...usersFrom, ...keys]);
  const internal = rows.map((r) => ({ email: String(r.email), name: String(r.name), watched: r.watched === true, key: nameKey(String(r.name)) }))
    .filter((u) => u.key.length >= MIN_NAME_KEY && isFullName(u.name));
  const found = new Map<string, { display_name: string; matches_email: string }>();
  for (const c of named) {
    for (const u of internal) {
      const fuzzy = u.watched && u.key.length >= FUZZY_MIN_NAME_KEY && withinEdits(c.key, u.key, 1);
      if (c.key !== u.key && !fuzzy) continue;
      // The user themself, joined with their own (internal) email but without signing in, is no impersonator.
      if (c.person.email === u.email) continue;
      found.set(`${c.name}\u0000${u.email}`, { display_name: c.name, matches_email: u.email });
    }
  }
  return [...found.values()].sort((a, b) => a.display_name.localeCompare(b.display_name) || a.matches_email.localeCompare(b.matches_email));
}

// ---------------------------------------------------------------------------------------------------------------
// Correlate

/** What Correlate needs. */
export interface CorrelateDeps {
  readonly query: QueryEngine;
  readonly clock: Clock;
  readonly settings: CorrelationSettings;
}

/** Whether the meeting had anyone from outside: an external email or an unauthenticated guest. */
export const hadOutsiders = (summary: ExposureSummary): boolean => summary.external_emails.length + summary.unauthenticated.length > 0;

/**
 * Recording downloads (operation log, category Recording, a download in action or detail) of this meeting since it
 * started, by operators who neither attended any instance of its meeting number (30 days) nor host it; matched and
 * judged as the scheduled detection zoom.recording.download_by_non_participant does. Parameters in order: dt lower
 * bound, window start, window end, meeting number, topic (twice), attendee window start (3 tables x 3), meeting number
 * (3), host email, meeting number (2, host rows of meetings and recordings), attendee dt bound (2).
 */
const DOWNLOADS_SQL = `WITH downloads AS (
  SELECT
    ol.time,
    lower(trim(ol.operator)) AS operator,
    ol.action,
    ol.operation_detail,
    replace(regexp_extract(ol.operation_detail, '(\\d{3}\\s?\\d{3,4}\\s?\\d{3,5})', 1), ' ', '') AS detail_meeting_id
  FROM operation_logs ol
  WHERE ol.dt >= ?
    AND ol.time >= from_iso8601_timestamp(?)
    AND ol.time < from_iso8601_timestamp(?)
    AND lower(ol.category_type) LIKE '%recording%'
    AND (lower(coalesce(ol.action, '')) LIKE '%download%' OR lower(coalesce(ol.operation_detail, '')) LIKE '%download%')
    AND nullif(trim(ol.operator), '') IS NOT NULL
),
matched AS (
  SELECT d.time, d.operator, d.action, d.operation_detail,
    CASE WHEN d.detail_meeting_id IS NOT NULL THEN 'meeting number' ELSE 'topic' END AS matched_by
  FROM downloads d
  WHERE (d.detail_meeting_id IS NOT NULL AND d.detail_meeting_id = ?)
     OR (d.detail_meeting_id IS NULL AND length(trim(?)) >= 4 AND strpos(lower(d.operation_detail), lower(trim(?))) > 0)
),
attendees AS (
  SELECT lower(trim(mp.user_email)) AS email
  FROM meeting_participants mp
  WHERE mp.dt >= ? AND mp.join_time >= from_iso8601_timestamp(?) AND mp.meeting_id = ? AND nullif(trim(mp.user_email), '') IS NOT NULL
  UNION ALL
  SELECT lower(trim(pd.email))
  FROM participant_details pd
  WHERE pd.dt >= ? AND pd.join_time >= from_iso8601_timestamp(?) AND pd.meeting_id = ? AND nullif(trim(pd.email), '') IS NOT NULL
  UNION ALL
  SELECT lower(trim(pe.email))
  FROM participant_events pe
  WHERE pe.dt >= ? AND pe.event_time >= from_iso8601_timestamp(?) AND pe.meeting_id = ?
    AND pe.event IN ('meeting.participant_joined', 'meeting.participant_left') AND nullif(trim(pe.email), '') IS NOT NULL
),
people AS (
  SELECT email FROM attendees
  UNION ALL
  SELECT lower(trim(?))
  UNION ALL
  SELECT lower(mt.host_email) FROM meetings mt WHERE mt.meeting_id = ? AND mt.dt >= ? AND nullif(mt.host_email, '') IS NOT NULL
  UNION ALL
  SELECT lower(r.host_email) FROM recordings r WHERE r.meeting_id = ? AND r.dt >= ? AND nullif(r.host_email, '') IS NOT NULL
)
SELECT
  m.operator,
  (SELECT count(DISTINCT email) FROM attendees) AS participant_emails,
  count(DISTINCT m.time) AS downloads,
  array_join(array_agg(DISTINCT m.operation_detail), ' | ') AS operation_details,
  array_join(array_agg(DISTINCT m.matched_by), ', ') AS matched_by,
  min(m.time) AS first_seen,
  max(m.time) AS last_seen
FROM matched m
WHERE NOT EXISTS (SELECT 1 FROM people p WHERE p.email = m.operator)
  AND EXISTS (SELECT 1 FROM attendees)
GROUP BY m.operator
ORDER BY m.operator`;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
/** The most data-access rows one alert carries as evidence. */
export const MAX_ACCESS_EVIDENCE = 100;

/** A configured SQL identifier, double-quoted; refuses anything the config schema would not have accepted. */
function ident(name: string, field: string): string {
  if (!IDENTIFIER.test(name)) throw new ZoomlakeError(`correlation.dataAccess.${field} must be a lower-case SQL identifier, got "${name}"`, false);
  return `"${name}"`;
}

/**
 * The data-access query over the configured table: the rows of one user (matched on the last `/`- or `:`-separated
 * part of the user column, so an email or an assumed-role ARN ending in the email both match) in a time window.
 * The time column may be a timestamp or ISO-8601 text (CloudTrail's eventtime is text).
 */
export function dataAccessSql(source: DataAccessSource): string {
  const table = ident(source.table, 'table');
  const user = ident(source.userColumn, 'userColumn');
  const time = ident(source.timeColumn, 'timeColumn');
  const resource = ident(source.resourceColumn, 'resourceColumn');
  const ts = `from_iso8601_timestamp(replace(CAST(a.${time} AS varchar), ' ', 'T'))`;
  return `SELECT CAST(a.${user} AS varchar) AS principal, ${ts} AS access_time, CAST(a.${resource} AS varchar) AS resource
FROM ${table} a
WHERE lower(regexp_extract(trim(CAST(a.${user} AS varchar)), '[^/:]*$')) = ?
  AND ${ts} >= from_iso8601_timestamp(?)
  AND ${ts} < from_iso8601_timestamp(?)
ORDER BY access_time, resource
LIMIT ${MAX_ACCESS_EVIDENCE + 1}`;
}

/**
 * Correlate: the meeting against other data in the lake. Recording downloads by non-participants since the meeting
 * started (always, when the meeting number is known); the host's access to the configured data-access source in the
 * window after the meeting (only when `dataAccess` is configured, the meeting had outsiders and the host is known).
 */
export async function correlate(deps: CorrelateDeps, summary: ExposureSummary): Promise<CorrelateOutput> {
  const alerts: Alert[] = [];
  alerts.push(...await downloadAlerts(deps, summary));
  alerts.push(...await dataAccessAlerts(deps, summary));
  return { alerts };
}

async function downloadAlerts(deps: CorrelateDeps, s: ExposureSummary): Promise<Alert[]> {
  if (s.meeting_id === null) return [];
  const now = deps.clock.now();
  const endMs = Date.parse(s.end_time);
  const startMs = s.start_time === null ? endMs : Date.parse(s.start_time);
  const back30 = now - 30 * DAY_MS;
  const [dt30, t30] = [dtOf(back30), iso(back30)];
  const { rows } = await deps.query.query(DOWNLOADS_SQL, [
    dtOf(startMs), iso(startMs), iso(now), s.meeting_id, s.topic ?? '', s.topic ?? '',
    dt30, t30, s.meeting_id, dt30, t30, s.meeting_id, dt30, t30, s.meeting_id,
    s.host_email ?? '', s.meeting_id, dt30, s.meeting_id, dt30,
  ]);
  const d = CORRELATION_CATALOG.recordingDownloadByNonParticipant;
  return rows.flatMap((r) => {
    const first = instantOf(r.first_seen);
    const last = instantOf(r.last_seen) ?? first;
    if (first === undefined || last === undefined) return [];
    const row: EvidenceRow = {
      operator: str(r.operator), meeting_id: s.meeting_id, meeting_uuid: s.meeting_uuid, host_email: s.host_email, topic: s.topic,
      participant_emails: Number(r.participant_emails), downloads: Number(r.downloads), operation_details: str(r.operation_details),
      matched_by: str(r.matched_by), first_seen: iso(first), last_seen: iso(last),
    };
    return [correlationAlert(d, row, [row], first, last)];
  });
}

async function dataAccessAlerts(deps: CorrelateDeps, s: ExposureSummary): Promise<Alert[]> {
  const source = deps.settings.dataAccess;
  if (source === undefined || s.host_email === null || !hadOutsiders(s)) return [];
  const endMs = Date.parse(s.end_time);
  const untilMs = endMs + deps.settings.dataAccessWindowMinutes * 60_000;
  const { rows } = await deps.query.query(dataAccessSql(source), [s.host_email.toLowerCase(), iso(endMs), iso(untilMs)]);
  const accesses = rows.flatMap((r) => {
    const at = instantOf(r.access_time);
    return at === undefined ? [] : [{ at, principal: str(r.principal), resource: str(r.resource) }];
  });
  if (accesses.length === 0) return [];
  const d = CORRELATION_CATALOG.hostDataAccessAfterExternalMeeting;
  const first = Math.min(...accesses.map((a) => a.at));
  const last = Math.max(...accesses.map((a) => a.at));
  const summaryRow: EvidenceRow = {
    host_email: s.host_email, user_email: s.host_email, meeting_id: s.meeting_id, meeting_uuid: s.meeting_uuid,
  };
  const meeting = {
    ...summaryRow, topic: s.topic, meeting_end: s.end_time, window_minutes: deps.settings.dataAccessWindowMinutes,
    external_emails: s.external_emails.join(', '), unauthenticated: s.unauthenticated.join(', '),
    impersonation: s.impersonation.map((i) => `${i.display_name} -> ${i.matches_email}`).join(', '), source_table: source.table,
  };
  const evidence = accesses.slice(0, MAX_ACCESS_EVIDENCE).map((a) => ({
    ...meeting, principal: a.principal, resource: a.resource, first_seen: iso(a.at), last_seen: iso(a.at),
  }));
  return [correlationAlert(d, summaryRow, evidence, first, last)];
}

/** The alert raised when FetchParticipants gave up (the state machine's Catch on MeetingNotReady). */
export function participantsUnavailable(deps: { readonly clock: Clock }, input: MeetingEndedInput, attempts: number): CorrelateOutput {
  const now = deps.clock.now();
  const endMs = Date.parse(input.end_time);
  const row: EvidenceRow = {
    meeting_uuid: input.meeting_uuid, meeting_id: input.meeting_id, host_id: input.host_id, topic: input.topic,
    start_time: input.start_time, end_time: input.end_time, attempts, first_seen: iso(endMs), last_seen: iso(Math.max(endMs, now)),
  };
  return { alerts: [correlationAlert(CORRELATION_CATALOG.participantsUnavailable, row, [row], endMs, now)] };
}

// ---------------------------------------------------------------------------------------------------------------
// RaiseAlerts

const alertsSchema = z.array(alertSchema);

/** RaiseAlerts: Correlate's alerts (plain JSON from the state) validated and handed to delivery (suppression, table, bus). */
export async function raiseAlerts(deps: { readonly delivery: AlertDelivery }, input: CorrelateOutput): Promise<RaiseAlertsOutput> {
  const parsed = alertsSchema.safeParse(input.alerts);
  if (!parsed.success) {
    throw new ZoomlakeError(`raise alerts: the alerts are invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, false);
  }
  if (parsed.data.length === 0) return { notified: 0, suppressed: 0 };
  const results = await deps.delivery.deliver(parsed.data);
  const notified = results.filter((r) => r.outcome === 'notified').length;
  return { notified, suppressed: results.length - notified };
}
