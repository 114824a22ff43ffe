import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { alertSchema, type Alert } from '../alerts/alert.ts';
import { ZoomlakeError } from '../errors.ts';
import { bindNamed, detectionParams, isScheduled, parameter } from '../detect/detection.ts';
import type { DetectionRegistry } from '../detect/registry.ts';
import { rowsToAlerts } from '../detect/results.ts';
import { idText, instant, instantOf, objectOrEmpty, nonEmptyText } from '../lake/cell-coercion.ts';
import { dtOf } from '../lake/records.ts';
import type { LakeWriter } from '../lake/writer.ts';
import type { AlertDelivery, Clock, QueryEngine, StateItem, StateStore, ZoomApi, ZoomPageRequest } from '../ports.ts';
import { meetingParticipantRow, participantDetailRow } from '../poll/rows.ts';
import { isFullName, nameKey, participantKey, withinEdits } from '../realtime/names.ts';
import { eventTimeOf, type ZoomEnvelope } from '../webhook/envelope.ts';
import { meetingUuidPath, type ZoomPlan } from '../zoom/client.ts';
import { ZoomNotFoundError, ZoomPlanError, ZoomScopeError } from '../zoom/errors.ts';
import { DASHBOARD_PLANS } from '../zoom/rate-limit.ts';
import { correlationAlert, type EvidenceRow } from './catalog.ts';
import {
  CORRELATION_DETECTIONS, MEETING_NOT_READY,
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

/** What the steps read from the configuration (config key `correlation`); thresholds are detection parameters. */
export interface CorrelationSettings {
  readonly enabled: boolean;
  readonly waitSeconds: number;
  readonly notReadyRetries: number;
  readonly notReadyIntervalSeconds: number;
  readonly dataAccess?: DataAccessSource | undefined;
}

/** The correlation queries (queries/correlation/<name>.sql) the steps run. */
export const CORRELATION_QUERIES = ['exposure-sessions', 'exposure-flags', 'exposure-host', 'exposure-names', 'data-access'] as const;

/** Runs a named correlation query from the registry with its `:name` parameters bound (never spliced into the text). */
async function named(query: QueryEngine, registry: DetectionRegistry, name: (typeof CORRELATION_QUERIES)[number], values: Readonly<Record<string, string | number | boolean>>) {
  const bound = bindNamed(registry.query(name), values);
  return query.query(bound.sql, bound.params);
}

/** The window (minutes) after a meeting with outsiders in which the host's data access is correlated. */
export const dataAccessWindowMinutes = (registry: DetectionRegistry): number =>
  parameter(registry.get(CORRELATION_DETECTIONS.hostDataAccessAfterExternalMeeting), 'window_minutes');

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
  const o = objectOrEmpty(env.payload.object);
  const uuid = nonEmptyText(o.uuid);
  if (uuid === null) return undefined;
  const start = instant(o.start_time);
  const end = instant(o.end_time) ?? eventTimeOf(env, receivedAt);
  return {
    meeting_uuid: uuid, meeting_id: idText(o.id), host_id: idText(o.host_id), topic: nonEmptyText(o.topic),
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

/** Whether FetchDetails runs for this plan (the state machine's Choice asks the same of DASHBOARD_PLANS). */
export const detailsAvailable = (plan: ZoomPlan): boolean => DASHBOARD_PLANS.includes(plan);

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
  /** The detection registry: the correlation queries and the thresholds the summary applies. */
  readonly registry: DetectionRegistry;
  /** Days the summary stays on the meeting in the state table. @default EXPOSURE_TTL_DAYS */
  readonly ttlDays?: number;
}

/** How long a meeting's exposure summary is kept (state TTL). */
export const EXPOSURE_TTL_DAYS = 90;
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
 * internal user's full name (users snapshots of 30 days), or near a watched user's name, as
 * zoom.participant.guest_impersonates_internal's parameters say.
 */
export async function exposure(deps: ExposureDeps, input: MeetingEndedInput): Promise<ExposureSummary> {
  const now = deps.clock.now();
  const endMs = Date.parse(input.end_time);
  const startMs = input.start_time === null ? endMs - DAY_MS : Date.parse(input.start_time);
  const [fromDt, toDt] = [dtOf(startMs), dtOf(endMs)];
  const { rows } = await named(deps.query, deps.registry, 'exposure-sessions', { from_dt: fromDt, to_dt: toDt, meeting_uuid: input.meeting_uuid });
  const sessions = rows.map(sessionOf);
  const people = peopleOf(sessions);

  const usersFrom = { users_dt: dtOf(now - 30 * DAY_MS), users_from: iso(now - 30 * DAY_MS), users_to: iso(now) };
  const hostId = input.host_id;
  let hostEmail = sessions.find((s) => s.email !== null && hostId !== null && s.userIds.includes(hostId))?.email
    ?? sessions.find((s) => s.email !== null && s.role === 'host')?.email ?? null;
  if (hostEmail === null && hostId !== null) {
    const host = await named(deps.query, deps.registry, 'exposure-host', { ...usersFrom, host_id: hostId });
    hostEmail = str(host.rows[0]?.email);
  }

  const external = people.filter((p) => p.email !== null && !p.internal);
  const unauthenticated = people.filter((p) => p.email === null && !p.signedIn);
  const candidates = people.filter((p) => p.email === null || !p.internal);
  const impersonation = await impersonationMatches(deps, candidates, usersFrom);
  const briefSeconds = parameter(deps.registry.get(BRIEF_JOIN_DETECTION), 'brief_seconds');
  const brief = people.filter((p) => p.complete && p.seconds.size > 0 && Math.max(...p.seconds.values()) < briefSeconds);

  const flags = await named(deps.query, deps.registry, 'exposure-flags', { topic: input.topic ?? '', host_email: hostEmail ?? '' });
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
    countries: sortedCapped(sessions.map((s) => s.location).filter((v): v is string => v !== null).map(countryOf).filter((c) => c !== '')),
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
  deps: ExposureDeps, candidates: readonly Person[], usersFrom: Readonly<Record<string, string>>,
): Promise<{ display_name: string; matches_email: string }[]> {
  const d = deps.registry.get(IMPERSONATION_DETECTION);
  const minLetters = parameter(d, 'min_name_letters');
  const fuzzyMinLetters = Math.max(parameter(d, 'fuzzy_min_name_letters'), minLetters);
  const maxEdits = parameter(d, 'max_edits');
  const nameKeys = candidates.flatMap((p) => [...p.names].map((name) => ({ person: p, name, key: nameKey(name) })))
    .filter((c) => c.key.length >= minLetters);
  if (nameKeys.length === 0) return [];
  const keys = [...new Set(nameKeys.map((c) => c.key))].sort();
  const { rows } = await named(deps.query, deps.registry, 'exposure-names', { ...usersFrom, keys: keys.join('|') });
  const internal = rows.map((r) => ({ email: String(r.email), name: String(r.name), watched: r.watched === true, key: nameKey(String(r.name)) }))
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

// ---------------------------------------------------------------------------------------------------------------
// Correlate

/** What Correlate needs. */
export interface CorrelateDeps {
  readonly query: QueryEngine;
  readonly clock: Clock;
  readonly settings: CorrelationSettings;
  /** The detection registry: the detections Correlate raises, their SQL and parameters. */
  readonly registry: DetectionRegistry;
}

/** Whether the meeting had anyone from outside: an external email or an unauthenticated guest. */
export const hadOutsiders = (summary: ExposureSummary): boolean => summary.external_emails.length + summary.unauthenticated.length > 0;

const IDENTIFIER = /^[a-z_][a-z0-9_]*$/;
/** The most data-access rows one alert carries as evidence. */
export const MAX_ACCESS_EVIDENCE = 100;

/** A configured SQL identifier, double-quoted; refuses anything the config schema would not have accepted. */
function ident(name: string, field: string): string {
  if (!IDENTIFIER.test(name)) throw new ZoomlakeError(`correlation.dataAccess.${field} must be a lower-case SQL identifier, got "${name}"`, false);
  return `"${name}"`;
}

/**
 * The data-access query (queries/correlation/data-access.sql) over the configured table and columns: each `{name}`
 * becomes the configured identifier, double-quoted, after checking it is one.
 */
export function dataAccessSql(template: string, source: DataAccessSource): string {
  const idents: Readonly<Record<string, string>> = {
    table: ident(source.table, 'table'), userColumn: ident(source.userColumn, 'userColumn'),
    timeColumn: ident(source.timeColumn, 'timeColumn'), resourceColumn: ident(source.resourceColumn, 'resourceColumn'),
  };
  return template.replace(/"\{(\w+)\}"/g, (whole, name: string) => {
    const value = idents[name];
    if (value === undefined) throw new ZoomlakeError(`data-access.sql names an unknown identifier ${whole}`, false);
    return value;
  });
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

/**
 * Recording downloads of this meeting by non-participants: the scheduled detection's own query (one definition),
 * run now and kept to this meeting number, its rows mapped to alerts as the scheduled runner maps them.
 */
async function downloadAlerts(deps: CorrelateDeps, s: ExposureSummary): Promise<Alert[]> {
  if (s.meeting_id === null) return [];
  const d = deps.registry.get(CORRELATION_DETECTIONS.recordingDownloadByNonParticipant);
  if (!isScheduled(d)) throw new ZoomlakeError(`detection ${d.id} has no query.sql for the correlation to run`, false);
  const result = await deps.query.query(d.sql, detectionParams(d, deps.clock.now()));
  const rows = result.rows.filter((r) => str(r.meeting_id) === s.meeting_id);
  return rows.length === 0 ? [] : rowsToAlerts(d, result.columns, rows, 'correlation');
}

async function dataAccessAlerts(deps: CorrelateDeps, s: ExposureSummary): Promise<Alert[]> {
  const source = deps.settings.dataAccess;
  if (source === undefined || s.host_email === null || !hadOutsiders(s)) return [];
  const endMs = Date.parse(s.end_time);
  const windowMinutes = dataAccessWindowMinutes(deps.registry);
  const untilMs = endMs + windowMinutes * 60_000;
  const d = deps.registry.get(CORRELATION_DETECTIONS.hostDataAccessAfterExternalMeeting);
  const baselineDays = parameter(d, 'baseline_days');
  // The baseline ends when the meeting started, so a file opened during the call is not part of it.
  const baselineToMs = s.start_time === null ? endMs : Date.parse(s.start_time);
  const bound = bindNamed(dataAccessSql(deps.registry.query('data-access'), source), {
    user: s.host_email.toLowerCase(), from: iso(endMs), to: iso(untilMs),
    baseline_from: iso(baselineToMs - baselineDays * DAY_MS), baseline_to: iso(baselineToMs),
  });
  const { rows } = await deps.query.query(bound.sql, bound.params);
  const accesses = rows.flatMap((r) => {
    const at = instantOf(r.access_time);
    return at === undefined ? [] : [{ at, principal: str(r.principal), resource: str(r.resource) }];
  });
  if (accesses.length === 0) return [];
  const first = Math.min(...accesses.map((a) => a.at));
  const last = Math.max(...accesses.map((a) => a.at));
  const summaryRow: EvidenceRow = {
    host_email: s.host_email, user_email: s.host_email, meeting_id: s.meeting_id, meeting_uuid: s.meeting_uuid,
  };
  const meeting = {
    ...summaryRow, topic: s.topic, meeting_end: s.end_time, window_minutes: windowMinutes, baseline_days: baselineDays,
    external_emails: s.external_emails.join(', '), unauthenticated: s.unauthenticated.join(', '),
    impersonation: s.impersonation.map((i) => `${i.display_name} -> ${i.matches_email}`).join(', '), source_table: source.table,
  };
  const evidence = accesses.slice(0, MAX_ACCESS_EVIDENCE).map((a) => ({
    ...meeting, principal: a.principal, resource: a.resource, first_seen: iso(a.at), last_seen: iso(a.at),
  }));
  return [correlationAlert(d, summaryRow, evidence, first, last)];
}

/** The alert raised when FetchParticipants gave up (the state machine's Catch on MeetingNotReady). */
export function participantsUnavailable(
  deps: { readonly clock: Clock; readonly registry: DetectionRegistry }, input: MeetingEndedInput, attempts: number,
): CorrelateOutput {
  const now = deps.clock.now();
  const endMs = Date.parse(input.end_time);
  const row: EvidenceRow = {
    meeting_uuid: input.meeting_uuid, meeting_id: input.meeting_id, host_id: input.host_id, topic: input.topic,
    start_time: input.start_time, end_time: input.end_time, attempts, first_seen: iso(endMs), last_seen: iso(Math.max(endMs, now)),
  };
  return { alerts: [correlationAlert(deps.registry.get(CORRELATION_DETECTIONS.participantsUnavailable), row, [row], endMs, now)] };
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
