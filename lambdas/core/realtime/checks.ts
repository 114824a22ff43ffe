import type { Alert } from '../alerts/alert.ts';
import { nonEmptyText } from '../lake/cell-coercion.ts';
import type { ZoomEnvelope } from '../webhook/envelope.ts';
import { typedRows } from '../webhook/normalise.ts';
import { REALTIME_EVENTS } from '../webhook/routes.ts';
import { settingsWeakened } from './checks/account-settings.ts';
import { meetingOf, numberAttr, type CheckContext } from './checks/context.ts';
import { riskAlert } from './checks/meetings.ts';
import { participantJoined } from './checks/participants.ts';
import { recordingRemoved } from './checks/recordings.ts';
import { applyDirectoryUpdates, directoryUpdateFromEvent, emailOfUserId } from './directory.ts';

/*
 * The realtime path's dispatcher: which events it handles and which checks each runs. The checks live in checks/,
 * one module per family (participants, meetings, recordings, account settings) over a shared context (checks/context.ts).
 */

export type { CheckContext } from './checks/context.ts';

const HANDLED: ReadonlySet<string> = new Set(REALTIME_EVENTS);

/** Whether the realtime path does anything with this event. */
export const isRealtimeEvent = (event: string): boolean => HANDLED.has(event);

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
  if (env.event.startsWith('recording.'))
    return recordingRemoved(
      env,
      rows.map((r) => r.row),
      ctx,
    );
  if (action === 'risk_alert') return riskAlert(env, row, ctx);
  if (action === 'started' || action === 'ended') {
    await meetingOf(row, ctx, action === 'ended' ? (numberAttr(row.end_time) ?? at) : undefined);
    return [];
  }
  // A join before the host is a join (a meeting link used while nobody watches); waiting for the host, a waiting room.
  if (action === 'participant_joined' || action === 'participant_jbh_joined') return participantJoined(env.event, row, ctx, false);
  if (action === 'participant_joined_waiting_room' || action === 'participant_jbh_waiting') return participantJoined(env.event, row, ctx, true);
  return [];
}
