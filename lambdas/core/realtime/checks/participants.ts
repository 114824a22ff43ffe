import type { Alert } from '../../alerts/alert.ts';
import { DetectionDefinitionError, durationMs, parameter } from '../../detect/detection.ts';
import { nonEmptyText } from '../../lake/cell-coercion.ts';
import type { Row } from '../../schema/types.ts';
import { REALTIME_IDS as ID, realtimeAlert, type EvidenceRow } from '../catalog.ts';
import { isInternalEmail, isTrustedExternal } from '../config.ts';
import { emailOfUserId, lookupEmail, statusAt, usersNamed } from '../directory.ts';
import { participantKey } from '../names.ts';
import { densestWindowContaining, type Sighting } from '../window.ts';
import { impersonatesSupport } from './support-impersonation.ts';
import { iso, joinSorted, lower, meetingOf, meetingPk, msKey, trimmed, ttl, type CheckContext, type MeetingView } from './context.ts';

/*
 * The checks a participant's join (or wait in the waiting room) runs: a join after deactivation, a guest named like a
 * user, a burst of outside IPs, an unknown outsider waiting for a sensitive or watched meeting, and outsiders in
 * sensitive meetings.
 */

const outsiderPk = (participant: string) => `rt#outsider#${participant}`;
/** meeting. or webinar.participant_jbh_joined / _jbh_waiting: a join, or a wait, before the host. */
const isBeforeHost = (event: string) => event.includes('.participant_jbh_');

/**
 * The alerts a participant_joined or participant_jbh_joined (or, with `waitingRoom`, participant_joined_waiting_room or
 * participant_jbh_waiting) event raises.
 */
export async function participantJoined(event: string, row: Row, ctx: CheckContext, waitingRoom: boolean): Promise<Alert[]> {
  const meeting = await meetingOf(row, ctx);
  if (!meeting) return [];
  const at = row.event_time as number;
  const zoomUserId = nonEmptyText(row.participant_user_id);
  // Zoom sends no email on joins before the host: a signed-in participant's Zoom user id names them in the directory
  // (the scheduled queries read the users snapshots and user webhooks the same way, in their jbh_users).
  const email = lower(row.email) ?? (isBeforeHost(event) && zoomUserId !== null ? (lower(await emailOfUserId(ctx.state, zoomUserId)) ?? null) : null);
  const userName = trimmed(row.user_name);
  const registered = nonEmptyText(row.registrant_id) !== null;
  const participant = participantKey(email, userName);
  const ipAddress = nonEmptyText(row.public_ip);
  const webinar = event.startsWith('webinar.');
  // As in the scheduled detections: outside unless signed in with an email on an internal domain.
  const unauthenticated = email === null || zoomUserId === null;
  const outsider = unauthenticated || !isInternalEmail(ctx.settings, email);
  // Signed in as someone the organisation expects in its sensitive meetings (config trustedExternals): a board member,
  // outside counsel. Only for the two sensitive-meeting checks; the other checks still see an outsider.
  const expected = !unauthenticated && isTrustedExternal(ctx.settings, email);
  const base: EvidenceRow = {
    meeting_uuid: meeting.uuid,
    meeting_id: meeting.meetingId,
    topic: meeting.topic,
    host_email: meeting.hostEmail,
    participant,
    user_email: email,
    user_name: userName,
    signed_in: zoomUserId !== null,
    registered,
    ip_address: ipAddress,
    event,
    source: 'webhook (realtime)',
  };
  const alerts: Alert[] = [];

  const identity = email ?? (zoomUserId !== null ? ((await emailOfUserId(ctx.state, zoomUserId)) ?? null) : null);
  if (identity !== null) {
    const status = await statusAt(ctx.state, identity, at);
    if (status?.gone) {
      alerts.push(
        realtimeAlert(
          ctx.registry.get(ID.joinAfterDeactivation),
          {
            ...base,
            user_email: identity,
            deactivated_at: iso(status.since),
            deactivation: `${status.status} (${status.sinceSource})`,
            seen_in: event,
          },
          at,
        ),
      );
    }
  }

  // Signed in with the email of a directory user: that user's own account, whatever internalDomains says.
  const directoryUser = !unauthenticated && (await lookupEmail(ctx.state, email)) !== undefined;
  if (outsider && !directoryUser && userName !== null) {
    const d = ctx.registry.get(ID.guestImpersonatesInternal);
    const matching = {
      minLetters: parameter(d, 'min_name_letters'),
      fuzzyMinLetters: parameter(d, 'fuzzy_min_name_letters'),
      maxEdits: parameter(d, 'max_edits'),
    };
    for (const match of await usersNamed(ctx.state, userName, matching)) {
      alerts.push(
        realtimeAlert(
          d,
          {
            ...base,
            impersonated_email: match.email,
            impersonated_name: match.name,
            name_match: match.match,
            watched: ctx.settings.watchedUsers.has(match.email),
            claims_same_email: email === match.email,
          },
          at,
        ),
      );
    }
  }
  if (outsider && !directoryUser) alerts.push(...impersonatesSupport(base, userName, email, at, ctx));

  if (outsider && !registered && ipAddress !== null && !webinar) alerts.push(...(await joinBurst(meeting, ipAddress, at, ctx)));

  if (waitingRoom) {
    const why = [meeting.sensitive !== undefined ? `sensitive topic (${meeting.sensitive})` : '', meeting.watchedHost ? 'watched host' : '']
      .filter(Boolean)
      .join(', ');
    if (outsider && !registered && !expected && why !== '' && (identity === null || (await lookupEmail(ctx.state, identity)) === undefined)) {
      alerts.push(realtimeAlert(ctx.registry.get(ID.waitingRoomUnknownExternal), { ...base, unauthenticated, reason: why }, at));
    }
    return alerts;
  }

  if (outsider) {
    await ctx.state.put({
      pk: meetingPk(meeting.uuid),
      sk: `external#${participant}`,
      attrs: { user_name: userName, user_email: email, at },
      expiresAt: ttl(ctx),
    });
    if (meeting.sensitive !== undefined && !registered && !expected)
      alerts.push(...(await outsiderInSensitiveMeeting(meeting, base, unauthenticated, at, ctx)));
  }
  return alerts;
}

/**
 * zoom.participant.external_in_sensitive_meeting: an unauthenticated guest in one sensitive meeting, or a signed-in
 * external in `min_sensitive_meetings` sensitive meeting instances within the detection's lookback (the scheduled
 * query's window). Registrants never count (the caller skips them). Each sensitive join is a marker on the
 * participant, so the count survives across meetings and redeliveries count once.
 */
async function outsiderInSensitiveMeeting(
  meeting: MeetingView,
  base: EvidenceRow,
  unauthenticated: boolean,
  at: number,
  ctx: CheckContext,
): Promise<Alert[]> {
  const d = ctx.registry.get(ID.externalInSensitiveMeeting);
  if (d.lookback === undefined)
    throw new DetectionDefinitionError(`${d.id}: the realtime check counts within the scheduled lookback, which is missing`);
  const windowMs = durationMs(d.lookback);
  const participant = String(base.participant);
  await ctx.state.put({
    pk: outsiderPk(participant),
    sk: `sensitive#${msKey(at)}#${meeting.uuid}`,
    attrs: { meeting_uuid: meeting.uuid, meeting_id: meeting.meetingId, topic: meeting.topic, at },
    // Kept a window past now (not past the join: a late delivery still counts for the joins around it).
    expiresAt: ttl(ctx, Math.ceil(windowMs / 3_600_000) + 24),
  });
  const seen = (await ctx.state.query(outsiderPk(participant), 'sensitive#')).map((i) => i.attrs);
  const dense = densestWindowContaining(
    seen.map((s) => ({ key: String(s.meeting_uuid), at: Number(s.at) })),
    windowMs,
    at,
  );
  if (!dense) return [];
  if (!unauthenticated && dense.keys.length < parameter(d, 'min_sensitive_meetings')) return [];
  const inside = unauthenticated
    ? seen.filter((s) => s.meeting_uuid === meeting.uuid)
    : seen.filter((s) => Number(s.at) >= dense.start && Number(s.at) <= dense.end);
  const first = unauthenticated ? at : dense.start;
  const last = unauthenticated ? at : dense.end;
  return [
    realtimeAlert(
      d,
      {
        participant,
        user_email: base.user_email ?? null,
        user_name: base.user_name ?? null,
        sensitive_meetings: new Set(inside.map((s) => s.meeting_uuid)).size,
        unauthenticated,
        topics: joinSorted(
          inside.map((s) => nonEmptyText(s.topic)),
          ' | ',
        ),
        meeting_ids: joinSorted(
          inside.map((s) => nonEmptyText(s.meeting_id)),
          ', ',
        ),
        meeting_uuids: joinSorted(
          inside.map((s) => nonEmptyText(s.meeting_uuid)),
          ', ',
        ),
        sources: 'participant_events',
        source: 'webhook (realtime)',
      },
      first,
      last,
    ),
  ];
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
  const joins: Sighting[] = (await ctx.state.query(meetingPk(meeting.uuid), 'ipjoin#')).map((i) => ({
    key: String(i.attrs.ip),
    at: Number(i.attrs.at),
  }));
  const dense = densestWindowContaining(joins, windowMs, at);
  if (!dense || dense.keys.length < parameter(d, 'min_ips')) return [];
  return [
    realtimeAlert(
      d,
      {
        meeting_uuid: meeting.uuid,
        meeting_id: meeting.meetingId,
        topic: meeting.topic,
        peak_distinct_ips: dense.keys.length,
        burst_ips: dense.keys.length,
        ip_addresses: dense.keys.join(', '),
        source: 'webhook (realtime)',
      },
      dense.start,
      dense.end,
    ),
  ];
}
