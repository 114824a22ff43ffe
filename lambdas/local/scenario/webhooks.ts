import { isoSeconds as iso } from '../zoom-simulator/org.ts';
import { hostJoin, type MeetingPlan, type Session } from './calendar.ts';

/*
 * Zoom webhook bodies for the scenario's meetings and account events, shaped like Zoom's (zoom-reference §1): the
 * meeting lifecycle, participant joins and leaves (with the undocumented public_ip most accounts see), joins before
 * the host, waiting-room events, screen sharing and recordings, and the deliveries Zoom only made on a retry.
 */

/** One webhook event before it is serialised: when it happened, its name and its payload. */
export interface WebhookEvent {
  readonly at: number;
  readonly event: string;
  readonly payload: Readonly<Record<string, unknown>>;
  /** When Zoom delivered it, when that was a retry after `at` (its first attempts failed); else at `at`. */
  readonly deliveredAt?: number;
}

/** Zoom's retries of a failed delivery, after the first attempt: ~5, ~25 and ~85 minutes (zoom-reference §1.6). */
export const RETRY_DELAYS_MS = [5 * 60_000, 25 * 60_000, 85 * 60_000] as const;

/** A meeting number as Zoom prints it in logs, digits grouped by spaces (877 1122 3344). */
export const spacedId = (id: number): string => String(id).replace(/^(\d{3})(\d{4})(\d+)$/, '$1 $2 $3');

function meetingObject(m: MeetingPlan): Record<string, unknown> {
  return { id: m.id, uuid: m.uuid, host_id: m.host.userId, topic: m.topic, type: m.type };
}

function who(s: Session): Record<string, unknown> {
  return { user_id: s.participantId, user_name: s.name, id: s.zoomUserId, participant_uuid: s.participantUuid, email: s.email };
}

/**
 * The webhooks one meeting produces, for events at or after `from` and delivered no later than `until`: started,
 * each participant's joined/left (or waiting-room joined/left), participant_jbh_joined for those in before the host,
 * sharing_started for presenters, ended, and recording.completed for recorded meetings. Deletions are separate
 * (recordingRemovedEvent).
 */
export function meetingEvents(m: MeetingPlan, accountId: string, from: number, until: number): WebhookEvent[] {
  const events: WebhookEvent[] = [];
  const push = (at: number, event: string, object: Record<string, unknown>, delay = 0) => {
    if (at >= from && at + delay <= until)
      events.push({ at, event, payload: { account_id: accountId, object }, ...(delay > 0 ? { deliveredAt: at + delay } : {}) });
  };
  const base = meetingObject(m);
  push(m.start, 'meeting.started', { ...base, start_time: iso(m.start), duration: Math.round((m.end - m.start) / 60_000), timezone: 'UTC' });
  const hostIn = hostJoin(m);
  for (const s of [...m.sessions].sort((a, b) => a.join - b.join)) {
    const phone = s.person.kind === 'dial_in' ? { phone_number: s.name.replace(/\s/g, '') } : {};
    const net = s.ip === '' ? {} : { public_ip: s.ip };
    if (s.waitingRoomOnly) {
      push(s.join, 'meeting.participant_joined_waiting_room', { ...base, participant: { ...who(s), date_time: iso(s.join) } });
      push(s.leave, 'meeting.participant_left_waiting_room', { ...base, participant: { ...who(s), date_time: iso(s.leave) } });
      continue;
    }
    const registrant = s.registrantId === '' ? {} : { registrant_id: s.registrantId };
    // Zoom's jbh_joined samples carry only the name and user id (zoom-reference §2); participant_joined follows.
    if (m.jbh && s.join < hostIn)
      push(s.join, 'meeting.participant_jbh_joined', { ...base, participant: { id: s.zoomUserId, user_name: s.name, ...registrant } });
    push(
      s.join,
      'meeting.participant_joined',
      { ...base, participant: { ...who(s), join_time: iso(s.join), ...registrant, ...phone, ...net } },
      s.lateDelivery?.joinedMs,
    );
    const shareAt = s.join + 5 * 60_000;
    if (s.shared && shareAt < s.leave) {
      push(shareAt, 'meeting.sharing_started', {
        ...base,
        participant: {
          user_id: s.participantId,
          user_name: s.name,
          id: s.zoomUserId,
          sharing_details: { content: 'application', date_time: iso(shareAt) },
        },
      });
    }
    push(
      s.leave,
      'meeting.participant_left',
      { ...base, participant: { ...who(s), leave_time: iso(s.leave), leave_reason: `${s.name} left the meeting.`, ...net } },
      s.lateDelivery?.leftMs,
    );
  }
  push(m.end, 'meeting.ended', {
    ...base,
    start_time: iso(m.start),
    end_time: iso(m.end),
    duration: Math.round((m.end - m.start) / 60_000),
    timezone: 'UTC',
  });
  if (m.recorded && m.inApi) {
    const at = m.end + 8 * 60_000;
    push(at, 'recording.completed', {
      ...base,
      host_email: m.host.email,
      start_time: iso(m.start),
      duration: Math.round((m.end - m.start) / 60_000),
      timezone: 'UTC',
      recording_count: m.hasChat ? 3 : 2,
      total_size: 0,
      share_url: `https://example.zoom.us/rec/share/${m.uuid.replace(/[^A-Za-z0-9]/g, '')}`,
      recording_files: [],
    });
  }
  return events;
}

/** The recording.trashed / recording.deleted webhook of one meeting's deletion (not for batch deletions). */
export function recordingRemovedEvent(m: MeetingPlan, accountId: string): WebhookEvent | undefined {
  const d = m.deletion;
  if (!d || d.batch) return undefined;
  return {
    at: d.at,
    event: d.event,
    payload: {
      account_id: accountId,
      operator: d.operator.email,
      operator_id: d.operator.userId,
      object: { ...meetingObject(m), start_time: iso(m.start), duration: Math.round((m.end - m.start) / 60_000), recording_count: m.hasChat ? 3 : 2 },
    },
  };
}

/** A file in a meeting's chat as Zoom's file events describe it (never its download link). */
export interface ChatFile {
  readonly file_id: string;
  readonly file_name: string;
  readonly file_size: number;
  readonly file_type: string;
}

/** The recipient of a file sent in a meeting's chat: everyone, or one participant privately. */
export type ChatRecipient = 'everyone' | Session;

/**
 * meeting.chat_message_file_sent for a file `sender` sent at `at`, and meeting.chat_message_file_downloaded for each
 * download (by whom, when).
 */
export function chatFileEvents(
  m: MeetingPlan,
  accountId: string,
  at: number,
  sender: Session,
  to: ChatRecipient,
  file: ChatFile,
  messageId: string,
  downloads: readonly { readonly at: number; readonly email: string; readonly zoomUserId: string }[],
): WebhookEvent[] {
  const recipient =
    to === 'everyone'
      ? { recipient_type: 'everyone' }
      : { recipient_type: 'guest', recipient_session_id: to.participantId, recipient_name: to.name, recipient_email: to.email };
  const sent: WebhookEvent = {
    at,
    event: 'meeting.chat_message_file_sent',
    payload: {
      account_id: accountId,
      object: {
        meeting_id: m.id,
        meeting_uuid: m.uuid,
        chat_message_file: {
          date_time: iso(at),
          sender_session_id: sender.participantId,
          sender_name: sender.name,
          sender_email: sender.email,
          sender_type: sender.role === 'host' ? 'host' : 'guest',
          ...recipient,
          message_id: messageId,
          ...file,
        },
      },
    },
  };
  return [
    sent,
    ...downloads.map((d) => ({
      at: d.at,
      event: 'meeting.chat_message_file_downloaded',
      payload: {
        account_id: accountId,
        operator: d.email,
        operator_id: d.zoomUserId,
        object: { id: m.id, uuid: m.uuid, host_account_id: accountId, chat_message_file: { ...file, file_owner_id: sender.zoomUserId } },
      },
    })),
  ];
}

/** account.settings_updated by `operator` at `at`: the changed settings and, when given, their old values. */
export function settingsUpdatedEvent(
  accountId: string,
  operator: { readonly email: string; readonly userId: string },
  at: number,
  settings: Readonly<Record<string, unknown>>,
  oldSettings?: Readonly<Record<string, unknown>>,
): WebhookEvent {
  return {
    at,
    event: 'account.settings_updated',
    payload: {
      account_id: accountId,
      operator: operator.email,
      operator_id: operator.userId,
      time_stamp: at,
      object: { id: accountId, settings },
      ...(oldSettings ? { old_object: { id: accountId, settings: oldSettings } } : {}),
    },
  };
}
