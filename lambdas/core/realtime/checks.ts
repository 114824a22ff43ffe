import type { Alert } from '../alerts/alert.ts';
import { DetectionDefinitionError, durationMs, parameter } from '../detect/detection.ts';
import type { DetectionRegistry } from '../detect/registry.ts';
import { isRecord, nonEmptyText, type Json } from '../lake/cell-coercion.ts';
import type { Clock, StateStore } from '../ports.ts';
import type { Row } from '../schema/types.ts';
import type { ZoomEnvelope } from '../webhook/envelope.ts';
import { typedRows } from '../webhook/normalise.ts';
import { REALTIME_EVENTS } from '../webhook/routes.ts';
import { REALTIME_IDS as ID, realtimeAlert, type EvidenceRow } from './catalog.ts';
import { applyDirectoryUpdates, directoryUpdateFromEvent, emailOfUserId, lookupEmail, statusAt, usersNamed } from './directory.ts';
import { participantKey } from './names.ts';
import { weakenedSettings } from './weakened-settings.ts';
import { isInternalEmail, sensitiveMatch, type CompiledSettings } from './config.ts';
import { densestWindowContaining, type Sighting } from './window.ts';

/** What the checks read and write. */
export interface CheckContext {
  readonly state: StateStore;
  readonly settings: CompiledSettings;
  readonly clock: Clock;
  /** The detections the checks raise: metadata and parameters, looked up by id. */
  readonly registry: DetectionRegistry;
}

const HANDLED: ReadonlySet<string> = new Set(REALTIME_EVENTS);

/** Whether the realtime path does anything with this event. */
export const isRealtimeEvent = (event: string): boolean => HANDLED.has(event);

const meetingPk = (uuid: string) => `rt#meeting#${uuid}`;
const outsiderPk = (participant: string) => `rt#outsider#${participant}`;
const operatorPk = (operator: string) => `rt#operator#${operator}`;
const lower = (v: unknown) => nonEmptyText(v)?.trim().toLowerCase() || null;
const trimmed = (v: unknown) => nonEmptyText(v)?.trim() || null;
const iso = (ms: number) => new Date(ms).toISOString();
/** A sort-key part that orders by time: epoch ms, 13 digits. */
const msKey = (ms: number) => String(Math.max(0, Math.trunc(ms))).padStart(13, '0');
const numberAttr = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const joinSorted = (values: Iterable<string | null | undefined>, sep: string) => [...new Set([...values].filter((v): v is string => !!v))].sort().join(sep);

/**
 * Runs every realtime check an event concerns and returns the alerts it raises (not yet delivered). The checks read
 * the event through the same normaliser as the lake writer (typedRows), so both paths see the same times, ids and
 * emails. Updates the user directory and the live meeting state as it goes; every write is idempotent (set-like
 * markers, upserts), so processing the same event twice leaves the state as processing it once.
 */
export async function runChecks(env: ZoomEnvelope, receivedAt: number, ctx: CheckContext): Promise<Alert[]> {
  const rows = typedRows(env, '', receivedAt);
  const row = rows[0]?.row;
  if (!row) return [];
  const at = row.event_time as number;
  const action = env.event.slice(env.event.indexOf('.') + 1);
  if (env.event.startsWith('user.')) {
    // A deleted user's webhook may carry only the Zoom user id: the directory knows its email from earlier facts.
    const userId = nonEmptyText(row.user_id);
    const known = nonEmptyText(row.email) === null && userId !== null ? await emailOfUserId(ctx.state, userId) : undefined;
    const update = directoryUpdateFromEvent(env, at, known);
    if (update) await applyDirectoryUpdates(ctx.state, [update], ctx.settings.watchedUsers);
    return [];
  }
  if (env.event === 'account.settings_updated') return settingsWeakened(env, at, ctx);
  if (env.event.startsWith('recording.')) return recordingRemoved(env, rows.map((r) => r.row), ctx);
  if (action === 'started' || action === 'ended') {
    await meetingOf(row, ctx, action === 'ended' ? numberAttr(row.end_time) ?? at : undefined);
    return [];
  }
  if (action === 'participant_joined') return participantJoined(env.event, row, ctx, false);
  if (action === 'participant_joined_waiting_room') return participantJoined(env.event, row, ctx, true);
  return [];
}

/** The live state of one meeting instance the checks need. */
interface MeetingView {
  readonly uuid: string;
  readonly meetingId: string | null;
  readonly topic: string | null;
  readonly hostId: string | null;
  readonly hostEmail: string | null;
  /** When the meeting ended, if meeting.ended said so. */
  readonly endedAt: number | undefined;
  /** The sensitive pattern the topic matches. */
  readonly sensitive: string | undefined;
  readonly watchedHost: boolean;
}

const ttl = (ctx: CheckContext, hours = ctx.settings.raw.meetingStateHours) => Math.floor(ctx.clock.now() / 1000) + hours * 3600;

/** The meeting a typed row describes, remembering topic, host and end for events that lack them. */
async function meetingOf(row: Row, ctx: CheckContext, endedAt?: number): Promise<MeetingView | undefined> {
  const uuid = nonEmptyText(row.meeting_uuid);
  if (!uuid) return undefined;
  let topic = nonEmptyText(row.topic);
  let hostId = nonEmptyText(row.host_id);
  let meetingId = nonEmptyText(row.meeting_id);
  const stored = await ctx.state.get(meetingPk(uuid), 'info');
  const storedEnd = numberAttr(stored?.attrs.ended_at);
  if (stored) {
    topic ??= nonEmptyText(stored.attrs.topic);
    hostId ??= nonEmptyText(stored.attrs.host_id);
    meetingId ??= nonEmptyText(stored.attrs.meeting_id);
  }
  const ended = endedAt ?? storedEnd;
  const changed = !stored || (topic !== null && stored.attrs.topic === null) || (hostId !== null && stored.attrs.host_id === null)
    || (endedAt !== undefined && endedAt !== storedEnd);
  if (changed) {
    await ctx.state.put({
      pk: meetingPk(uuid), sk: 'info', attrs: { topic, host_id: hostId, meeting_id: meetingId, ended_at: ended ?? null }, expiresAt: ttl(ctx),
    });
  }
  const hostEmail = hostId ? (await emailOfUserId(ctx.state, hostId)) ?? null : null;
  return {
    uuid, meetingId, topic, hostId, hostEmail, endedAt: ended,
    sensitive: sensitiveMatch(ctx.settings, topic), watchedHost: hostEmail !== null && ctx.settings.watchedUsers.has(hostEmail),
  };
}

async function participantJoined(event: string, row: Row, ctx: CheckContext, waitingRoom: boolean): Promise<Alert[]> {
  const meeting = await meetingOf(row, ctx);
  if (!meeting) return [];
  const at = row.event_time as number;
  const email = lower(row.email);
  const userName = trimmed(row.user_name);
  const zoomUserId = nonEmptyText(row.participant_user_id);
  const registered = nonEmptyText(row.registrant_id) !== null;
  const participant = participantKey(email, userName);
  const ipAddress = nonEmptyText(row.public_ip);
  const webinar = event.startsWith('webinar.');
  // As in the scheduled detections: outside unless signed in with an email on an internal domain.
  const unauthenticated = email === null || zoomUserId === null;
  const outsider = unauthenticated || !isInternalEmail(ctx.settings, email);
  const base: EvidenceRow = {
    meeting_uuid: meeting.uuid, meeting_id: meeting.meetingId, topic: meeting.topic, host_email: meeting.hostEmail,
    participant, user_email: email, user_name: userName, signed_in: zoomUserId !== null, registered, ip_address: ipAddress,
    event, source: 'webhook (realtime)',
  };
  const alerts: Alert[] = [];

  const identity = email ?? (zoomUserId !== null ? await emailOfUserId(ctx.state, zoomUserId) ?? null : null);
  if (identity !== null) {
    const status = await statusAt(ctx.state, identity, at);
    if (status?.gone) {
      alerts.push(realtimeAlert(ctx.registry.get(ID.joinAfterDeactivation), {
        ...base, user_email: identity, deactivated_at: iso(status.since), deactivation: `${status.status} (${status.sinceSource})`,
        seen_in: event,
      }, at));
    }
  }

  // Signed in with the email of a directory user: that user's own account, whatever internalDomains says.
  const directoryUser = !unauthenticated && (await lookupEmail(ctx.state, email)) !== undefined;
  if (outsider && !directoryUser && userName !== null) {
    const d = ctx.registry.get(ID.guestImpersonatesInternal);
    const matching = { minLetters: parameter(d, 'min_name_letters'), fuzzyMinLetters: parameter(d, 'fuzzy_min_name_letters'), maxEdits: parameter(d, 'max_edits') };
    for (const match of await usersNamed(ctx.state, userName, matching)) {
      alerts.push(realtimeAlert(d, {
        ...base, impersonated_email: match.email, impersonated_name: match.name, name_match: match.match,
        watched: ctx.settings.watchedUsers.has(match.email), claims_same_email: email === match.email,
      }, at));
    }
  }

  if (outsider && !registered && ipAddress !== null && !webinar) alerts.push(...await joinBurst(meeting, ipAddress, at, ctx));

  if (waitingRoom) {
    const why = [meeting.sensitive !== undefined ? `sensitive topic (${meeting.sensitive})` : '', meeting.watchedHost ? 'watched host' : '']
      .filter(Boolean).join(', ');
    if (outsider && !registered && why !== '' && (identity === null || (await lookupEmail(ctx.state, identity)) === undefined)) {
      alerts.push(realtimeAlert(ctx.registry.get(ID.waitingRoomUnknownExternal), { ...base, unauthenticated, reason: why }, at));
    }
    return alerts;
  }

  if (outsider) {
    await ctx.state.put({ pk: meetingPk(meeting.uuid), sk: `external#${participant}`, attrs: { user_name: userName, user_email: email, at }, expiresAt: ttl(ctx) });
    if (meeting.sensitive !== undefined && !registered) alerts.push(...await outsiderInSensitiveMeeting(meeting, base, unauthenticated, at, ctx));
  }
  return alerts;
}

/**
 * zoom.participant.external_in_sensitive_meeting: an unauthenticated guest in one sensitive meeting, or a signed-in
 * external in `min_sensitive_meetings` sensitive meeting instances within the detection's lookback (the scheduled
 * query's window). Registrants never count (the caller skips them). Each sensitive join is a marker on the
 * participant, so the count survives across meetings and redeliveries count once.
 */
async function outsiderInSensitiveMeeting(meeting: MeetingView, base: EvidenceRow, unauthenticated: boolean, at: number, ctx: CheckContext): Promise<Alert[]> {
  const d = ctx.registry.get(ID.externalInSensitiveMeeting);
  if (d.lookback === undefined) throw new DetectionDefinitionError(`${d.id}: the realtime check counts within the scheduled lookback, which is missing`);
  const windowMs = durationMs(d.lookback);
  const participant = String(base.participant);
  await ctx.state.put({
    pk: outsiderPk(participant), sk: `sensitive#${msKey(at)}#${meeting.uuid}`,
    attrs: { meeting_uuid: meeting.uuid, meeting_id: meeting.meetingId, topic: meeting.topic, at },
    // Kept a window past now (not past the join: a late delivery still counts for the joins around it).
    expiresAt: ttl(ctx, Math.ceil(windowMs / 3_600_000) + 24),
  });
  const seen = (await ctx.state.query(outsiderPk(participant), 'sensitive#')).map((i) => i.attrs);
  const dense = densestWindowContaining(seen.map((s) => ({ key: String(s.meeting_uuid), at: Number(s.at) })), windowMs, at);
  if (!dense) return [];
  if (!unauthenticated && dense.keys.length < parameter(d, 'min_sensitive_meetings')) return [];
  const inside = unauthenticated ? seen.filter((s) => s.meeting_uuid === meeting.uuid)
    : seen.filter((s) => Number(s.at) >= dense.start && Number(s.at) <= dense.end);
  const first = unauthenticated ? at : dense.start;
  const last = unauthenticated ? at : dense.end;
  return [realtimeAlert(d, {
    participant, user_email: base.user_email ?? null, user_name: base.user_name ?? null,
    sensitive_meetings: new Set(inside.map((s) => s.meeting_uuid)).size, unauthenticated,
    topics: joinSorted(inside.map((s) => nonEmptyText(s.topic)), ' | '), meeting_ids: joinSorted(inside.map((s) => nonEmptyText(s.meeting_id)), ', '),
    meeting_uuids: joinSorted(inside.map((s) => nonEmptyText(s.meeting_uuid)), ', '), sources: 'participant_events', source: 'webhook (realtime)',
  }, first, last)];
}

/**
 * zoom.participant.join_burst_many_ips: `min_ips` distinct public IPs of outside participants joining one meeting
 * (or its waiting room) within a sliding `window_minutes`, the scheduled query's windows. Each outside join with an
 * IP is a marker on the meeting; the check fires on the join that completes a window, and again (suppressed by the
 * delivery's dedup) on later ones.
 */
async function joinBurst(meeting: MeetingView, ip: string, at: number, ctx: CheckContext): Promise<Alert[]> {
  const d = ctx.registry.get(ID.joinBurst);
  const windowMs = parameter(d, 'window_minutes') * 60_000;
  await ctx.state.put({ pk: meetingPk(meeting.uuid), sk: `ipjoin#${msKey(at)}#${ip}`, attrs: { ip, at }, expiresAt: ttl(ctx) });
  const joins: Sighting[] = (await ctx.state.query(meetingPk(meeting.uuid), 'ipjoin#')).map((i) => ({ key: String(i.attrs.ip), at: Number(i.attrs.at) }));
  const dense = densestWindowContaining(joins, windowMs, at);
  if (!dense || dense.keys.length < parameter(d, 'min_ips')) return [];
  return [realtimeAlert(d, {
    meeting_uuid: meeting.uuid, meeting_id: meeting.meetingId, topic: meeting.topic, peak_distinct_ips: dense.keys.length,
    burst_ips: dense.keys.length, ip_addresses: dense.keys.join(', '), source: 'webhook (realtime)',
  }, dense.start, dense.end)];
}

async function recordingRemoved(env: ZoomEnvelope, rows: readonly Row[], ctx: CheckContext): Promise<Alert[]> {
  const d = ctx.registry.get(ID.recordingDeletedAfterExternal);
  const operator = lower(env.payload.operator);
  const operatorId = nonEmptyText(env.payload.operator_id);
  const batch = env.event.includes('.batch_');
  const alerts: Alert[] = [];
  const base = { operator, action: env.event, source: 'webhook (realtime)' };
  const afterHoursMs = parameter(d, 'after_meeting_hours') * 3_600_000;
  const rest: Row[] = [];
  for (const row of rows) {
    const uuid = nonEmptyText(row.meeting_uuid);
    const deletedAt = row.event_time as number;
    const externals = uuid ? await ctx.state.query(meetingPk(uuid), 'external#') : [];
    const info = uuid ? (await ctx.state.get(meetingPk(uuid), 'info'))?.attrs : undefined;
    // The scheduled query's meeting end: meeting.ended, else the last participant seen (here: the last outside join).
    const end = Math.max(numberAttr(info?.ended_at) ?? 0, ...externals.map((e) => numberAttr(e.attrs.at) ?? 0));
    if (uuid === null || externals.length === 0 || end === 0 || deletedAt >= end + afterHoursMs) {
      rest.push(row);
      continue;
    }
    alerts.push(realtimeAlert(d, {
      ...base, pattern: 'after_external_meeting', subject: uuid, meeting_uuid: uuid,
      meeting_id: nonEmptyText(row.meeting_id) ?? nonEmptyText(info?.meeting_id), topic: nonEmptyText(row.topic) ?? nonEmptyText(info?.topic), host_email: lower(row.host_email),
      meeting_ended_at: iso(end), external_participants: externals.length,
      external_names: joinSorted(externals.map((e) => e.sk.slice('external#'.length)), ', '),
    }, deletedAt));
  }

  const bulk = operator === null ? undefined : await bulkDeletion(operator, rows, ctx);
  if (bulk) {
    alerts.push(realtimeAlert(d, {
      ...base, pattern: 'bulk_deletion', subject: operator, recordings: bulk.keys.length, meeting_uuid: null, meeting_id: null,
    }, bulk.start, bulk.end));
    return alerts;
  }
  // zoom.recording.deleted: each other meeting whose recording is sensitive, a watched user's, or someone else's.
  const d2 = ctx.registry.get(ID.recordingDeleted);
  for (const row of rest) {
    const meeting = await meetingOf(row, ctx);
    if (!meeting) continue;
    const reason = meeting.sensitive ? `sensitive topic (${meeting.sensitive})`
      : meeting.watchedHost ? 'watched host'
        : operatorId !== null && meeting.hostId !== null && operatorId !== meeting.hostId ? 'deleted by someone other than the host' : undefined;
    if (!reason) continue;
    alerts.push(realtimeAlert(d2, {
      ...base, meeting_uuid: meeting.uuid, meeting_id: meeting.meetingId, topic: meeting.topic, host_email: meeting.hostEmail, batch, reason,
    }, row.event_time as number));
  }
  return alerts;
}

/**
 * The bulk-deletion pattern of zoom.recording.deleted_after_external_meeting: one operator's deleted recordings
 * (meetings) within a sliding `bulk_window_minutes`, at least `bulk_recordings` of them (one marker per meeting and
 * deletion time, so redeliveries count once). Returns the window when this event's deletions are in one that holds enough.
 */
async function bulkDeletion(operator: string, rows: readonly Row[], ctx: CheckContext) {
  const d = ctx.registry.get(ID.recordingDeletedAfterExternal);
  const windowMs = parameter(d, 'bulk_window_minutes') * 60_000;
  const expiresAt = Math.floor(ctx.clock.now() / 1000) + Math.ceil((2 * windowMs) / 1000);
  for (const row of rows) {
    const item = nonEmptyText(row.meeting_uuid) ?? nonEmptyText(row.meeting_id);
    if (item === null) continue;
    const at = row.event_time as number;
    await ctx.state.put({ pk: operatorPk(operator), sk: `deletion#${msKey(at)}#${item}`, attrs: { item, at }, expiresAt });
  }
  const seen = (await ctx.state.query(operatorPk(operator), 'deletion#')).map((i) => ({ key: String(i.attrs.item), at: Number(i.attrs.at) }));
  const at = Math.max(...rows.map((r) => r.event_time as number));
  const dense = densestWindowContaining(seen, windowMs, at);
  return dense && dense.keys.length >= parameter(d, 'bulk_recordings') ? dense : undefined;
}

/** `settings` when the object has them, else the object itself without its id (as the lake's account_events keeps them). */
function settingsOf(v: unknown): unknown {
  if (!isRecord(v)) return undefined;
  if (isRecord(v.settings)) return v.settings;
  const { id: _id, ...rest } = v as Json;
  return rest;
}

function settingsWeakened(env: ZoomEnvelope, at: number, ctx: CheckContext): Alert[] {
  const operator = lower(env.payload.operator);
  const bySetting = new Map<string, string[]>();
  for (const w of weakenedSettings(settingsOf(env.payload.object), settingsOf(env.payload.old_object))) {
    const detail = `${w.path}: ${w.oldValue ?? '(not sent)'} -> ${w.newValue}`;
    bySetting.set(w.setting, [...(bySetting.get(w.setting) ?? []), detail]);
  }
  const d = ctx.registry.get(ID.securitySettingWeakened);
  return [...bySetting].map(([setting, details]) => realtimeAlert(d, {
    operator, setting, changes: details.length, sources: 'account_events', scopes: 'Account', details: details.sort().join(' | '),
  }, at));
}
