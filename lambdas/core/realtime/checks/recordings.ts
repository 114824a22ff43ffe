import type { Alert } from '../../alerts/alert.ts';
import { parameter } from '../../detect/detection.ts';
import { nonEmptyText } from '../../lake/cell-coercion.ts';
import type { Row } from '../../schema/types.ts';
import type { ZoomEnvelope } from '../../webhook/envelope.ts';
import { REALTIME_IDS as ID, realtimeAlert } from '../catalog.ts';
import { densestWindowContaining } from '../window.ts';
import { iso, joinSorted, lower, meetingOf, meetingPk, msKey, numberAttr, type CheckContext } from './context.ts';

/*
 * The checks a recording's deletion runs: deleted soon after a meeting with outsiders, deleted in bulk by one
 * operator, or a sensitive, watched or someone else's recording deleted.
 */

const operatorPk = (operator: string) => `rt#operator#${operator}`;

/** The alerts a recording deletion event (one typed row per recording) raises. */
export async function recordingRemoved(env: ZoomEnvelope, rows: readonly Row[], ctx: CheckContext): Promise<Alert[]> {
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
    alerts.push(
      realtimeAlert(
        d,
        {
          ...base,
          pattern: 'after_external_meeting',
          subject: uuid,
          meeting_uuid: uuid,
          meeting_id: nonEmptyText(row.meeting_id) ?? nonEmptyText(info?.meeting_id),
          topic: nonEmptyText(row.topic) ?? nonEmptyText(info?.topic),
          host_email: lower(row.host_email),
          meeting_ended_at: iso(end),
          external_participants: externals.length,
          external_names: joinSorted(
            externals.map((e) => e.sk.slice('external#'.length)),
            ', ',
          ),
        },
        deletedAt,
      ),
    );
  }

  const bulk = operator === null ? undefined : await bulkDeletion(operator, rows, ctx);
  if (bulk) {
    alerts.push(
      realtimeAlert(
        d,
        {
          ...base,
          pattern: 'bulk_deletion',
          subject: operator,
          recordings: bulk.keys.length,
          meeting_uuid: null,
          meeting_id: null,
        },
        bulk.start,
        bulk.end,
      ),
    );
    return alerts;
  }
  // zoom.recording.deleted: each other meeting whose recording is sensitive, a watched user's, or someone else's.
  const d2 = ctx.registry.get(ID.recordingDeleted);
  for (const row of rest) {
    const meeting = await meetingOf(row, ctx);
    if (!meeting) continue;
    const reason = meeting.sensitive
      ? `sensitive topic (${meeting.sensitive})`
      : meeting.watchedHost
        ? 'watched host'
        : operatorId !== null && meeting.hostId !== null && operatorId !== meeting.hostId
          ? 'deleted by someone other than the host'
          : undefined;
    if (!reason) continue;
    alerts.push(
      realtimeAlert(
        d2,
        {
          ...base,
          meeting_uuid: meeting.uuid,
          meeting_id: meeting.meetingId,
          topic: meeting.topic,
          host_email: meeting.hostEmail,
          batch,
          reason,
        },
        row.event_time as number,
      ),
    );
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
