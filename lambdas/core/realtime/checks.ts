import type { Alert } from '../alerts/alert.ts';
import { ConditionFailedError } from '../errors.ts';
import { id, instant, ip, isRecord, obj, text, type Json } from '../lake/cells.ts';
import type { Clock, StateStore } from '../ports.ts';
import { eventTimeOf, type ZoomEnvelope } from '../webhook/envelope.ts';
import { REALTIME_DETECTIONS as D, realtimeAlert, type EvidenceRow } from './catalog.ts';
import {
  GONE_STATUSES, applyDirectoryUpdates, directoryUpdateFromEvent, emailOfUserId, lookupEmail, usersNamed, zoomUserIdOf,
  type DirectoryEntry,
} from './directory.ts';
import { participantKey, withinEdits } from './names.ts';
import { weakenedSettings } from './security-settings.ts';
import { isInternalEmail, sensitiveMatch, type CompiledSettings } from './settings.ts';

/** What the checks read and write. */
export interface CheckContext {
  readonly state: StateStore;
  readonly settings: CompiledSettings;
  readonly clock: Clock;
}

/** Event names the realtime path handles; the bus rule forwards exactly these. */
export const REALTIME_EVENTS = [
  'meeting.started', 'webinar.started',
  'meeting.participant_joined', 'webinar.participant_joined',
  'meeting.participant_joined_waiting_room', 'webinar.participant_joined_waiting_room',
  'recording.deleted', 'recording.trashed', 'recording.batch_deleted', 'recording.batch_trashed',
  'user.created', 'user.activated', 'user.deactivated', 'user.deleted', 'user.disassociated', 'user.updated',
  'account.settings_updated',
] as const;
const HANDLED: ReadonlySet<string> = new Set(REALTIME_EVENTS);

/** Whether the realtime path does anything with this event. */
export const isRealtimeEvent = (event: string): boolean => HANDLED.has(event);

const meetingPk = (uuid: string) => `rt#meeting#${uuid}`;
const lower = (v: unknown) => text(v)?.trim().toLowerCase() || null;
const trimmed = (v: unknown) => text(v)?.trim() || null;
const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Runs every realtime check an event concerns and returns the alerts it raises (not yet delivered). Updates the
 * user directory and the live meeting state as it goes; every write is idempotent (set-like markers, upserts), so
 * processing the same event twice leaves the state as processing it once.
 */
export async function runChecks(env: ZoomEnvelope, receivedAt: number, ctx: CheckContext): Promise<Alert[]> {
  const eventTime = eventTimeOf(env, receivedAt);
  const action = env.event.slice(env.event.indexOf('.') + 1);
  if (env.event.startsWith('user.')) {
    const update = directoryUpdateFromEvent(env, eventTime);
    if (update) await applyDirectoryUpdates(ctx.state, [update], ctx.settings.watchedUsers);
    return [];
  }
  if (env.event === 'account.settings_updated') return settingsWeakened(env, eventTime);
  if (env.event.startsWith('recording.')) return recordingRemoved(env, eventTime, ctx);
  if (action === 'started') {
    await meetingOf(obj(env.payload.object), ctx);
    return [];
  }
  if (action === 'participant_joined') return participantJoined(env, eventTime, ctx, false);
  if (action === 'participant_joined_waiting_room') return participantJoined(env, eventTime, ctx, true);
  return [];
}

/** The live state of one meeting instance the checks need. */
interface MeetingView {
  readonly uuid: string;
  readonly meetingId: string | null;
  readonly topic: string | null;
  readonly hostId: string | null;
  readonly hostEmail: string | null;
  /** The sensitive pattern the topic matches. */
  readonly sensitive: string | undefined;
  readonly watchedHost: boolean;
}

const ttl = (ctx: CheckContext) => Math.floor(ctx.clock.now() / 1000) + ctx.settings.raw.meetingStateHours * 3600;

/** The meeting an event's object describes, remembering topic and host for events that lack them. */
async function meetingOf(o: Json, ctx: CheckContext): Promise<MeetingView | undefined> {
  const uuid = text(o.uuid);
  if (!uuid) return undefined;
  let topic = text(o.topic);
  let hostId = id(o.host_id);
  let meetingId = id(o.id);
  const stored = await ctx.state.get(meetingPk(uuid), 'info');
  if (stored) {
    topic ??= text(stored.attrs.topic);
    hostId ??= text(stored.attrs.host_id);
    meetingId ??= text(stored.attrs.meeting_id);
  }
  if (!stored || (topic !== null && stored.attrs.topic === null) || (hostId !== null && stored.attrs.host_id === null)) {
    await ctx.state.put({ pk: meetingPk(uuid), sk: 'info', attrs: { topic, host_id: hostId, meeting_id: meetingId }, expiresAt: ttl(ctx) });
  }
  const hostEmail = lower(o.host_email) ?? (hostId ? (await emailOfUserId(ctx.state, hostId)) ?? null : null);
  return {
    uuid, meetingId, topic, hostId, hostEmail,
    sensitive: sensitiveMatch(ctx.settings, topic), watchedHost: hostEmail !== null && ctx.settings.watchedUsers.has(hostEmail),
  };
}

async function participantJoined(env: ZoomEnvelope, eventTime: number, ctx: CheckContext, waitingRoom: boolean): Promise<Alert[]> {
  const o = obj(env.payload.object);
  const meeting = await meetingOf(o, ctx);
  if (!meeting) return [];
  const p = obj(o.participant);
  const email = lower(p.email);
  const userName = trimmed(p.user_name);
  const zoomUserId = zoomUserIdOf(p);
  const at = (waitingRoom ? instant(p.date_time) : instant(p.join_time)) ?? eventTime;
  const participant = participantKey(email, userName);
  const ipAddress = ip(p.public_ip);
  // As in the scheduled detections: outside unless signed in with an email on an internal domain.
  const outsider = email === null || zoomUserId === null || !isInternalEmail(ctx.settings, email);
  const base: EvidenceRow = {
    meeting_uuid: meeting.uuid, meeting_id: meeting.meetingId, topic: meeting.topic, host_email: meeting.hostEmail,
    participant, user_email: email, user_name: userName, signed_in: zoomUserId !== null, ip_address: ipAddress,
    event: env.event, source: 'webhook (realtime)',
  };
  const alerts: Alert[] = [];

  const known: DirectoryEntry | undefined = email !== null ? await lookupEmail(ctx.state, email)
    : zoomUserId !== null ? await emailOfUserId(ctx.state, zoomUserId).then((e) => (e ? lookupEmail(ctx.state, e) : undefined)) : undefined;
  if (known?.status !== undefined && GONE_STATUSES.has(known.status)) {
    alerts.push(realtimeAlert(D.joinAfterDeactivation, {
      ...base, user_email: known.email, directory_status: known.status, status_since: iso(known.at),
    }, at));
  }

  if (outsider && userName !== null) {
    for (const match of await usersNamed(ctx.state, userName, (a, b) => withinEdits(a, b, 1))) {
      alerts.push(realtimeAlert(D.guestImpersonatesInternal, {
        ...base, impersonated_email: match.email, impersonated_name: match.name, name_match: match.match,
        watched: ctx.settings.watchedUsers.has(match.email), claims_same_email: email === match.email,
      }, at));
    }
  }

  const watchedMeeting = meeting.sensitive !== undefined || meeting.watchedHost;
  const why = [meeting.sensitive !== undefined ? `sensitive topic (${meeting.sensitive})` : '', meeting.watchedHost ? 'watched host' : '']
    .filter(Boolean).join(', ');
  const burst = await countJoin(ctx, meeting.uuid, Math.floor(at / 60_000), p, participant, ipAddress);
  if (burst) {
    const { burstParticipantsPerMinute: maxP, burstIpsPerMinute: maxIp } = ctx.settings.raw;
    alerts.push(realtimeAlert(D.joinBurst, {
      meeting_uuid: meeting.uuid, meeting_id: meeting.meetingId, topic: meeting.topic, host_email: meeting.hostEmail,
      minute: iso(Math.floor(at / 60_000) * 60_000), distinct_participants: burst.participants, distinct_ips: burst.ips,
      participant_threshold: maxP, ip_threshold: maxIp, source: 'webhook (realtime)',
    }, at));
  }
  if (waitingRoom) {
    if (outsider && watchedMeeting && known === undefined) {
      alerts.push(realtimeAlert(D.waitingRoomUnknownExternal, { ...base, unauthenticated: email === null || zoomUserId === null, reason: why }, at));
    }
    return alerts;
  }

  if (outsider) {
    await ctx.state.put({ pk: meetingPk(meeting.uuid), sk: `external#${participant}`, attrs: { user_name: userName, user_email: email }, expiresAt: ttl(ctx) });
    if (watchedMeeting) {
      alerts.push(realtimeAlert(D.externalInSensitiveMeeting, {
        ...base, unauthenticated: email === null || zoomUserId === null, sensitive_meetings: 1, topics: meeting.topic,
        meeting_ids: meeting.meetingId, meeting_uuids: meeting.uuid, sources: 'participant_events', reason: why,
      }, at));
    }
  }

  return alerts;
}

/**
 * Counts a join into its meeting's per-minute distinct participants and IPs (a marker item per participant and IP,
 * written only if absent, so a redelivered join never counts twice). Returns the counts when this join crossed a
 * threshold, or, when it had been counted before (a retried event), when the minute is above one.
 */
async function countJoin(ctx: CheckContext, uuid: string, minute: number, p: Json, participant: string, ipAddress: string | null) {
  const pk = meetingPk(uuid);
  const counter = `burst#${minute}`;
  const expiresAt = ttl(ctx);
  const who = text(p.participant_uuid) ?? (id(p.user_id) !== null ? `uid:${id(p.user_id)}` : participant);
  const count = async (kind: 'participants' | 'ips', value: string) => {
    try {
      await ctx.state.put({ pk, sk: `${counter}#${kind}#${value}`, attrs: {}, expiresAt }, { kind: 'notExists' });
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      const current = (await ctx.state.get(pk, counter))?.attrs[kind];
      return { n: typeof current === 'number' ? current : 0, fresh: false };
    }
    return { n: await ctx.state.add(pk, counter, kind, 1, { expiresAt }), fresh: true };
  };
  const { burstParticipantsPerMinute: maxP, burstIpsPerMinute: maxIp } = ctx.settings.raw;
  const ps = await count('participants', who);
  const ips = ipAddress !== null ? await count('ips', ipAddress) : undefined;
  const crossed = (ps.fresh && ps.n === maxP + 1) || (ips?.fresh === true && ips.n === maxIp + 1);
  const replayed = (!ps.fresh || ips?.fresh === false) && (ps.n > maxP || (ips?.n ?? 0) > maxIp);
  return crossed || replayed ? { participants: ps.n, ips: ips?.n ?? null } : undefined;
}

/** Meeting instance uuids a recording event is about: the object's own, or the batch's list. */
function recordingUuids(o: Json): string[] {
  const listed: string[] = [];
  if (Array.isArray(o.meetings)) {
    for (const m of o.meetings) {
      const u = isRecord(m) ? text(m.uuid) ?? text(m.meeting_uuid) : text(m);
      if (u) listed.push(u);
    }
  }
  if (Array.isArray(o.meeting_uuids)) for (const u of o.meeting_uuids) if (text(u)) listed.push(text(u)!);
  const own = text(o.uuid);
  return [...new Set(listed.length > 0 ? listed : own ? [own] : [])].sort();
}

/** Recordings one operator may delete or trash within an hour before it counts as bulk deletion (as the scheduled detection). */
export const BULK_DELETIONS_PER_HOUR = 10;

async function recordingRemoved(env: ZoomEnvelope, eventTime: number, ctx: CheckContext): Promise<Alert[]> {
  const o = obj(env.payload.object);
  const operator = lower(env.payload.operator);
  const operatorId = id(env.payload.operator_id);
  const batch = env.event.includes('.batch_');
  const uuids = recordingUuids(o);
  const alerts: Alert[] = [];
  const base = { operator, action: env.event, source: 'webhook (realtime)' };
  let rest = 0;
  for (const uuid of uuids) {
    const externals = await ctx.state.query(meetingPk(uuid), 'external#');
    if (externals.length === 0) {
      rest++;
      continue;
    }
    const info = (await ctx.state.get(meetingPk(uuid), 'info'))?.attrs;
    alerts.push(realtimeAlert(D.recordingDeletedAfterExternal, {
      ...base, pattern: 'after_external_meeting', subject: uuid, meeting_uuid: uuid,
      meeting_id: (!batch ? id(o.id) : null) ?? text(info?.meeting_id), topic: (!batch ? text(o.topic) : null) ?? text(info?.topic),
      external_participants: externals.map((e) => e.sk.slice('external#'.length)).join(', '), external_count: externals.length,
    }, eventTime));
  }

  const deleted = operator === null ? 0 : await countDeletions(ctx, operator, Math.floor(eventTime / 3_600_000), uuids);
  if (deleted > 0) {
    alerts.push(realtimeAlert(D.recordingDeletedAfterExternal, {
      ...base, pattern: 'bulk_deletion', subject: operator, recordings_in_hour: deleted, meeting_uuid: null, meeting_id: null,
    }, eventTime));
    return alerts;
  }
  if (rest === 0) return alerts;
  let reason: string | undefined;
  if (batch) reason = 'batch deletion';
  else {
    const meeting = await meetingOf(o, ctx);
    const sensitive = sensitiveMatch(ctx.settings, text(o.topic) ?? meeting?.topic);
    if (sensitive) reason = `sensitive topic (${sensitive})`;
    else if (meeting?.watchedHost) reason = 'watched host';
    else if (operatorId !== null && meeting?.hostId && operatorId !== meeting.hostId) reason = 'deleted by someone other than the host';
  }
  if (reason) {
    const others = uuids.filter((u) => !alerts.some((a) => a.entities.meeting_uuid === u));
    alerts.push(realtimeAlert(D.recordingDeleted, {
      ...base, meeting_uuid: others.join(', '), meeting_id: batch ? null : id(o.id), topic: batch ? null : text(o.topic), meetings: others.length, reason,
    }, eventTime));
  }
  return alerts;
}

/**
 * Counts an operator's deleted recordings per hour (one marker per meeting, so redeliveries count once) and returns
 * the count when it reached the bulk threshold with this event, or is past it on a redelivery; else 0.
 */
async function countDeletions(ctx: CheckContext, operator: string, hour: number, uuids: readonly string[]): Promise<number> {
  const pk = `rt#operator#${operator}`;
  const counter = `deletions#${hour}`;
  const expiresAt = Math.floor(ctx.clock.now() / 1000) + 2 * 3600;
  let count = (await ctx.state.get(pk, counter))?.attrs.recordings;
  let n = typeof count === 'number' ? count : 0;
  const before = n;
  let replayed = false;
  for (const uuid of uuids) {
    try {
      await ctx.state.put({ pk, sk: `${counter}#${uuid}`, attrs: {}, expiresAt }, { kind: 'notExists' });
    } catch (error) {
      if (!(error instanceof ConditionFailedError)) throw error;
      replayed = true;
      continue;
    }
    n = await ctx.state.add(pk, counter, 'recordings', 1, { expiresAt });
  }
  count = n;
  const crossed = before < BULK_DELETIONS_PER_HOUR && count >= BULK_DELETIONS_PER_HOUR;
  return crossed || (replayed && count >= BULK_DELETIONS_PER_HOUR) ? count : 0;
}

/** `settings` when the object has them, else the object itself without its id (as the lake's account_events keeps them). */
function settingsOf(v: unknown): unknown {
  if (!isRecord(v)) return undefined;
  if (isRecord(v.settings)) return v.settings;
  const { id: _id, ...rest } = v;
  return rest;
}

function settingsWeakened(env: ZoomEnvelope, eventTime: number): Alert[] {
  const operator = lower(env.payload.operator);
  const bySetting = new Map<string, string[]>();
  for (const w of weakenedSettings(settingsOf(env.payload.object), settingsOf(env.payload.old_object))) {
    const detail = `${w.path}: ${w.oldValue ?? '(not sent)'} -> ${w.newValue}`;
    bySetting.set(w.setting, [...(bySetting.get(w.setting) ?? []), detail]);
  }
  return [...bySetting].map(([setting, details]) => realtimeAlert(D.securitySettingWeakened, {
    operator, setting, changes: details.length, sources: 'account_events', scopes: 'Account', details: details.sort().join(' | '),
  }, eventTime));
}
