import type { Alert } from '../../alerts/alert.ts';
import { nonEmptyText } from '../../lake/cell-coercion.ts';
import type { Row } from '../../schema/types.ts';
import type { ZoomEnvelope } from '../../webhook/envelope.ts';
import { REALTIME_IDS as ID, realtimeAlert } from '../catalog.ts';
import { sensitiveMatch } from '../config.ts';
import { emailOfUserId } from '../directory.ts';
import { iso, lower, numberAttr, type CheckContext } from './context.ts';

/*
 * The checks a meeting's own events run: Zoom's warning that a meeting link is public (meeting.risk_alert).
 */

/** Meeting types of webinars (5 webinar, 6 recurring without fixed time, 9 recurring with fixed time). */
const WEBINAR_TYPES: ReadonlySet<number> = new Set([5, 6, 9]);

/**
 * zoom.meeting.risk_alert, stage `warning`: raised as Zoom's At-Risk Meeting Notifier webhook arrives. A webinar's
 * link is public by design, so a webinar counts only with a sensitive topic or a watched host. The joins that follow
 * are the scheduled query's second stage (`joins_after_warning`): they arrive after this alert, which cannot be
 * amended once delivered, and only a scheduled run sees their window close.
 */
export async function riskAlert(env: ZoomEnvelope, row: Row, ctx: CheckContext): Promise<Alert[]> {
  const meetingId = nonEmptyText(row.meeting_id);
  if (meetingId === null) return [];
  const object = env.payload.object;
  const hostId = nonEmptyText(row.host_id);
  const hostEmail =
    lower(typeof object === 'object' && object !== null ? (object as Record<string, unknown>).host_email : null) ??
    (hostId !== null ? ((await emailOfUserId(ctx.state, hostId)) ?? null) : null);
  const topic = nonEmptyText(row.topic)?.trim() || null;
  const meetingType = numberAttr(row.meeting_type);
  const sensitive = sensitiveMatch(ctx.settings, topic) !== undefined;
  const watched = hostEmail !== null && ctx.settings.watchedUsers.has(hostEmail);
  const webinar = env.event.startsWith('webinar.') || (meetingType !== undefined && WEBINAR_TYPES.has(meetingType));
  if (webinar && !sensitive && !watched) return [];
  const at = row.event_time as number;
  const postTime = numberAttr(row.risk_post_time);
  return [
    realtimeAlert(
      ctx.registry.get(ID.riskAlert),
      {
        stage: 'warning',
        meeting_id: meetingId,
        meeting_uuid: nonEmptyText(row.meeting_uuid),
        topic,
        meeting_type: meetingType ?? null,
        host_email: hostEmail,
        sensitive_topic: sensitive,
        watched_host: watched,
        event: env.event,
        risk_post_platform: nonEmptyText(row.risk_post_platform),
        risk_post_url: nonEmptyText(row.risk_post_url),
        risk_post_time: postTime === undefined ? null : iso(postTime),
        risk_meeting_url: nonEmptyText(row.risk_meeting_url),
        armn_details: nonEmptyText(row.details_json),
        warned_at: iso(at),
        source: 'webhook (realtime)',
      },
      at,
    ),
  ];
}
